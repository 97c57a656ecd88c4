//! Caf (Cnaf) open data « par commune »: households receiving a benefit (foyers allocataires),
//! one file per benefit and year, as data.caf.fr publishes them (`AAHCom2013.csv`,
//! `RSACom2013.csv`, `AEEHCom2013.csv`…):
//!
//! ```text
//! Communes;Codes_Insee;NB_Allocataires;ALL_AAH
//! AIGUES-MORTES;30003;1610;118
//! ```
//! `NB_Allocataires` is every household the Caf pays a benefit to; each `ALL_<X>` the households
//! receiving benefit X (`ALL_AAH`: allocation aux adultes handicapés; `ALL_RSA`: revenu de
//! solidarité active; `ALL_AEEH`: allocation d'éducation de l'enfant handicapé…). They become
//! the counts `caf_households` and `caf_<x>_households` (`caf_aah_households`). The Caf counts
//! households (the holder of the file and the people in his charge), not persons; they are
//! those with a right paid for December of the year (Cnaf's lisez-moi). The year is the file's
//! date column (`DTREF`) when it has one, else the year given, else the year in the file's
//! name. Small counts withheld by the Caf (empty cells) are withheld here too.

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::insee::year_of_file_name;
use crate::ingest::layout::Detection;
use crate::ingest::{Cell, TextTable};

/// The commune code, and every household paid a benefit: the columns that make the layout.
pub const COMMUNE: &[&str] = &["Codes_Insee", "NUMCOM"];
pub const ALL_HOUSEHOLDS: &[&str] = &["NB_Allocataires"];

/// The benefit of an `ALL_<X>` column, in lower case (`ALL_AAH` → `aah`).
fn benefit(column: &str) -> Option<String> {
    let rest = column.trim().get(..4).filter(|p| p.eq_ignore_ascii_case("ALL_")).map(|_| &column.trim()[4..])?;
    let slug: String = rest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    (!slug.is_empty()).then_some(slug)
}

pub fn detect(t: &TextTable) -> Detection {
    let benefits = t.column_names().iter().any(|c| benefit(c).is_some());
    Detection::from_checks(&[
        (COMMUNE[0], t.find_column(COMMUNE).is_some()),
        (ALL_HOUSEHOLDS[0], t.find_column(ALL_HOUSEHOLDS).is_some()),
        ("ALL_<prestation> (ALL_AAH, ALL_RSA…)", benefits),
    ])
}

/// The year of a `DTREF` cell: `31/12/2014`, `2014-12-31` or `2014`.
fn year_of_date(raw: &str) -> Option<i32> {
    let raw = raw.trim();
    let year = if raw.len() == 4 {
        raw
    } else if raw.as_bytes().get(4) == Some(&b'-') {
        &raw[..4]
    } else {
        raw.rsplit('/').next()?
    };
    year.parse().ok().filter(|y| (1900..2100).contains(y))
}

pub fn read(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Caf (Cnaf)", "foyers allocataires par commune"));
    let geo_col = table.require_column("commune code", COMMUNE)?;
    let all_col = table.require_column("households paid a benefit", ALL_HOUSEHOLDS)?;
    let date_col = table.find_column(&["DTREF"]);
    let geo = table.texts(&geo_col)?;
    // The year of each row: its date, else the year given, else the file name's.
    let years: Vec<i32> = match &date_col {
        Some(col) => table
            .texts(col)?
            .iter()
            .enumerate()
            .map(|(row, d)| {
                year_of_date(d).ok_or_else(|| {
                    Error::input(
                        Location::file(&table.file).at(table.line_of(row), col),
                        format!("«{d}» is not a date"),
                        "write the date as 31/12/2014",
                    )
                })
            })
            .collect::<Result<_>>()?,
        None => {
            let y = match year {
                Some(y) => y,
                None => year_of_file_name(table, &mut sink.summary).ok_or_else(|| {
                    Error::input(
                        Location::file(&table.file),
                        "the file has no date column (DTREF) and its name no year",
                        "give the year of the data (--year 2013 for AAHCom2013.csv)",
                    )
                })?,
            };
            vec![y; table.height()]
        }
    };
    let mut columns = vec![(all_col.clone(), "caf_households".to_owned())];
    for name in table.column_names() {
        if let Some(b) = benefit(&name) {
            columns.push((name, format!("caf_{b}_households")));
        } else if name != geo_col && name != all_col && Some(&name) != date_col.as_ref() {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let all = table.counts(&all_col)?;
    sink.summary.rows += table.height();
    for (col, measure) in &columns {
        let cells = table.counts(col)?;
        for row in 0..table.height() {
            let at = |c: &str| Location::file(&table.file).at(table.line_of(row), c);
            let y = years[row];
            // A benefit's households are some of all the households paid a benefit.
            if let (Cell::Value(part), Cell::Value(whole)) = (cells[row], all[row]) {
                if part > whole {
                    return Err(Error::input(at(col), format!("{part} households are above the {whole} of {all_col}"), "check both columns"));
                }
            }
            sink.push(&geo[row], Level::Commune, CellKey::count(y, measure.clone()), cells[row], &at(&geo_col))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benefits_and_dates() {
        assert_eq!(benefit("ALL_AAH").as_deref(), Some("aah"));
        assert_eq!(benefit("all_RSA_SOCLE").as_deref(), Some("rsa_socle"));
        assert_eq!(benefit("NB_Allocataires"), None);
        assert_eq!(benefit("ALL_"), None);
        assert_eq!(year_of_date("31/12/2014"), Some(2014));
        assert_eq!(year_of_date("2014-12-31"), Some(2014));
        assert_eq!(year_of_date("2014"), Some(2014));
        assert_eq!(year_of_date("déc. 14"), None);
    }
}
