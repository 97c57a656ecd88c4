//! The fact table the diagnostics read: the synthetic demo data by default, or the parquet
//! files `diagsante ingest` wrote into a folder (each measure at its latest year); the GP
//! roster joins it as `gp` facts.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::geo::Referential;
use crate::ingest::demo::{DEFAULT_SEED, DEMO_LABEL};
use crate::ingest::demo_frames;
use crate::ingest::facts::read_parquet;

/// What the diagnostics read.
pub struct Data {
    /// The fact table, with the GP roster as `gp` facts.
    pub facts: DataFrame,
    /// What to say about its origin in every output.
    pub label: String,
    /// Indicators published already computed (Rezone exports), if the folder has any.
    pub published: Option<DataFrame>,
    /// The year each measure is read at (its latest), for the sources a report cites.
    pub years: BTreeMap<String, i32>,
}

/// The data of `dir` (written by `diagsante ingest`), or the synthetic demo data.
pub fn fact_table(dir: Option<&Path>, r: &Referential) -> Result<Data> {
    let mut published: Option<DataFrame> = None;
    let (facts, roster, label) = match dir {
        None => {
            let (facts, roster) = demo_frames::cached(r, DEFAULT_SEED)?;
            (facts, Some(roster), DEMO_LABEL.to_owned())
        }
        Some(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
            let mut frames = Vec::new();
            let mut roster = None;
            for entry in entries {
                let path = entry.map_err(|e| Error::read(dir, e))?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                if name.starts_with("facts-") && name.ends_with(".parquet") {
                    frames.push(read_parquet(&path)?.select(["geo", "year", "measure", "sex", "age_min", "age_max", "value"])?);
                } else if name == "roster.parquet" {
                    roster = Some(read_parquet(&path)?);
                } else if name.starts_with("rezone-") && name.ends_with(".parquet") {
                    let df = read_parquet(&path)?;
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
            let mut facts = frames.remove(0);
            for f in frames {
                facts.vstack_mut(&f)?;
            }
            (facts, roster, format!("données de {}", dir.display()))
        }
    };
    let year = facts.column("year")?.i32()?.max().unwrap_or(2023);
    let (mut facts, mut years) = by_period(facts)?;
    if let Some(roster) = roster {
        let gp = roster_facts(&roster, year)?;
        years.insert("gp".into(), year);
        years.insert("gp_by_age".into(), year);
        let gp = gp.lazy().with_columns([col("age_min").cast(facts.column("age_min")?.dtype().clone()), col("age_max").cast(facts.column("age_max")?.dtype().clone())]).collect()?;
        facts = facts.vstack(&gp.select(COLUMNS)?)?;
    }
    Ok(Data { facts, label, published, years })
}

/// The columns of the fact table the diagnostics read.
const COLUMNS: [&str; 7] = ["geo", "year", "measure", "sex", "age_min", "age_max", "value"];

/// Each measure at its latest year (an INSEE base gives P21_POP and P15_POP side by side, and
/// the indicators must not add two censuses together); the earliest year of a measure given
/// for several is kept too, as `<measure>_base` (the start of a growth rate), unless the data
/// names such a measure itself. Returns the facts and the year of each measure.
pub fn by_period(facts: DataFrame) -> Result<(DataFrame, BTreeMap<String, i32>)> {
    let facts = facts.lazy().with_column(col("year").cast(DataType::Int32)).collect()?;
    let spans = facts
        .clone()
        .lazy()
        .group_by([col("measure")])
        .agg([col("year").max().alias("latest"), col("year").min().alias("earliest")])
        .collect()?;
    let names: Vec<String> = spans.column("measure")?.str()?.iter().map(|m| m.unwrap_or_default().to_owned()).collect();
    let (latest, earliest) = (spans.column("latest")?.i32()?, spans.column("earliest")?.i32()?);
    let mut years = BTreeMap::new();
    let mut based = Vec::new();
    for (i, m) in names.iter().enumerate() {
        let (Some(l), Some(e)) = (latest.get(i), earliest.get(i)) else { continue };
        years.insert(m.clone(), l);
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

/// The GP roster as facts, for the indicators: `gp` counts every GP (sex `all`, no age, so
/// that a GP of unknown sex or birth year still counts in the density), `gp_by_age` the GPs
/// of known birth year by age at `year` (sex `all`: no catalogue indicator splits GPs by sex,
/// and mixing known and unknown sexes would make `all` rows ambiguous). The roster itself
/// keeps each GP's sex.
pub fn roster_facts(roster: &DataFrame, year: i32) -> Result<DataFrame> {
    let geo = roster.column("geo")?.str()?;
    let birth = roster.column("birth_year")?.i32()?;
    let (mut g, mut m, mut a) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..roster.height() {
        let Some(code) = geo.get(i) else { continue };
        g.push(code.to_owned());
        m.push("gp");
        a.push(None);
        if let Some(age) = birth.get(i).and_then(|b| u32::try_from(year - b).ok()) {
            g.push(code.to_owned());
            m.push("gp_by_age");
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
