//! The fact table the diagnostics read: the parquet files `diagsante ingest` wrote into a
//! folder (each measure at its latest year, each file's columns checked first, so that a
//! foreign or damaged file is named), or any fact table and roster given to [`from_frames`]
//! (the synthetic demo data: `crate::demo::data`); the roster joins it as `gp` facts (its
//! GPs) and `professional_<profession>` facts (the others).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::ingest::cpam::{classify, Profession};
use crate::ingest::facts::read_parquet;

/// What the diagnostics read.
pub struct Data {
    /// The fact table, with the GP roster as `gp` facts.
    pub facts: DataFrame,
    /// What to say about its origin in every output.
    pub label: String,
    /// Indicators published already computed (Rezone exports), if the folder has any.
    pub published: Option<DataFrame>,
    /// The roster (`roster.parquet`, or the demo's), if there is one, every profession
    /// included: the projection's input (its GPs: `project::territory::gps_of`), also in
    /// `facts` (see [`roster_facts`]).
    pub roster: Option<DataFrame>,
    /// The year each measure is read at (its latest; a `_base` measure: the year before), for
    /// the sources a report cites and the period of a growth rate.
    pub years: BTreeMap<String, i32>,
}

/// The data of `dir` (written by `diagsante ingest`).
pub fn fact_table(dir: &Path) -> Result<Data> {
    let mut published: Option<DataFrame> = None;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
    let mut frames = Vec::new();
    let mut roster = None;
    for entry in entries {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.starts_with("facts-") && name.ends_with(".parquet") {
            let df = conform(read_parquet(&path)?, &path, "a fact table", &FACT_COLUMNS)?.select(COLUMNS)?;
            frames.push((name, df));
        } else if name == "roster.parquet" {
            roster = Some(conform(read_parquet(&path)?, &path, "a roster", &ROSTER_COLUMNS)?);
        } else if name.starts_with("rezone-") && name.ends_with(".parquet") {
            let df = conform(read_parquet(&path)?, &path, "a Rezone export", &REZONE_COLUMNS)?;
            match &mut published {
                Some(p) => {
                    p.vstack_mut(&df)?;
                }
                None => published = Some(df),
            }
        }
    }
    if frames.is_empty() {
        return Err(Error::input(
            Location::file(dir.display().to_string()),
            "no facts-*.parquet in this folder",
            "fill it with `diagsante ingest … --out` first",
        ));
    }
    frames.sort_by(|a, b| a.0.cmp(&b.0));
    from_frames(merge_files(frames, dir)?, roster, format!("données de {}", dir.display()), published)
}

/// The data the diagnostics read from a fact table (each measure at its latest year, see
/// [`by_period`]) and a roster (joining it as `gp` facts at the table's latest year), with the
/// label every output carries and the published indicators, if any.
pub fn from_frames(facts: DataFrame, roster: Option<DataFrame>, label: String, published: Option<DataFrame>) -> Result<Data> {
    let year = facts.column("year")?.i32()?.max().unwrap_or(2023);
    let (mut facts, mut years) = by_period(facts)?;
    if let Some(roster) = &roster {
        let gp = roster_facts(roster, year)?;
        years.insert("gp".into(), year);
        years.insert("gp_by_age".into(), year);
        for m in gp.column("measure")?.unique()?.str()?.iter().flatten() {
            years.insert(m.to_owned(), year);
        }
        let gp = gp.lazy().with_columns([col("age_min").cast(facts.column("age_min")?.dtype().clone()), col("age_max").cast(facts.column("age_max")?.dtype().clone())]).collect()?;
        facts = facts.vstack(&gp.select(COLUMNS)?)?;
    }
    Ok(Data { facts, label, published, years, roster })
}

/// The facts of several files as one table. Two files may give the same fact (an INSEE
/// evolution base and the comparateur de territoires both give P21_POP): kept once when they
/// agree, refused when they differ, naming both files.
fn merge_files(frames: Vec<(String, DataFrame)>, dir: &Path) -> Result<DataFrame> {
    let keys = ["geo", "year", "measure", "sex", "age_min", "age_max"];
    let mut all: Option<DataFrame> = None;
    for (name, df) in &frames {
        let tagged = df.clone().lazy().with_column(lit(name.as_str()).alias("file")).collect()?;
        match &mut all {
            Some(a) => {
                a.vstack_mut(&tagged)?;
            }
            None => all = Some(tagged),
        }
    }
    let Some(all) = all else { return Err(Error::Internal("no fact file".into())) };
    if frames.len() == 1 {
        return Ok(all.drop("file")?);
    }
    // The same key and value from two files is one fact.
    let distinct = all
        .lazy()
        .group_by(keys.map(col))
        .agg([col("value").n_unique().alias("values"), col("value").first(), col("file").first().alias("first"), col("file").last().alias("last")])
        .collect()?;
    let conflicts = distinct.clone().lazy().filter(col("values").gt(lit(1u32))).limit(1).collect()?;
    if conflicts.height() > 0 {
        let text = |c: &str| conflicts.column(c).ok().and_then(|c| c.get(0).ok()).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default();
        return Err(Error::input(
            Location::file(dir.display().to_string()),
            format!("{} and {} give different values of «{}» for {} ({})", text("first"), text("last"), text("measure"), text("geo"), text("year")),
            "keep one of the two files in the folder, or ingest the right version again",
        ));
    }
    Ok(distinct.select(["geo", "year", "measure", "sex", "age_min", "age_max", "value"])?)
}

/// The columns of the fact table the diagnostics read.
const COLUMNS: [&str; 7] = ["geo", "year", "measure", "sex", "age_min", "age_max", "value"];

/// Each measure at its latest year (an INSEE base gives P21_POP and P15_POP side by side, and
/// the indicators must not add two censuses together); the year before it, for a measure
/// given for several, is kept too, as `<measure>_base` (the start of a growth rate: 2015 for
/// 2021, even if 2010 is given too), unless the data names such a measure itself. Returns the
/// facts and the year of each measure (of `_base` measures: their earlier year).
pub fn by_period(facts: DataFrame) -> Result<(DataFrame, BTreeMap<String, i32>)> {
    let facts = facts.lazy().with_column(col("year").cast(DataType::Int32)).collect()?;
    let spans = facts
        .clone()
        .lazy()
        .group_by([col("measure")])
        .agg([col("year").max().alias("latest")])
        .collect()?;
    // The year before the latest, per measure.
    let before = facts
        .clone()
        .lazy()
        .join(spans.clone().lazy(), [col("measure")], [col("measure")], JoinArgs::new(JoinType::Inner))
        .filter(col("year").lt(col("latest")))
        .group_by([col("measure")])
        .agg([col("year").max().alias("earliest")]);
    let spans = spans.lazy().join(before, [col("measure")], [col("measure")], JoinArgs::new(JoinType::Left)).collect()?;
    let names: Vec<String> = spans.column("measure")?.str()?.iter().map(|m| m.unwrap_or_default().to_owned()).collect();
    let (latest, earliest) = (spans.column("latest")?.i32()?, spans.column("earliest")?.i32()?);
    let mut years = BTreeMap::new();
    let mut based = Vec::new();
    for (i, m) in names.iter().enumerate() {
        let Some(l) = latest.get(i) else { continue };
        years.insert(m.clone(), l);
        let Some(e) = earliest.get(i) else { continue };
        let base = format!("{m}_base");
        if e < l && !names.contains(&base) {
            years.insert(base, e);
            based.push(m.clone());
        }
    }
    let joined = facts.lazy().join(spans.lazy(), [col("measure")], [col("measure")], JoinArgs::new(JoinType::Inner));
    let now = joined.clone().filter(col("year").eq(col("latest"))).select(COLUMNS.map(col)).collect()?;
    let based = Series::new("based".into(), based);
    let mut before = joined
        .filter(col("year").eq(col("earliest")).and(col("year").lt(col("latest"))).and(col("measure").is_in(lit(based).implode(false), false)))
        .select(COLUMNS.map(col))
        .collect()?;
    let renamed: Vec<String> = before.column("measure")?.str()?.iter().map(|m| format!("{}_base", m.unwrap_or_default())).collect();
    before.replace("measure", Column::new("measure".into(), renamed))?;
    Ok((now.vstack(&before)?, years))
}

/// The roster as facts, for the indicators: `gp` counts every GP (sex `all`, no age, so
/// that a GP of unknown sex or birth year still counts in the density), `gp_by_age` the GPs
/// of known birth year by age at `year` (sex `all`: no catalogue indicator splits GPs by sex,
/// and mixing known and unknown sexes would make `all` rows ambiguous). The roster itself
/// keeps each GP's sex. Rows of another profession (see [`classify`]) are counted the same
/// way as `professional_<profession>` and `professional_<profession>_by_age`, never as GPs; a
/// roster without a `profession` column is all GPs.
pub fn roster_facts(roster: &DataFrame, year: i32) -> Result<DataFrame> {
    let geo = roster.column("geo")?.str()?;
    let birth = roster.column("birth_year")?.i32()?;
    let profession = roster.column("profession").ok().map(|c| c.str()).transpose()?;
    let label = |i: usize| profession.map(|p| p.get(i).unwrap_or_default());
    // The measures of each distinct label, classified once.
    let mut names: HashMap<Option<&str>, (String, String)> = HashMap::new();
    for i in 0..roster.height() {
        names.entry(label(i)).or_insert_with(|| match label(i).map_or(Profession::Gp, classify) {
            Profession::Gp => ("gp".to_owned(), "gp_by_age".to_owned()),
            Profession::Other(slug) => (format!("professional_{slug}"), format!("professional_{slug}_by_age")),
        });
    }
    let (mut g, mut m, mut a) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..roster.height() {
        let Some(code) = geo.get(i) else { continue };
        let Some((count, by_age)) = names.get(&label(i)) else { continue };
        g.push(code.to_owned());
        m.push(count.as_str());
        a.push(None);
        if let Some(age) = birth.get(i).and_then(|b| u32::try_from(year - b).ok()) {
            g.push(code.to_owned());
            m.push(by_age.as_str());
            a.push(Some(age));
        }
    }
    let n = g.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("geo".into(), g),
        Column::new("year".into(), vec![year; n]),
        Column::new("measure".into(), m),
        Column::new("sex".into(), vec!["all"; n]),
        Column::new("age_min".into(), a.clone()),
        Column::new("age_max".into(), a),
        Column::new("value".into(), vec![Some(1.0); n]),
    ])?)
}

/// What a column of a parquet file holds, and the type it is read as.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    /// Whole numbers, read as i32 (years).
    Year,
    /// Whole numbers ≥ 0, read as u32 (ages).
    Age,
    /// Any number, read as f64.
    Number,
}

impl Kind {
    fn accepts(self, dtype: &DataType) -> bool {
        dtype.is_null()
            || match self {
                Kind::Text => matches!(dtype, DataType::String),
                Kind::Year | Kind::Age => dtype.is_integer(),
                Kind::Number => dtype.is_primitive_numeric(),
            }
    }

    fn dtype(self) -> DataType {
        match self {
            Kind::Text => DataType::String,
            Kind::Year => DataType::Int32,
            Kind::Age => DataType::UInt32,
            Kind::Number => DataType::Float64,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Year => "whole numbers",
            Kind::Age => "whole numbers ≥ 0",
            Kind::Number => "numbers",
        }
    }
}

/// The columns of a fact file (name, kind, required).
const FACT_COLUMNS: [(&str, Kind, bool); 7] = [
    ("geo", Kind::Text, true),
    ("year", Kind::Year, true),
    ("measure", Kind::Text, true),
    ("sex", Kind::Text, true),
    ("age_min", Kind::Age, true),
    ("age_max", Kind::Age, true),
    ("value", Kind::Number, true),
];

/// The columns of `roster.parquet`; a roster without `profession` is all GPs.
const ROSTER_COLUMNS: [(&str, Kind, bool); 7] = [
    ("id", Kind::Text, true),
    ("geo", Kind::Text, true),
    ("birth_year", Kind::Year, true),
    ("profession", Kind::Text, false),
    ("sex", Kind::Text, false),
    ("activity", Kind::Number, false),
    ("installation_year", Kind::Year, false),
];

/// The columns of a `rezone-*.parquet` (see `ingest::rezone`).
const REZONE_COLUMNS: [(&str, Kind, bool); 8] = [
    ("indicator", Kind::Text, true),
    ("territory", Kind::Text, true),
    ("value", Kind::Number, true),
    ("count", Kind::Number, true),
    ("departement", Kind::Number, true),
    ("region", Kind::Number, true),
    ("france", Kind::Number, true),
    ("source", Kind::Text, true),
];

/// `df` (read from `path`, expected to be `what`) with `columns` checked and cast to the types
/// the diagnostics read, so that a foreign or damaged file is refused naming the file and the
/// column instead of failing deep inside a computation.
fn conform(mut df: DataFrame, path: &Path, what: &str, columns: &[(&str, Kind, bool)]) -> Result<DataFrame> {
    let at = |column: &str| Location { column: Some(column.to_owned()), ..Location::file(path.display().to_string()) };
    let hint = "files in a --data folder are written by `diagsante ingest`: ingest the source table again into this folder, \
                or move this file out of it";
    let present: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    let missing: Vec<&str> = columns.iter().filter(|(name, _, required)| *required && !present.iter().any(|p| p == name)).map(|c| c.0).collect();
    if let Some(first) = missing.first() {
        let also = if missing.len() > 1 { format!(" (nor {})", missing[1..].join(", ")) } else { String::new() };
        return Err(Error::input(
            at(first),
            format!("not {what}: no column «{first}»{also}; its columns are: {}", present.join(", ")),
            hint,
        ));
    }
    for &(name, kind, _) in columns {
        let Ok(column) = df.column(name) else { continue };
        let dtype = column.dtype().clone();
        if !kind.accepts(&dtype) {
            return Err(Error::input(at(name), format!("column «{name}» holds {dtype}, not {}", kind.describe()), hint));
        }
        if dtype != kind.dtype() {
            let cast = column.strict_cast(&kind.dtype()).map_err(|_| {
                Error::input(at(name), format!("column «{name}» has values that are not {} (or too large)", kind.describe()), hint)
            })?;
            df.replace(name, cast)?;
        }
    }
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rows: &[(&str, i32, &str, f64)]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; rows.len()]),
            Column::new("age_min".into(), vec![None::<u32>; rows.len()]),
            Column::new("age_max".into(), vec![None::<u32>; rows.len()]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
        ])
        .unwrap()
    }

    fn sum(df: &DataFrame, measure: &str) -> f64 {
        let out = df.clone().lazy().filter(col("measure").eq(lit(measure))).select([col("value").sum()]).collect().unwrap();
        out.column("value").unwrap().f64().unwrap().get(0).unwrap_or(0.0)
    }

    #[test]
    fn the_latest_year_is_read_and_the_one_before_starts_the_growth() {
        let df = facts(&[
            ("a", 2021, "population", 100.0),
            ("a", 2015, "population", 90.0),
            ("a", 2010, "population", 80.0),
            ("a", 2021, "c2s", 7.0),
        ]);
        let (out, years) = by_period(df).unwrap();
        assert_eq!(sum(&out, "population"), 100.0, "one census, not three");
        assert_eq!(sum(&out, "population_base"), 90.0, "2015, the census before 2021, not 2010");
        assert_eq!(years.get("population"), Some(&2021));
        assert_eq!(years.get("population_base"), Some(&2015));
        assert_eq!(sum(&out, "c2s"), 7.0);
        assert!(!years.contains_key("c2s_base"));
    }

    #[test]
    fn a_base_measure_given_by_the_data_is_not_replaced() {
        let df = facts(&[("a", 2023, "population", 100.0), ("a", 2017, "population_base", 97.0), ("a", 2022, "population", 99.0)]);
        let (out, years) = by_period(df).unwrap();
        assert_eq!(sum(&out, "population_base"), 97.0);
        assert_eq!(years.get("population_base"), Some(&2017));
        assert_eq!(sum(&out, "population"), 100.0);
    }

    #[test]
    fn the_same_fact_in_two_files_counts_once_and_two_values_are_refused() {
        let one = facts(&[("a", 2021, "population", 100.0), ("b", 2021, "population", 50.0)]);
        let two = facts(&[("a", 2021, "population", 100.0), ("a", 2021, "area_km2", 12.5)]);
        let merged = merge_files(vec![("facts-x.parquet".into(), one.clone()), ("facts-y.parquet".into(), two)], Path::new("d")).unwrap();
        assert_eq!(sum(&merged, "population"), 150.0);
        assert_eq!(sum(&merged, "area_km2"), 12.5);
        let other = facts(&[("a", 2021, "population", 101.0)]);
        let e = merge_files(vec![("facts-x.parquet".into(), one), ("facts-z.parquet".into(), other)], Path::new("d")).unwrap_err().to_string();
        assert!(e.contains("facts-x.parquet") && e.contains("facts-z.parquet") && e.contains("population"), "{e}");
    }

    #[test]
    fn only_the_rosters_gps_are_gp_facts() {
        let roster = DataFrame::new_infer_height(vec![
            Column::new("id".into(), ["a", "b", "c", "d"]),
            Column::new("profession".into(), ["Médecin généraliste", "Infirmier", "MG", "Infirmier"]),
            Column::new("geo".into(), ["x", "x", "x", "y"]),
            Column::new("birth_year".into(), [Some(1960), Some(1950), None, Some(1990)]),
        ])
        .unwrap();
        let f = roster_facts(&roster, 2024).unwrap();
        assert_eq!(sum(&f, "gp"), 2.0, "the nurses are not GPs");
        assert_eq!(sum(&f, "gp_by_age"), 1.0, "one GP of known birth year");
        assert_eq!(sum(&f, "professional_infirmier"), 2.0);
        assert_eq!(sum(&f, "professional_infirmier_by_age"), 2.0);
        // No profession column: a GP roster.
        let f = roster_facts(&roster.drop("profession").unwrap(), 2024).unwrap();
        assert_eq!(sum(&f, "gp"), 4.0);
    }

    #[test]
    fn a_parquet_file_without_its_columns_or_of_the_wrong_types_is_named() {
        let p = Path::new("d/facts-x.parquet");
        let good = facts(&[("a", 2021, "population", 100.0)]);
        let e = conform(good.drop("value").unwrap(), p, "a fact table", &FACT_COLUMNS).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(e.contains("d/facts-x.parquet, column value") && e.contains("no column «value»") && e.contains("diagsante ingest"), "{e}");
        let mut text_year = good.clone();
        text_year.replace("year", Column::new("year".into(), ["2021"])).unwrap();
        let e = conform(text_year, p, "a fact table", &FACT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("column year") && e.contains("«year» holds str, not whole numbers"), "{e}");
        let mut negative = good.clone();
        negative.replace("age_min", Column::new("age_min".into(), [Some(-5i64)])).unwrap();
        let e = conform(negative, p, "a fact table", &FACT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("column age_min") && e.contains("≥ 0"), "{e}");
        // Other integer and float widths are read as the diagnostics' types.
        let mut wide = good;
        wide.replace("year", Column::new("year".into(), [2021i64])).unwrap();
        wide.replace("value", Column::new("value".into(), [100i64])).unwrap();
        let ok = conform(wide, p, "a fact table", &FACT_COLUMNS).unwrap();
        assert_eq!(ok.column("year").unwrap().dtype(), &DataType::Int32);
        assert_eq!(ok.column("value").unwrap().dtype(), &DataType::Float64);
        assert_eq!(ok.column("age_min").unwrap().dtype(), &DataType::UInt32);
    }
}
