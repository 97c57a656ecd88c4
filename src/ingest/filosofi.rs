//! INSEE, Filosofi (Fichier localisé social et fiscal): income and poverty of households, by
//! commune (or EPCI, département, région: the level is read from the file name, `…_COM`,
//! `…_EPCI`, `…_DEP`, `…_REG`).
//!
//! ```text
//! CODGEO;LIBGEO;NBMEN19;NBPERS19;NBUC19;Q119;Q219;Q319;Q3_Q1;D119;…;D919;RD;S80S2019;GI19;PACT19;…   FILO2019_DISP_COM
//! CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;PIMP19;TP6019;…;D119;D919;RD19              base-cc-filosofi-2019
//! ```
//! The year is the columns' suffix (`19` → 2019); `RD` and `Q3_Q1` without one take the
//! file's. Tax households, persons and consumption units are counts; quartiles, deciles,
//! median, ratios, the Gini index and the shares of income are published values (€, %,
//! rapport, indice). The poverty rate (`TP60`, %) is published with one decimal; where the
//! persons are given, `persons_poor` = rate × persons / 100 is pushed as a count so that a
//! territory's rate is rebuilt from counts: being rounded from a rate with one decimal, an
//! EPCI's rate rebuilt so may differ from INSEE's by the rounding. Likewise the taxed
//! households from their share (`PIMP`). Values of declared income (`FILO…_DEC_…`) are
//! named `declared_…`. Empty cells are withheld (secret), never zero.
//!
//! The communes are those of the file's geography (FILO2019 lists Culoz and Béon, one
//! commune since): a commune merged since is read as part of its current commune, its counts
//! added, and the published values of a commune made of several withheld (a median of two
//! medians is not known). Paris, Lyon and Marseille, given whole and by arrondissement, are
//! kept by arrondissement.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::insee;
use crate::ingest::layout::{Detection, Options};
use crate::ingest::{Cell, TextTable};

const PLACE: &[&str] = &["CODGEO"];

/// What a Filosofi column gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Count,
    /// Published already computed, in this unit.
    Published(&'static str),
}

/// Columns by prefix (followed by the year's two digits), their measure and kind.
const COLUMNS: &[(&str, &str, Value)] = &[
    ("NBMENFISC", "tax_households", Value::Count),
    ("NBMEN", "tax_households", Value::Count),
    ("NBPERSMENFISC", "tax_persons", Value::Count),
    ("NBPERS", "tax_persons", Value::Count),
    ("NBUC", "consumption_units", Value::Count),
    ("MED", "median_income", Value::Published("€")),
    ("Q1", "income_q1", Value::Published("€")),
    ("Q2", "median_income", Value::Published("€")),
    ("Q3", "income_q3", Value::Published("€")),
    ("D1", "income_d1", Value::Published("€")),
    ("D2", "income_d2", Value::Published("€")),
    ("D3", "income_d3", Value::Published("€")),
    ("D4", "income_d4", Value::Published("€")),
    ("D6", "income_d6", Value::Published("€")),
    ("D7", "income_d7", Value::Published("€")),
    ("D8", "income_d8", Value::Published("€")),
    ("D9", "income_d9", Value::Published("€")),
    ("RD", "income_interdecile_ratio", Value::Published("rapport")),
    ("S80S20", "income_s80_s20_ratio", Value::Published("rapport")),
    ("GI", "gini_index", Value::Published("indice")),
    ("TP60", "poverty_rate", Value::Published("%")),
    ("PIMP", "taxed_households_share", Value::Published("%")),
    ("PMIMP", "taxed_households_share", Value::Published("%")),
    ("PACT", "income_share_activity", Value::Published("%")),
    ("PTSA", "income_share_wages", Value::Published("%")),
    ("PCHO", "income_share_unemployment_benefits", Value::Published("%")),
    ("PBEN", "income_share_self_employment", Value::Published("%")),
    ("PPEN", "income_share_pensions", Value::Published("%")),
    ("PPAT", "income_share_assets", Value::Published("%")),
    ("PPSOC", "income_share_social_benefits", Value::Published("%")),
    ("PPFAM", "income_share_family_benefits", Value::Published("%")),
    ("PPMINI", "income_share_minimum_benefits", Value::Published("%")),
    ("PPLOGT", "income_share_housing_benefits", Value::Published("%")),
    ("PIMPOT", "income_share_taxes", Value::Published("%")),
];

/// Columns published without a year: they take the file's.
const UNDATED: &[(&str, &str, Value)] =
    &[("Q3_Q1", "income_interquartile_range", Value::Published("€")), ("RD", "income_interdecile_ratio", Value::Published("rapport"))];

/// A Filosofi column: its measure, kind and year (`None` for the undated ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub measure: &'static str,
    pub value: Value,
    pub year: Option<i32>,
}

/// Map a column name to what it gives; `None` for a column not used.
pub fn column(name: &str) -> Option<Column> {
    let name = name.trim().to_ascii_uppercase();
    if let Some((_, measure, value)) = UNDATED.iter().find(|(n, _, _)| *n == name) {
        return Some(Column { measure, value: *value, year: None });
    }
    COLUMNS.iter().find_map(|(prefix, measure, value)| {
        let yy = name.strip_prefix(prefix)?;
        (yy.len() == 2 && yy.bytes().all(|b| b.is_ascii_digit())).then(|| Column {
            measure,
            value: *value,
            year: yy.parse::<i32>().ok().map(|y| 2000 + y),
        })
    })
}

/// A Filosofi table: CODGEO and its columns, no census column (the comparateur de
/// territoires, which has a few Filosofi columns among census ones, is another layout).
pub fn detect(t: &TextTable) -> Detection {
    let names = t.column_names();
    let filosofi = names.iter().any(|n| column(n).is_some_and(|c| matches!(c.measure, "tax_households" | "median_income" | "poverty_rate")));
    let census = names.iter().any(|n| insee::wide_column(n).is_some());
    // One check for both, so that a table without census columns is not called closer to
    // Filosofi for it.
    Detection::from_checks(&[
        (PLACE[0], t.find_column(PLACE).is_some()),
        ("NBMEN19 or NBMENFISC19, Q219 or MED19, TP6019 (and no census column)", filosofi && !census),
    ])
}

/// The level of a Filosofi file, from its name (`FILO2019_DISP_EPCI.csv`); communes by default.
fn level_of_name(path: &Path) -> Level {
    let name = path.file_stem().map(|n| n.to_string_lossy().to_ascii_uppercase()).unwrap_or_default();
    let has = |part: &str| name.split(['_', '-', '.', ' ']).any(|p| p == part);
    if has("EPCI") {
        Level::Epci
    } else if has("DEP") {
        Level::Departement
    } else if has("REG") {
        Level::Region
    } else {
        Level::Commune
    }
}

/// Read a Filosofi table into `sink`.
pub fn read(table: &TextTable, _options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "Filosofi"));
    let place = table.require_column("CODGEO (place code)", PLACE)?;
    let codes = table.texts(&place)?;
    let path = Path::new(&table.file);
    let level = level_of_name(path);
    let declared = path.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_uppercase().contains("_DEC"));
    let mut mapped: Vec<(String, Column)> = Vec::new();
    for name in table.column_names() {
        if name == place {
            continue;
        }
        match column(&name) {
            Some(c) => mapped.push((name, c)),
            None => {
                sink.summary.ignored_columns.insert(name);
            }
        }
    }
    let years: BTreeSet<i32> = mapped.iter().filter_map(|(_, c)| c.year).collect();
    let year = match (years.len(), years.first()) {
        (1, Some(&y)) => y,
        _ => {
            return Err(Error::input(
                Location::file(&table.file),
                format!("the Filosofi columns give {} years ({:?})", years.len(), years),
                "give one file per year, as INSEE publishes them",
            ))
        }
    };
    let name = |m: &str| {
        if declared && !matches!(m, "tax_households" | "tax_persons" | "consumption_units") {
            format!("declared_{m}")
        } else {
            m.to_owned()
        }
    };
    // Paris, Lyon and Marseille given whole and by arrondissement: the arrondissements are
    // kept (their counts would be counted twice with the whole commune's).
    let referential = sink.referential();
    let present: BTreeSet<&str> = codes.iter().map(|c| c.trim()).collect();
    let skipped: BTreeSet<String> = if level == Level::Commune {
        present
            .iter()
            .filter(|c| referential.has_arrondissements(c) && referential.base_units(c).iter().any(|u| present.contains(u.code.as_str())))
            .map(|c| (*c).to_owned())
            .collect()
    } else {
        BTreeSet::new()
    };
    let rows: Vec<usize> = (0..table.height()).filter(|&r| !skipped.contains(codes[r].trim())).collect();
    sink.summary.rows += table.height();
    let at = |row: usize| Location::file(&table.file).at(table.line_of(row), place.as_str());
    let mut columns: Vec<(String, Column, Vec<Cell>)> = Vec::new();
    for (col, c) in mapped {
        let cells = match c.value {
            Value::Count => table.counts(&col)?,
            Value::Published(_) => table.numbers(&col)?,
        };
        columns.push((col, c, cells));
    }
    // The rows by current place: a commune of the file's geography merged since into
    // another is one of its current commune's rows (INSEE lists the communes of one
    // geography, never a commune and its communes déléguées together).
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for &row in &rows {
        let written = crate::geo::canonical_code(&codes[row]).unwrap_or_else(|| codes[row].trim().to_owned());
        if let Some(first) = first_line.insert(written.clone(), table.line_of(row)) {
            return Err(Error::input(
                at(row),
                format!("{written} is given twice (first at line {first})"),
                "remove the duplicate row, or split the file by year",
            ));
        }
        let current = match (level, referential.resolve(&codes[row])) {
            (Level::Commune, Ok(resolved)) => {
                if let Some(remap) = &resolved.remap {
                    sink.summary.remapped.insert(remap.from.clone(), format!("{} ({})", resolved.code, remap.kind.label()));
                }
                resolved.code
            }
            // Other levels, and unknown codes (the sink lists them), as written.
            _ => codes[row].trim().to_owned(),
        };
        let i = *group_of.entry(current.clone()).or_insert_with(|| {
            groups.push((current, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(row);
    }
    // A count of several communes is their sum; a published value (a median, a rate) of
    // several cannot be combined: withheld.
    let combine = |cells: &dyn Fn(usize) -> Cell, members: &[usize], additive: bool| -> Cell {
        match members {
            [row] => cells(*row),
            _ if !additive => Cell::Missing,
            _ => members.iter().try_fold(0.0, |sum, &r| cells(r).value().map(|v| sum + v)).map_or(Cell::Missing, Cell::Value),
        }
    };
    for (_, c, cells) in &columns {
        for (current, members) in &groups {
            let key = match c.value {
                Value::Count => CellKey::count(year, name(c.measure)),
                Value::Published(unit) => CellKey::published(year, name(c.measure), unit),
            };
            let cell = combine(&|r| cells[r], members, c.value == Value::Count);
            sink.push(current, level, key, cell, &at(members[0]))?;
        }
    }
    // Counts rebuilt from a published share of a published count, where both columns are,
    // commune by commune of the file before they are added up.
    let find = |measure: &str| columns.iter().find(|(_, c, _)| c.measure == measure).map(|(_, _, cells)| cells);
    let rebuilt = [("poverty_rate", "tax_persons", "persons_poor"), ("taxed_households_share", "tax_households", "households_taxed")];
    for (share, base, measure) in rebuilt {
        let (Some(shares), Some(bases)) = (find(share), find(base)) else { continue };
        let product = |row: usize| match (shares[row], bases[row]) {
            (Cell::Value(s), Cell::Value(b)) => Cell::Value(s * b / 100.0),
            _ => Cell::Missing,
        };
        for (current, members) in &groups {
            sink.push(current, level, CellKey::count(year, name(measure)), combine(&product, members, true), &at(members[0]))?;
        }
        sink.summary.notes.push(format!(
            "{measure} = {share} × {base} / 100, a count rebuilt from a rate published with one decimal: \
             a territory's rate rebuilt from these counts may differ from INSEE's by the rounding"
        ));
    }
    let merged: Vec<&str> = groups.iter().filter(|(_, m)| m.len() > 1).map(|(c, _)| c.as_str()).collect();
    if !merged.is_empty() {
        sink.summary.notes.push(format!(
            "{} current communes gather several communes of the file (merged since): their counts are added, their published \
             values (medians, rates, shares) withheld, as they cannot be combined: {}",
            merged.len(),
            merged.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    if !skipped.is_empty() {
        sink.summary.notes.push(format!(
            "{} given whole and by arrondissement: the arrondissements are kept, the whole communes' rows left out",
            skipped.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if declared {
        sink.summary.notes.push("declared income (Filosofi «DEC»): its values are named declared_…".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::{realdata, Encoding};
    use polars::prelude::*;

    fn read_path(path: &Path) -> (DataFrame, crate::ingest::Summary) {
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(path, Encoding::Auto).unwrap();
        assert_eq!(crate::ingest::layout::detect(&t).map(|l| l.name).ok(), Some("filosofi"));
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, &Options::default(), &mut sink).unwrap();
        sink.finish().unwrap()
    }

    fn cell(df: &DataFrame, geo: &str, measure: &str) -> Option<(Option<f64>, String, Option<String>)> {
        let (g, m, v, k, u) = (
            df.column("geo").unwrap().str().unwrap(),
            df.column("measure").unwrap().str().unwrap(),
            df.column("value").unwrap().f64().unwrap(),
            df.column("kind").unwrap().str().unwrap(),
            df.column("unit").unwrap().str().unwrap(),
        );
        (0..df.height())
            .find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure))
            .map(|i| (v.get(i), k.get(i).unwrap_or_default().to_owned(), u.get(i).map(str::to_owned)))
    }

    #[test]
    fn columns_are_mapped() {
        assert_eq!(column("NBMEN19").map(|c| (c.measure, c.year)), Some(("tax_households", Some(2019))));
        assert_eq!(column("NBPERSMENFISC21").map(|c| c.measure), Some("tax_persons"));
        assert_eq!(column("Q219").map(|c| (c.measure, c.value)), Some(("median_income", Value::Published("€"))));
        assert_eq!(column("D119").map(|c| c.measure), Some("income_d1"));
        assert_eq!(column("S80S2019").map(|c| (c.measure, c.year)), Some(("income_s80_s20_ratio", Some(2019))));
        assert_eq!(column("TP6019").map(|c| c.measure), Some("poverty_rate"));
        assert_eq!(column("PIMPOT19").map(|c| c.measure), Some("income_share_taxes"));
        assert_eq!(column("RD").map(|c| (c.measure, c.year)), Some(("income_interdecile_ratio", None)));
        assert_eq!(column("RD19").map(|c| c.year), Some(Some(2019)));
        for ignored in ["LIBGEO", "TP60AGE119", "D519", "P21_POP", "NBMEN2019", "MED"] {
            assert_eq!(column(ignored), None, "{ignored}");
        }
        assert_eq!(level_of_name(Path::new("FILO2019_DISP_EPCI.csv")), Level::Epci);
        assert_eq!(level_of_name(Path::new("FILO2019_DISP_COM.csv")), Level::Commune);
    }

    /// The real FILO2019_DISP_COM: UTF-8 BOM, CRLF, decimal commas, empty cells where secret.
    #[test]
    fn reads_the_real_filosofi_2019_by_commune() {
        let Some(path) = realdata("social/FILO2019_DISP_COM.csv") else { return };
        let (df, summary) = read_path(&path);
        assert_eq!(summary.rows, 31_361);
        // Line 4, Ambérieu-en-Bugey (01004): NBMEN19 6711, NBPERS19 15040, NBUC19 10296,8,
        // Q219 20510, D119 11080, RD 3,2, GI19 0,290, PACT19 70,1, PIMPOT19 -15,7.
        assert_eq!(cell(&df, "01004", "tax_households"), Some((Some(6711.0), "count".into(), None)));
        assert_eq!(cell(&df, "01004", "tax_persons").map(|c| c.0), Some(Some(15040.0)));
        assert_eq!(cell(&df, "01004", "consumption_units").map(|c| c.0), Some(Some(10296.8)));
        assert_eq!(cell(&df, "01004", "median_income"), Some((Some(20510.0), "published".into(), Some("€".into()))));
        assert_eq!(cell(&df, "01004", "income_d1").map(|c| c.0), Some(Some(11080.0)));
        assert_eq!(cell(&df, "01004", "income_interdecile_ratio").map(|c| c.0), Some(Some(3.2)));
        assert_eq!(cell(&df, "01004", "gini_index").map(|c| c.0), Some(Some(0.29)));
        assert_eq!(cell(&df, "01004", "income_share_activity").map(|c| (c.0, c.2)), Some((Some(70.1), Some("%".into()))));
        assert_eq!(cell(&df, "01004", "income_share_taxes").map(|c| c.0), Some(Some(-15.7)));
        // Line 2, L'Abergement-Clémenciat (01001): only the median, the rest secret (empty).
        assert_eq!(cell(&df, "01001", "median_income").map(|c| c.0), Some(Some(23970.0)));
        assert_eq!(cell(&df, "01001", "income_q1").map(|c| c.0), Some(None), "withheld, not zero");
        // Paris is given whole (75056) and by arrondissement: the arrondissements are kept.
        assert_eq!(cell(&df, "75056", "tax_households"), None);
        assert_eq!(cell(&df, "75101", "tax_households").map(|c| c.0), Some(Some(8488.0)));
        assert!(summary.notes.iter().any(|n| n.contains("75056") && n.contains("arrondissement")), "{:?}", summary.notes);
        assert!(summary.ignored_columns.contains("LIBGEO"));
        // The file is on an older geography: Culoz (01138, line of «Culoz» 1264 households)
        // and Béon (01039, 206), one commune since: their counts add up, their medians
        // (20530, 21230) cannot be combined.
        assert_eq!(cell(&df, "01138", "tax_households").map(|c| c.0), Some(Some(1470.0)));
        assert_eq!(cell(&df, "01138", "median_income").map(|c| c.0), Some(None));
        assert!(summary.former_not_used.is_empty(), "no commune's rows are left out");
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2019)));
        // This file has no poverty rate (TP60 is in FILO2019_DISP_Pauvres and base-cc-filosofi).
        assert!(!summary.measures.contains("persons_poor"));
    }

    #[test]
    fn poverty_rate_and_poor_persons_from_the_communal_base() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cc_filosofi_2019_COM.csv");
        std::fs::write(
            &path,
            "CODGEO;NBMENFISC19;NBPERSMENFISC19;MED19;PIMP19;TP6019;TP60AGE119;D119;D919;RD19\n\
             01004;6711;15040;20510;50;12,3;20;11080;35230;3,2\n01001;322;819;23970;;;;;;\n01039;100;250;21000;40;10,0;;;;\n\
             01138;1264;2782;20530;45;11,0;;;;\n01053;10;20;;;;;;;\n",
        )
        .unwrap();
        let (df, summary) = read_path(&path);
        assert_eq!(cell(&df, "01004", "poverty_rate"), Some((Some(12.3), "published".into(), Some("%".into()))));
        // 12.3 % of 15,040 persons.
        let poor = cell(&df, "01004", "persons_poor").unwrap();
        assert!((poor.0.unwrap() - 1849.92).abs() < 1e-9 && poor.1 == "count", "{poor:?}");
        assert_eq!(cell(&df, "01004", "households_taxed").map(|c| c.0), Some(Some(3355.5)));
        assert_eq!(cell(&df, "01001", "persons_poor").map(|c| c.0), Some(None), "secret rate: withheld");
        // Béon (01039), merged with Culoz (01138) since: the counts add up, the medians of
        // two communes cannot be combined; poor persons summed from each one's rate.
        assert_eq!(cell(&df, "01138", "tax_households").map(|c| c.0), Some(Some(1364.0)));
        assert_eq!(cell(&df, "01138", "median_income").map(|c| c.0), Some(None));
        let poor = cell(&df, "01138", "persons_poor").unwrap().0.unwrap();
        assert!((poor - (25.0 + 306.02)).abs() < 1e-9, "{poor}");
        assert!(summary.notes.iter().any(|n| n.contains("gather several communes") && n.contains("01138")), "{:?}", summary.notes);
        // Bourg-en-Bresse given alone: its values kept as they are.
        assert_eq!(cell(&df, "01053", "tax_households").map(|c| c.0), Some(Some(10.0)));
        assert!(summary.notes.iter().any(|n| n.contains("persons_poor") && n.contains("rounding")));
        assert!(summary.ignored_columns.contains("TP60AGE119"));
    }

    #[test]
    fn a_commune_given_twice_is_an_error() {
        let r = Referential::embedded().unwrap();
        let t = TextTable::parse(b"CODGEO;NBMEN19;Q219\n01004;1;2\n1004;3;4\n", Encoding::Auto, "d.csv").unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        let e = read(&t, &Options::default(), &mut sink).unwrap_err().to_string();
        assert!(e.contains("d.csv, line 3") && e.contains("01004 is given twice (first at line 2)"), "{e}");
    }

    #[test]
    fn the_comparateur_is_not_taken_for_filosofi() {
        let t = TextTable::parse(b"CODGEO;P21_POP;NBMENFISC21;MED21;TP6021\n01001;800;300;23000;10\n", Encoding::Auto, "c.csv").unwrap();
        assert!(matches!(detect(&t), Detection::Missing { .. }));
        let t = TextTable::parse(b"CODGEO;LIBGEO;NBMEN19;Q219\n01001;x;1;2\n", Encoding::Auto, "c.csv").unwrap();
        assert_eq!(detect(&t), Detection::Yes);
    }
}
