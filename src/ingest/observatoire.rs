//! Observatoire des territoires (ANCT) exports: one row per place and period, one column per
//! indicator named by its identifier.
//!
//! ```text
//! codgeo;libgeo;an;tx_morta                 (séries historiques: a period per row)
//! 01;Ain;1968-1975;11,20
//! codgeo\tlibgeo\tan\tapl_mg_hmep     (APL aux médecins généralistes; \t: a tab)
//! 01001\tL'Abergement-Clémenciat\t2023\t1,9
//! ```
//! (observatoire-des-territoires.gouv.fr, « Télécharger les données »: CSV, or a workbook
//! whose `Data` sheet has a few title lines). The level is not written in the file: 9-digit
//! codes are EPCI, 5-character codes communes, 2- and 3-character codes départements or
//! régions, told apart by the names (`01;Ain` is a département, `01;Guadeloupe` a région).
//! Known identifiers are in [`INDICATORS`]; another is kept as `ot_<identifier>` with its unit
//! unstated, and said in a note.

use std::collections::BTreeSet;

use crate::error::{Error, Location, Result};
use crate::facts::Period;
use crate::geo::Referential;
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::Detection;
use crate::ingest::statloc::{same_name, APL_UNIT, UNSTATED};
use crate::ingest::TextTable;

const CODE: &[&str] = &["codgeo"];
const NAME: &[&str] = &["libgeo"];
const PERIOD: &[&str] = &["an"];

/// Identifiers of the Observatoire's indicators → measure and unit.
pub const INDICATORS: &[(&str, &str, &str)] = &[
    // Taux de mortalité (moyenne annuelle sur la période intercensitaire), INSEE RP.
    ("tx_morta", "mortality_rate_crude", "pour 1 000 habitants"),
    ("tx_natal", "birth_rate_crude", "pour 1 000 habitants"),
    // APL aux médecins généralistes (hors médecins à expertise particulière), DREES.
    ("apl_mg_hmep", "apl_mg", APL_UNIT),
    ("apl_mg", "apl_mg", APL_UNIT),
];

pub fn detect(t: &TextTable) -> Detection {
    let more = t.column_names().len() > 3;
    Detection::from_checks(&[
        ("codgeo", t.find_column(CODE).is_some()),
        ("libgeo", t.find_column(NAME).is_some()),
        ("an", t.find_column(PERIOD).is_some()),
        ("an indicator column", more),
    ])
}

/// `2018` → 2018; `1968-1975` → 1968-1975.
fn period(raw: &str) -> Option<Period> {
    let t = raw.trim();
    let (a, b) = t.split_once('-').unwrap_or((t, t));
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && (1800..=2100).contains(&a)).then_some(Period { start: a, end: b })
}

/// The level of the file's places, from their codes and names.
fn level(codes: &[String], names: &[String], r: &Referential) -> Option<Level> {
    let shapes: BTreeSet<usize> = codes.iter().map(|c| c.trim().len()).filter(|l| *l > 0).collect();
    let shapes: Vec<usize> = shapes.into_iter().collect();
    match shapes.as_slice() {
        [9] => Some(Level::Epci),
        [5] => Some(Level::Commune),
        s if !s.is_empty() && s.iter().all(|l| (2..=3).contains(l)) => {
            let named =
                |f: &dyn Fn(&str) -> Option<String>| codes.iter().zip(names).filter(|(c, n)| f(c.trim()).is_some_and(|m| same_name(&m, n))).count();
            let deps = named(&|c| r.departements.get(c).map(|d| d.name.clone()));
            let regions = named(&|c| r.regions.get(c).map(|d| d.name.clone()));
            Some(if regions > deps { Level::Region } else { Level::Departement })
        }
        _ => None,
    }
}

/// Read an export into `sink`.
pub fn read(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Observatoire des territoires (ANCT)", "séries de l'Observatoire"));
    // Communes of the export's geography: those merged since add up.
    sink.former_communes_add_up();
    let code_col = table.require_column("codgeo", CODE)?;
    let name_col = table.require_column("libgeo", NAME)?;
    let period_col = table.require_column("an", PERIOD)?;
    let (codes, names, periods) = (table.texts(&code_col)?, table.texts(&name_col)?, table.texts(&period_col)?);
    sink.summary.ignored_columns.insert(name_col.clone());
    let level = level(&codes, &names, sink.referential()).ok_or_else(|| {
        Error::input(
            Location { file: table.file.clone(), line: Some(table.header_line), column: Some(code_col.clone()) },
            "the codes are of several kinds: the level of the places cannot be told",
            "export one level (communes, EPCI, départements or régions) per file",
        )
    })?;
    let mut unknown = Vec::new();
    let mut apl = false;
    let mut columns = Vec::new();
    for name in table.column_names() {
        if [&code_col, &name_col, &period_col].contains(&&name) {
            continue;
        }
        let id = name.trim().to_ascii_lowercase();
        let (measure, unit) = match INDICATORS.iter().find(|(i, _, _)| *i == id) {
            Some((_, m, u)) => ((*m).to_owned(), *u),
            None => {
                unknown.push(name.clone());
                (format!("ot_{}", crate::ingest::statloc::slug(&id)), UNSTATED)
            }
        };
        apl |= measure == "apl_mg";
        columns.push((name, measure, unit));
    }
    sink.summary.rows += table.height();
    let parsed: Vec<Period> = periods
        .iter()
        .enumerate()
        .map(|(row, p)| {
            period(p).ok_or_else(|| {
                Error::input(
                    Location::file(&table.file).at(table.line_of(row), period_col.as_str()),
                    format!("«{p}» is neither a year nor a period such as 1968-1975"),
                    "give the file as the Observatoire exports it",
                )
            })
        })
        .collect::<Result<_>>()?;
    for (name, measure, unit) in &columns {
        let cells = table.numbers(name)?;
        for (row, cell) in cells.into_iter().enumerate() {
            let p = parsed[row];
            let key = CellKey::published(p.end, measure.clone(), unit).over(p);
            sink.push(&codes[row], level, key, cell, &Location::file(&table.file).at(table.line_of(row), code_col.as_str()))?;
        }
    }
    if level == Level::Departement || level == Level::Region {
        sink.summary
            .notes
            .push(format!("the places are read as {} (told from their names)", if level == Level::Region { "régions" } else { "départements" }));
    }
    if columns.iter().any(|(n, _, _)| n.eq_ignore_ascii_case("apl_mg_hmep")) {
        sink.summary
            .notes
            .push("apl_mg_hmep (APL aux médecins généralistes, hors médecins à expertise particulière, DREES) is read as apl_mg".into());
    }
    if apl {
        sink.summary.notes.push(
            "the export gives the APL without DREES's standardised populations: a territory's APL cannot be DREES's ratio of sums \
             (APL × standardised population); aggregated, each commune's APL can only be weighted by its census population \
             (`population`), an approximation"
                .into(),
        );
    }
    if !unknown.is_empty() {
        sink.summary.notes.push(format!("indicators diagsante does not know, kept as ot_<identifier> (unit not stated): {}", unknown.join(", ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::statloc::tests::get;
    use crate::ingest::{realdata, Encoding};
    use polars::prelude::*;

    fn read_path(path: &std::path::Path) -> (DataFrame, crate::ingest::Summary) {
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(path, Encoding::Auto).unwrap();
        assert_eq!(detect(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, &mut sink).unwrap();
        sink.finish().unwrap()
    }

    /// The value over a period.
    fn over(df: &DataFrame, geo: &str, level: &str, start: i32, end: i32) -> Option<Option<f64>> {
        let (g, l, s, e, v) = (
            df.column("geo").unwrap().str().unwrap(),
            df.column("level").unwrap().str().unwrap(),
            df.column("year_start").unwrap().i32().unwrap(),
            df.column("year_end").unwrap().i32().unwrap(),
            df.column("value").unwrap().f64().unwrap(),
        );
        (0..df.height())
            .find(|&i| g.get(i) == Some(geo) && l.get(i) == Some(level) && s.get(i) == Some(start) && e.get(i) == Some(end))
            .map(|i| v.get(i))
    }

    /// Rows checked by hand: `01;Ain;1968-1975;11,20`, `976;Mayotte;2013-2018;` (empty),
    /// `01;Guadeloupe;1968-1975;8,80`, `94;Corse;2013-2018;9,40`, `200000172;CC
    /// Faucigny-Glières;1968-1975;10,40`.
    #[test]
    fn real_mortality_series() {
        let Some(path) = realdata("mortality/insee_rp_evol_1968_departement_2018.csv") else { return };
        let (df, s) = read_path(&path);
        assert_eq!(over(&df, "01", "departement", 1968, 1975), Some(Some(11.2)));
        assert_eq!(over(&df, "976", "departement", 2013, 2018), Some(None));
        assert_eq!(s.geographies[&Level::Departement].len(), 101);
        assert!(s.periods["mortality_rate_crude"].contains(&Period { start: 1999, end: 2007 }));
        let Some(path) = realdata("mortality/insee_rp_evol_1968_region_2018.csv") else { return };
        let (df, s) = read_path(&path);
        assert_eq!(over(&df, "01", "region", 1968, 1975), Some(Some(8.8)));
        assert_eq!(over(&df, "94", "region", 2013, 2018), Some(Some(9.4)));
        assert_eq!((s.rows, s.geographies[&Level::Region].len()), (180, 18), "the `;;;` line is not a row");
        let Some(path) = realdata("mortality/insee_rp_evol_1968_epci_2018.csv") else { return };
        let (df, s) = read_path(&path);
        assert_eq!(over(&df, "200000172", "epci", 1968, 1975), Some(Some(10.4)));
        assert_eq!(s.geographies[&Level::Epci].len(), 1254);
        let unit = df.column("unit").unwrap().str().unwrap().get(0).map(str::to_owned);
        assert_eq!(unit.as_deref(), Some("pour 1 000 habitants"));
    }

    /// The APL export in its documented shape (tests/data/ingest/observatoire-apl.tsv).
    #[test]
    fn apl_export() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ingest/observatoire-apl.tsv");
        let (df, s) = read_path(&path);
        assert_eq!(get(&df, "30003", "commune", "apl_mg", "all", None), Some(Some(3.6)));
        assert_eq!(get(&df, "30006", "commune", "apl_mg", "all", None), Some(None));
        assert!(s.notes.iter().any(|n| n.contains("census population")), "{:?}", s.notes);
        assert!(s.ignored_columns.contains("libgeo"));
    }

    #[test]
    fn periods_and_unknown_indicators() {
        assert_eq!(period("1968-1975"), Some(Period { start: 1968, end: 1975 }));
        assert_eq!(period("2023"), Some(Period::year(2023)));
        assert_eq!(period("x"), None);
        let r = Referential::embedded().unwrap();
        let t = TextTable::parse("codgeo;libgeo;an;tx_var_pop\n30;Gard;2013-2018;0,6\n".as_bytes(), Encoding::Auto, "o.csv").unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get(&df, "30", "departement", "ot_tx_var_pop", "all", None), Some(Some(0.6)));
        assert!(s.notes.iter().any(|n| n.contains("tx_var_pop")), "{:?}", s.notes);
        let t = TextTable::parse("codgeo;libgeo;an;tx_morta\n30;Gard;vers 2000;0,6\n".as_bytes(), Encoding::Auto, "o.csv").unwrap();
        let e = read(&t, &mut FactSink::new(&r, "t", false)).unwrap_err().to_string();
        assert!(e.contains("o.csv, line 2") && e.contains("vers 2000"), "{e}");
    }
}
