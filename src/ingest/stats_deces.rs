//! France death series derived from INSEE's files by the project stats-deces (kroc702,
//! `docs/results/DecesParAn.csv` and `DecesParAge.csv`): deaths from the *fichier des
//! personnes décédées*, populations from INSEE's pyramids.
//!
//! ```text
//! Annee;population;deces;taux;taux normalise 2021       (rates per 1,000,000)
//! 1991;58280135;537402;9221;14776
//!
//! Age;1991;1992;…;2022                                   (death rate per 1,000,000 by age;
//! 0;6914;6347;…                                           the last age is « and over »)
//! ```
//! France rows (`FR`). The yearly file's population and deaths are counts; its rates are
//! published values (`mortality_rate_crude`, `mortality_rate_std_fr2021`, standardised on
//! France's 2021 population). A year whose deaths do not give its published rate (the last
//! year, still incomplete when the file was made) keeps its rates but not its deaths, said
//! in a note. The by-age file gives `mortality_rate` by single year of age.

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::Detection;
use crate::ingest::{Cell, TextTable};

const PER_MILLION: &str = "pour 1 000 000 habitants";

fn origin() -> Origin {
    Origin::source("INSEE", "décès et populations, séries de stats-deces")
}

pub fn detect_yearly(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["Annee", "Année"], &["population"], &["deces", "décès"], &["taux"]])
}

/// `Age;1991;1992;…`: a first column `Age`, every other a year.
pub fn detect_by_age(t: &TextTable) -> Detection {
    let names = t.column_names();
    let age = names.first().is_some_and(|n| n.trim().eq_ignore_ascii_case("age"));
    let years = names.len() > 1 && names.iter().skip(1).all(|n| n.trim().len() == 4 && n.trim().parse::<i32>().is_ok());
    Detection::from_checks(&[("Age (first column)", age), ("one column per year", years)])
}

pub fn read_yearly(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(origin());
    let year_col = table.require_column("year", &["Annee", "Année"])?;
    let pop_col = table.require_column("population", &["population"])?;
    let deaths_col = table.require_column("deaths", &["deces", "décès"])?;
    let rate_col = table.require_column("rate", &["taux"])?;
    let std_col = table.find_column(&["taux normalise 2021", "taux normalisé 2021"]);
    for name in table.column_names() {
        if ![Some(&year_col), Some(&pop_col), Some(&deaths_col), Some(&rate_col), std_col.as_ref()].contains(&Some(&name)) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let years = table.texts(&year_col)?;
    let (pops, deaths, rates) = (table.counts(&pop_col)?, table.counts(&deaths_col)?, table.numbers(&rate_col)?);
    let std = std_col.as_deref().map(|c| table.numbers(c)).transpose()?;
    sink.summary.rows += table.height();
    let mut incomplete = Vec::new();
    for row in 0..table.height() {
        let at = |c: &str| Location::file(&table.file).at(table.line_of(row), c);
        let y: i32 = years[row]
            .parse()
            .map_err(|_| Error::input(at(&year_col), format!("«{}» is not a year", years[row]), "write the year with four digits"))?;
        let mut dead = deaths[row];
        if let (Cell::Value(d), Cell::Value(p), Cell::Value(t)) = (deaths[row], pops[row], rates[row]) {
            let implied = d / p * 1e6;
            if p > 0.0 && t > 0.0 && (implied - t).abs() / t > 0.05 {
                incomplete.push(format!("{y} ({d} deaths give {implied:.0} per million, the file's rate is {t})"));
                dead = Cell::Missing;
            }
        }
        sink.push("FR", Level::France, CellKey::count(y, "population"), pops[row], &at(&pop_col))?;
        sink.push("FR", Level::France, CellKey::count(y, "deaths_all_causes"), dead, &at(&deaths_col))?;
        sink.push("FR", Level::France, CellKey::published(y, "mortality_rate_crude", PER_MILLION), rates[row], &at(&rate_col))?;
        if let (Some(s), Some(c)) = (&std, &std_col) {
            sink.push("FR", Level::France, CellKey::published(y, "mortality_rate_std_fr2021", PER_MILLION), s[row], &at(c))?;
        }
    }
    if !incomplete.is_empty() {
        sink.summary.notes.push(format!("deaths not kept, incomplete in the file (their rates are kept): {}", incomplete.join("; ")));
    }
    Ok(())
}

pub fn read_by_age(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(origin());
    let names = table.column_names();
    let age_col = names.first().cloned().unwrap_or_default();
    let ages: Vec<u32> = table
        .texts(&age_col)?
        .iter()
        .enumerate()
        .map(|(row, a)| {
            a.parse().map_err(|_| {
                Error::input(
                    Location::file(&table.file).at(table.line_of(row), age_col.as_str()),
                    format!("«{a}» is not an age"),
                    "write ages as whole numbers",
                )
            })
        })
        .collect::<Result<_>>()?;
    let oldest = ages.iter().copied().max().unwrap_or_default();
    sink.summary.rows += table.height();
    for name in names.iter().skip(1) {
        let y: i32 = name.trim().parse().map_err(|_| Error::Internal(format!("year column {name}")))?;
        for (row, cell) in table.numbers(name)?.into_iter().enumerate() {
            let a = ages[row];
            let key = CellKey::published(y, "mortality_rate", PER_MILLION).ages(Some(a), (a < oldest).then_some(a));
            sink.push("FR", Level::France, key, cell, &Location::file(&table.file).at(table.line_of(row), name.as_str()))?;
        }
    }
    sink.summary.notes.push(format!("age {oldest} is {oldest} and over"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::statloc::tests::{get, get_at};
    use crate::ingest::{realdata, Encoding};

    /// `1991;58280135;537402;9221;14776` and `2022;67813396;279721;10065;9956` (2022's deaths
    /// cover part of the year only: 4,125 per million, not 10,065).
    #[test]
    fn real_yearly_file() {
        let Some(path) = realdata("mortality/france_deces_par_an_1991_2022.csv") else { return };
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect_yearly(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_yearly(&t, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get_at(&df, "FR", "deaths_all_causes", 1991), Some(Some(537402.0)));
        assert_eq!(get_at(&df, "FR", "population", 1991), Some(Some(58280135.0)));
        assert_eq!(get_at(&df, "FR", "mortality_rate_crude", 1991), Some(Some(9221.0)));
        assert_eq!(get_at(&df, "FR", "mortality_rate_std_fr2021", 1991), Some(Some(14776.0)));
        assert_eq!(get_at(&df, "FR", "deaths_all_causes", 2022), Some(None));
        assert_eq!(get_at(&df, "FR", "mortality_rate_crude", 2022), Some(Some(10065.0)));
        assert!(s.notes.iter().any(|n| n.starts_with("deaths not kept") && n.contains("2022") && !n.contains("2021 (")), "{:?}", s.notes);
    }

    /// Age 0 in 1991: 6914 per million; the last row, 100, is 100 and over.
    #[test]
    fn real_by_age_file() {
        let Some(path) = realdata("mortality/france_taux_deces_par_age_1991_2022.csv") else { return };
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect_by_age(&t), Detection::Yes);
        assert_ne!(detect_yearly(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_by_age(&t, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get_at(&df, "FR", "mortality_rate", 1991).flatten(), Some(6914.0), "the first row of 1991 is age 0");
        assert!(get(&df, "FR", "france", "mortality_rate", "all", Some(100)).is_some());
        assert_eq!(df.height(), 101 * 32);
        assert_eq!(s.rows, 101);
    }
}
