//! The commune file of rcarlier/datas.fun (`France/communes.csv`), a faithful derived copy of
//! INSEE's *Base du comparateur de territoires* (edition of 27 June 2024: census 2021 and
//! 2015, état civil 2022) on the *Code officiel géographique* 2024, joined by its author with
//! La Poste's *Base officielle des codes postaux* and commune centroids:
//!
//! ```text
//! insee_com,insee_reg,insee_dep,commune,commune_article,code_postal,commune_type,insee_parente,lat,lng,superficie_km2,population_2021,population_2015,menages_2021,naissances_2022,deces_2022,pop_15_64_totale_2021,pop_15_64_chomage_2021,pop_15_64_active_2021
//! 01001,84,01,Abergement-Clémenciat,L'Abergement-Clémenciat,01400,COM,,46.1517,4.9306,15.95,832,767,341,8,5,508,27,417
//! ```
//!
//! One row per commune **per postal code**: a commune with several postal codes repeats its
//! figures, read once (the repeated rows must agree). `commune_type` `COM` (commune) and
//! `ARM` (municipal arrondissement of Paris, Lyon, Marseille, given instead of their city) are
//! read; `COMD` rows (communes déléguées, with `insee_parente`) repeat their commune's figures
//! under the same code and are skipped; a commune of 2024 merged since into a commune nouvelle
//! is added to it (`FactSink::former_communes_add_up`). The year of each count is its column's suffix
//! (`population_2021`); the area (`superficie_km2`, the comparateur's `SUPERF`) takes the
//! latest census year, as in the INSEE reader. A row whose area is empty and whose census
//! counts are all 0 has no census figures (the 17 communes of Mayotte, whose census is not in
//! the comparateur's 2021 columns; the copy wrote 0 for the empty cells): its census counts are
//! left out, never read as zeros, and its births and deaths (état civil) are read. The
//! centroids (`lat`, `lng`) are not facts: they are listed as not used (a later reader of
//! coordinates may take them).

use std::collections::HashMap;

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::{Cell, TextTable};

/// The columns that tell this layout apart (with the code column `insee_com`).
pub const CODE: &[&str] = &["insee_com"];
pub const TYPE: &[&str] = &["commune_type"];
pub const AREA: &[&str] = &["superficie_km2"];
pub const POPULATION: &[&str] = &["population_2021", "population_2022", "population_2020", "population_2019"];

/// The publisher and the dataset cited for every value read (the derived copy is named too).
pub const PUBLISHER: &str = "INSEE";
pub const DATASET: &str = "comparateur de territoires (via datas.fun)";

/// A column prefix, its measure, ages and whether it comes from the census.
type Count = (&'static str, &'static str, Option<(u32, u32)>, bool);

/// What a count column measures: its prefix (before `_<year>`) → (measure, ages, whether it
/// comes from the census; births and deaths come from the état civil).
const COUNTS: [Count; 7] = [
    ("population", "population", None, true),
    ("menages", "households", None, true),
    ("naissances", "births", None, false),
    ("deces", "deaths_all_causes", None, false),
    ("pop_15_64_totale", "population", Some((15, 64)), true),
    ("pop_15_64_chomage", "unemployed_15_64", Some((15, 64)), true),
    ("pop_15_64_active", "active_15_64", Some((15, 64)), true),
];

/// A count column of the file: its name, year, measure and ages.
struct CountColumn {
    name: String,
    year: i32,
    measure: &'static str,
    ages: Option<(u32, u32)>,
    census: bool,
}

/// `population_2021` → population 2021; `None` for a column that is not a count of the layout.
fn count_column(name: &str) -> Option<CountColumn> {
    let lower = name.trim().to_ascii_lowercase();
    let (prefix, year) = lower.rsplit_once('_')?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (_, measure, ages, census) = COUNTS.iter().find(|(p, _, _, _)| *p == prefix)?;
    Some(CountColumn { name: name.to_owned(), year: year.parse().ok()?, measure, ages: *ages, census: *census })
}

/// The counts of one commune that exceed the count they are part of, in the same year: the
/// population aged 15-64 above the population, the active above the population aged 15-64,
/// the households above the population. The file is read as published (these are INSEE's
/// figures as its copy gives them), but each such pair is said, since a territory's sums
/// carry them: in the 2024 file, Beaumont-les-Nonains (60054) has 571 people aged 15-64 and 357
/// households for 335 inhabitants. One note per pair: how many communes, and the first three.
fn parts_above_their_whole(table: &TextTable, counts: &[CountColumn], values: &[Vec<Cell>], codes: &[String], types: &[String]) -> Vec<String> {
    /// A count of the file: its measure and ages.
    type Term = (&'static str, Option<(u32, u32)>);
    const PAIRS: [(Term, Term, &str); 3] = [
        (("population", Some((15, 64))), ("population", None), "people aged 15-64 above the population"),
        (("active_15_64", Some((15, 64))), ("population", Some((15, 64))), "active aged 15-64 above the people aged 15-64"),
        (("households", None), ("population", None), "households above the population"),
    ];
    let find = |(m, ages): Term, year: i32| counts.iter().position(|c| c.measure == m && c.ages == ages && c.year == year);
    let mut notes = Vec::new();
    for (part, whole, what) in PAIRS {
        for (p, c) in counts.iter().enumerate().filter(|(_, c)| c.measure == part.0 && c.ages == part.1) {
            let Some(w) = find(whole, c.year) else { continue };
            let mut seen = std::collections::HashSet::new();
            let found: Vec<String> = (0..table.height())
                .filter(|&r| matches!(types[r].to_ascii_uppercase().as_str(), "COM" | "ARM") && seen.insert(codes[r].as_str()))
                .filter_map(|r| match (values[p][r], values[w][r]) {
                    (Cell::Value(x), Cell::Value(y)) if x > y => Some(format!("{} (line {}: {x} > {y})", codes[r], table.line_of(r))),
                    _ => None,
                })
                .collect();
            if !found.is_empty() {
                let first: Vec<&str> = found.iter().take(3).map(String::as_str).collect();
                notes.push(format!(
                    "{} commune(s) with {what} in {} ({} against {}): {}{}; read as published, check them before quoting a territory that holds them",
                    found.len(),
                    c.year,
                    c.name,
                    counts[w].name,
                    first.join(", "),
                    if found.len() > 3 { ", …" } else { "" }
                ));
            }
        }
    }
    notes
}

/// Read the commune file into `sink` (see the module documentation).
pub fn read(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source(PUBLISHER, DATASET));
    // Each COM row is a commune of the COG 2024: one merged since into a commune nouvelle
    // adds to it (its délégués, the COMD rows, are skipped).
    sink.former_communes_add_up();
    let code_col = table.require_column("commune code", CODE)?;
    let type_col = table.require_column("commune type", TYPE)?;
    let area_col = table.find_column(AREA);
    let codes = table.texts(&code_col)?;
    let types = table.texts(&type_col)?;
    let mut counts = Vec::new();
    for name in table.column_names() {
        if name == code_col || name == type_col || Some(&name) == area_col.as_ref() {
            continue;
        }
        match count_column(&name) {
            Some(c) => counts.push(c),
            None => {
                sink.summary.ignored_columns.insert(name);
            }
        }
    }
    if counts.is_empty() {
        return Err(Error::input(
            Location::file(&table.file),
            "no count column found (such as population_2021, deces_2022)",
            "give the commune file as published (France/communes.csv of datas.fun)",
        ));
    }
    let census = counts.iter().filter(|c| c.measure == "population").map(|c| c.year).max();
    let values: Vec<Vec<Cell>> = counts.iter().map(|c| table.counts(&c.name)).collect::<Result<_>>()?;
    let area = area_col.as_ref().map(|a| table.numbers(a)).transpose()?;
    if let Some(row) = area.as_ref().and_then(|a| a.iter().position(|c| matches!(c, Cell::Value(v) if *v < 0.0))) {
        let col = area_col.as_deref().unwrap_or_default();
        return Err(Error::input(Location::file(&table.file).at(table.line_of(row), col), "negative area", "check the area column of this row"));
    }
    // The unemployed are counted among the active of the same year.
    for (u, c) in counts.iter().enumerate().filter(|(_, c)| c.measure == "unemployed_15_64") {
        let Some(a) = counts.iter().position(|x| x.measure == "active_15_64" && x.year == c.year) else { continue };
        if let Some(row) = (0..table.height()).find(|&r| matches!((values[u][r], values[a][r]), (Cell::Value(x), Cell::Value(y)) if x > y)) {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), c.name.as_str()),
                format!("{} unemployed above the {} active", values[u][row].value().unwrap_or_default(), values[a][row].value().unwrap_or_default()),
                "the unemployed are counted among the active: check both columns",
            ));
        }
    }
    sink.summary.notes.extend(parts_above_their_whole(table, &counts, &values, &codes, &types));
    sink.summary.rows += table.height();
    // The first row of each code, to read it once and check its repetitions against it.
    let mut first: HashMap<&str, usize> = HashMap::new();
    let (mut delegated, mut empty, mut repeated) = (0usize, Vec::new(), 0usize);
    for row in 0..table.height() {
        let at = |col: &str| Location::file(&table.file).at(table.line_of(row), col);
        match types[row].to_ascii_uppercase().as_str() {
            "COM" | "ARM" => {}
            "COMD" => {
                delegated += 1;
                continue;
            }
            other => {
                return Err(Error::input(
                    at(&type_col),
                    format!("«{other}» is not a commune type of this file"),
                    "the file's types are COM (commune), ARM (municipal arrondissement) and COMD (commune déléguée)",
                ))
            }
        }
        let code = codes[row].as_str();
        if let Some(&earlier) = first.get(code) {
            let differs = values.iter().enumerate().find(|(_, v)| v[row] != v[earlier]).map(|(i, _)| counts[i].name.as_str());
            let differs = differs.or_else(|| area.as_ref().filter(|a| a[row] != a[earlier]).and(area_col.as_deref()));
            if let Some(col) = differs {
                return Err(Error::input(
                    at(col),
                    format!("commune {code} is repeated (one row per postal code) with another value than on line {}", table.line_of(earlier)),
                    "the rows of one commune must repeat the same figures: check this file against its source",
                ));
            }
            repeated += 1;
            continue;
        }
        first.insert(code, row);
        let no_area = area.as_ref().is_some_and(|a| a[row] == Cell::Missing);
        let no_census = no_area && counts.iter().zip(&values).filter(|(c, _)| c.census).all(|(_, v)| matches!(v[row], Cell::Value(x) if x == 0.0));
        if no_census {
            empty.push(code.to_owned());
        }
        for (c, cells) in counts.iter().zip(&values) {
            if no_census && c.census {
                continue;
            }
            let key = CellKey::count(c.year, c.measure).ages(c.ages.map(|a| a.0), c.ages.map(|a| a.1));
            sink.push(code, Level::Commune, key, cells[row], &at(&code_col))?;
        }
        if let (Some(area), Some(year), false) = (&area, census, no_census) {
            sink.push(code, Level::Commune, CellKey::count(year, "area_km2"), area[row], &at(&code_col))?;
        }
    }
    if repeated > 0 {
        sink.summary.notes.push(format!("{repeated} rows repeat a commune for another postal code: read once (their figures agree)"));
    }
    if delegated > 0 {
        sink.summary
            .notes
            .push(format!("{delegated} rows of communes déléguées (COMD) skipped: they repeat the figures of their commune, read from its own row"));
    }
    if !empty.is_empty() {
        sink.summary.notes.push(format!(
            "{} communes without census figures (area empty, every census count 0): their census counts left out, not read as zeros, their births and deaths read: {}",
            empty.len(),
            empty.join(", ")
        ));
    }
    if sink.summary.ignored_columns.iter().any(|c| c.eq_ignore_ascii_case("lat")) {
        sink.summary.notes.push("the centroids (lat, lng) are not facts: not read".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::{realdata, Encoding};
    use polars::prelude::*;

    /// The value of one cell of a fact table.
    fn fact(df: &DataFrame, geo: &str, year: i32, measure: &str, age_min: Option<u32>) -> Option<Option<f64>> {
        let out = df
            .clone()
            .lazy()
            .filter(col("geo").eq(lit(geo)).and(col("year").eq(lit(year))).and(col("measure").eq(lit(measure))).and(match age_min {
                Some(a) => col("age_min").eq(lit(a)),
                None => col("age_min").is_null(),
            }))
            .collect()
            .unwrap();
        (out.height() == 1).then(|| out.column("value").unwrap().f64().unwrap().get(0))
    }

    fn read_text(text: &str) -> Result<(DataFrame, crate::ingest::Summary)> {
        let r = Referential::embedded().unwrap();
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "communes.csv")?;
        let mut sink = FactSink::new(&r, "communes.csv", false);
        read(&t, &mut sink)?;
        sink.finish()
    }

    const HEADER: &str = "insee_com,insee_reg,insee_dep,commune,commune_article,code_postal,commune_type,insee_parente,lat,lng,superficie_km2,\
                          population_2021,population_2015,menages_2021,naissances_2022,deces_2022,pop_15_64_totale_2021,pop_15_64_chomage_2021,pop_15_64_active_2021";

    #[test]
    fn repeated_rows_are_read_once_delegated_and_empty_communes_left_out() {
        let text = format!(
            "{HEADER}\n\
             01001,84,01,Abergement-Clémenciat,L'Abergement-Clémenciat,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,508,27,417\n\
             01015,84,01,Arboys en Bugey,Arboys en Bugey,01300,COM,,45.72,5.64,22.49,667,637,303,2,3,394,39,307\n\
             01015,84,01,Arboys en Bugey,Arboys en Bugey,01301,COM,,45.72,5.64,22.49,667,637,303,2,3,394,39,307\n\
             01015,,,Arbignieu,Arbignieu,01300,COMD,01015,45.71,5.64,22.49,667,637,303,2,3,394,39,307\n\
             75101,11,75,Paris 1er Arrondissement,Paris 1er Arrondissement,75001,ARM,75056,48.86,2.33,1.83,15917,17100,9610,120,110,11500,700,9000\n\
             97601,06,976,Acoua,Acoua,97630,COM,,-12.72,45.06,,0,0,0,163,24,0,0,0\n"
        );
        let (df, summary) = read_text(&text).unwrap();
        assert_eq!(fact(&df, "01001", 2021, "area_km2", None), Some(Some(15.95)));
        assert_eq!(fact(&df, "01015", 2021, "population", None), Some(Some(667.0)), "read once, not thrice");
        assert_eq!(fact(&df, "01001", 2015, "population", None), Some(Some(767.0)));
        assert_eq!(fact(&df, "01001", 2021, "population", Some(15)), Some(Some(508.0)));
        assert_eq!(fact(&df, "01001", 2022, "deaths_all_causes", None), Some(Some(5.0)));
        assert_eq!(fact(&df, "01001", 2022, "births", None), Some(Some(8.0)));
        assert_eq!(fact(&df, "01001", 2021, "households", None), Some(Some(341.0)));
        assert_eq!(fact(&df, "01001", 2021, "unemployed_15_64", Some(15)), Some(Some(27.0)));
        assert_eq!(fact(&df, "75101", 2021, "active_15_64", Some(15)), Some(Some(9000.0)));
        assert_eq!(fact(&df, "97601", 2021, "population", None), None, "no census figures: left out");
        assert_eq!(fact(&df, "97601", 2021, "area_km2", None), None);
        assert_eq!(fact(&df, "97601", 2022, "deaths_all_causes", None), Some(Some(24.0)), "the état civil's deaths are read");
        assert_eq!(summary.rows, 6);
        let notes = summary.notes.join("\n");
        assert!(notes.contains("1 rows repeat") && notes.contains("1 rows of communes déléguées") && notes.contains("97601"), "{notes}");
        assert!(summary.ignored_columns.contains("lat") && summary.ignored_columns.contains("code_postal"), "{:?}", summary.ignored_columns);
        let publisher: Vec<&str> = df.column("publisher").unwrap().str().unwrap().iter().flatten().collect();
        assert!(publisher.iter().all(|p| *p == "INSEE"));
    }

    #[test]
    fn disagreeing_repetitions_and_unknown_types_are_refused() {
        let text = format!(
            "{HEADER}\n01001,84,01,A,A,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,508,27,417\n\
             01001,84,01,A,A,01401,COM,,46.15,4.93,15.95,833,767,341,8,5,508,27,417\n"
        );
        let e = read_text(&text).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("population_2021") && e.contains("line 2"), "{e}");
        let text = format!("{HEADER}\n01001,84,01,A,A,01400,XYZ,,46.15,4.93,15.95,832,767,341,8,5,508,27,417\n");
        let e = read_text(&text).unwrap_err().to_string();
        assert!(e.contains("line 2, column commune_type") && e.contains("XYZ"), "{e}");
        let text = format!("{HEADER}\n01001,84,01,A,A,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,508,427,417\n");
        let e = read_text(&text).unwrap_err().to_string();
        assert!(e.contains("pop_15_64_chomage_2021") && e.contains("427 unemployed"), "{e}");
    }

    /// The real file: values checked by hand in it (the rows of 30003 Aigues-Mortes and 75101
    /// Paris 1er, quoted below).
    #[test]
    fn the_real_commune_file() {
        let Some(path) = realdata("geo/communes_france_2024_centroids_pop.csv") else { return };
        let r = Referential::embedded().unwrap();
        let tables = TextTable::read_all(&path, Encoding::Auto).unwrap();
        let t = tables.into_iter().next().unwrap().unwrap();
        assert_eq!(crate::ingest::layout::detect(&t).unwrap().name, "communes-file");
        let mut sink = FactSink::new(&r, "communes.csv", false);
        read(&t, &mut sink).unwrap();
        let (df, summary) = sink.finish().unwrap();
        assert_eq!(summary.rows, 36_208);
        // 30003,76,30,Aigues-Mortes,Aigues-Mortes,30220,COM,,43.54822,4.16057,57.78,8685,8385,3958,67,93,5017,588,3882
        assert_eq!(fact(&df, "30003", 2021, "area_km2", None), Some(Some(57.78)));
        assert_eq!(fact(&df, "30003", 2021, "population", None), Some(Some(8685.0)));
        assert_eq!(fact(&df, "30003", 2015, "population", None), Some(Some(8385.0)));
        assert_eq!(fact(&df, "30003", 2021, "households", None), Some(Some(3958.0)));
        assert_eq!(fact(&df, "30003", 2022, "births", None), Some(Some(67.0)));
        assert_eq!(fact(&df, "30003", 2022, "deaths_all_causes", None), Some(Some(93.0)));
        assert_eq!(fact(&df, "30003", 2021, "population", Some(15)), Some(Some(5017.0)));
        assert_eq!(fact(&df, "30003", 2021, "unemployed_15_64", Some(15)), Some(Some(588.0)));
        assert_eq!(fact(&df, "30003", 2021, "active_15_64", Some(15)), Some(Some(3882.0)));
        // Paris is given by arrondissement: 75101,11,75,Paris 1er Arrondissement,…,ARM,75056,…,1.83,15919,…; no 75056 row.
        assert_eq!(fact(&df, "75101", 2021, "population", None), Some(Some(15919.0)));
        assert_eq!(fact(&df, "75101", 2021, "area_km2", None), Some(Some(1.83)));
        assert_eq!(fact(&df, "75056", 2021, "population", None), None);
        let notes = summary.notes.join("\n");
        assert!(notes.contains("793 rows of communes déléguées"), "{notes}");
        assert!(notes.contains("17 communes without census figures") && notes.contains("97611"), "Mayotte: {notes}");
        // France (but Mayotte) in 2021: INSEE's census counts 67.4 million outside Mayotte.
        let total = |measure: &str, year: i32| -> f64 {
            let out = df
                .clone()
                .lazy()
                .filter(col("measure").eq(lit(measure)).and(col("year").eq(lit(year))).and(col("age_min").is_null()))
                .select([col("value").sum()])
                .collect()
                .unwrap();
            out.column("value").unwrap().f64().unwrap().get(0).unwrap()
        };
        assert_eq!(total("population", 2021), 67_406_310.0, "the sum of the file's COM and ARM rows, each code once");
        assert_eq!(total("deaths_all_causes", 2022), 672_845.0);
        // The 10 communes of the CPTS Camargue Gardoise: 406.49 km², as its pre-diagnostic.
        let camargue = ["30003", "30006", "30020", "30033", "30036", "30059", "30128", "30169", "30276", "30341"];
        let area: f64 = camargue.iter().map(|c| fact(&df, c, 2021, "area_km2", None).flatten().unwrap()).sum();
        assert!((area - 406.49).abs() < 1e-9, "{area}");
        // Beaumont-les-Nonains (60054, line 23365): 335 inhabitants, 571 aged 15-64, 357
        // households: read as published, and said.
        let notes = summary.notes.join("\n");
        assert!(notes.contains("with people aged 15-64 above the population in 2021") && notes.contains("60054 (line 23365: 571 > 335)"), "{notes}");
        assert!(notes.contains("with households above the population in 2021") && notes.contains("60054 (line 23365: 357 > 335)"), "{notes}");
        assert_eq!(fact(&df, "60054", 2021, "population", Some(15)), Some(Some(571.0)));
    }

    #[test]
    fn parts_above_their_whole_are_read_and_said() {
        // 01001: 900 aged 15-64 for 832 inhabitants; 01002: consistent; 01003: 950 active for
        // 508 aged 15-64 (and 40 unemployed: not above the active).
        let text = format!(
            "{HEADER}\n01001,84,01,A,A,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,900,27,417\n\
             01001,,,A2,A2,01400,COMD,01001,46.15,4.93,15.95,832,767,341,8,5,900,27,417\n\
             01002,84,01,B,B,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,508,27,417\n\
             01004,84,01,C,C,01400,COM,,46.15,4.93,15.95,832,767,341,8,5,508,40,950\n"
        );
        let (df, summary) = read_text(&text).unwrap();
        assert_eq!(fact(&df, "01001", 2021, "population", Some(15)), Some(Some(900.0)), "kept as published");
        let notes = summary.notes.join("\n");
        assert!(
            notes.contains("1 commune(s) with people aged 15-64 above the population in 2021 (pop_15_64_totale_2021 against population_2021): 01001 (line 2: 900 > 832);"),
            "the commune once, not its délégué: {notes}"
        );
        assert!(notes.contains("active aged 15-64 above the people aged 15-64") && notes.contains("01004 (line 5: 950 > 508)"), "{notes}");
        assert!(!notes.contains("households above"), "{notes}");
    }

    #[test]
    fn count_columns_are_named_by_prefix_and_year() {
        let c = count_column("pop_15_64_chomage_2021").unwrap();
        assert_eq!((c.year, c.measure, c.ages), (2021, "unemployed_15_64", Some((15, 64))));
        assert_eq!(count_column("population_2015").unwrap().year, 2015);
        for other in ["lat", "superficie_km2", "code_postal", "population_21", "commune"] {
            assert!(count_column(other).is_none(), "{other}");
        }
    }
}
