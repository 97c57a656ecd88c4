//! ATIH (ScanSanté) « taux de patients hospitalisés standardisé », all fields of care, by
//! département of residence and year:
//!
//! ```text
//! "dep";"annee";"tauxPatients"
//! "01";2017;185,73
//! "00";2017;187,08
//! ```
//! The rate is per 1,000 inhabitants, standardised on age and sex; `00` is France. Each cell
//! is a published value `hospitalised_patients_rate_std` at its département (France for `00`);
//! 977 and 978 (Saint-Barthélemy, Saint-Martin) are kept as the referential knows them.

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::Detection;
use crate::ingest::TextTable;

pub const RATE: &[&str] = &["tauxPatients"];

pub fn detect(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["dep"], &["annee"], RATE])
}

pub fn read(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("ATIH", "ScanSanté, taux de patients hospitalisés"));
    let dep_col = table.require_column("département", &["dep"])?;
    let year_col = table.require_column("year", &["annee"])?;
    let rate_col = table.require_column("rate", RATE)?;
    for name in table.column_names() {
        if ![&dep_col, &year_col, &rate_col].contains(&&name) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let (deps, years, rates) = (table.texts(&dep_col)?, table.texts(&year_col)?, table.numbers(&rate_col)?);
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let at = |c: &str| Location::file(&table.file).at(table.line_of(row), c);
        let y: i32 = years[row]
            .parse()
            .map_err(|_| Error::input(at(&year_col), format!("«{}» is not a year", years[row]), "write the year with four digits"))?;
        let (geo, level) = match deps[row].as_str() {
            "00" | "0" => ("FR", Level::France),
            d => (d, Level::Departement),
        };
        sink.push(geo, level, CellKey::published(y, "hospitalised_patients_rate_std", "pour 1 000 habitants"), rates[row], &at(&dep_col))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::statloc::tests::get_at;
    use crate::ingest::{realdata, Encoding};

    /// Rows checked by hand: `"01";2017;185,73`, `"00";2021;187,08`, `"978";2021;150,04`.
    #[test]
    fn real_file() {
        let Some(path) = realdata("health_indicators/atih_taux_patients_hospitalises_std_dep_2017_2021.csv") else { return };
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get_at(&df, "01", "hospitalised_patients_rate_std", 2017), Some(Some(185.73)));
        assert_eq!(get_at(&df, "FR", "hospitalised_patients_rate_std", 2021), Some(Some(187.08)));
        assert_eq!(get_at(&df, "978", "hospitalised_patients_rate_std", 2021), Some(Some(150.04)));
        assert_eq!(s.rows, 520);
        assert!(s.unknown.is_empty(), "{:?}", s.unknown);
        assert_eq!(s.geographies[&Level::France].len(), 1);
    }
}
