//! Santé publique France (Odissé) deprivation indices by commune, `,`-separated:
//!
//! ```text
//! Code commune,Nombre d’habitants de la commune,Indice de défavorisation en quintiles,Quintile sans pondération sur le nombre d’habitants de la commune,Quintile avec pondération sur le nombre d’habitants de la commune,Département,Région,Département Code,Région Code
//! 28106,400.0,0.06729394786257822,3.0,3.0,Eure-et-Loir,Centre-Val de Loire,28,24
//!
//! Commune Code,Commune,EDI,Quintile natonal,Millésime EDI,Département,Région,departement_code,Région Code
//! 2A001,Afa,-0.929823265,entre 41 et 60%,2021,Corse-du-Sud,Corse,2A,94
//! ```
//! (`indice-de-defavorisation-sociale-fdep-par-commune`, `french-european-deprivation-index-
//! f-edi-2021-par-commune`; « Quintile natonal » as published). Despite its name, the FDep's
//! « Indice de défavorisation en quintiles » column holds the index itself. Every index and
//! quintile is a published value per commune (quintile 1 = least deprived); the FDep's
//! population, the weight of its weighted quintile, is a count `fdep_population`. The FDep
//! file does not say its year: the year given, else 2020 (the data year of Odissé's current
//! FDep, said in a note).

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::Detection;
use crate::ingest::statloc::plain;
use crate::ingest::{Cell, TextTable};

/// The FDep's year when the file does not say it and none is given.
pub const FDEP_DEFAULT_YEAR: i32 = 2020;

/// The first column whose plain name starts with `prefix`.
fn column(t: &TextTable, prefix: &str) -> Option<String> {
    t.column_names().into_iter().find(|n| plain(n).starts_with(prefix))
}

pub fn detect_fdep(t: &TextTable) -> Detection {
    Detection::from_checks(&[
        ("Code commune", column(t, "code commune").is_some()),
        ("Indice de défavorisation …", column(t, "indice de defavorisation").is_some()),
    ])
}

pub fn detect_edi(t: &TextTable) -> Detection {
    Detection::from_checks(&[("Commune Code", column(t, "commune code").is_some()), ("EDI", t.find_column(&["EDI"]).is_some())])
}

/// A quintile as files write it: `3.0`, `3`, or the F-EDI's `entre 41 et 60%` (→ 3).
pub fn quintile(raw: &str) -> Option<Cell> {
    if let Some(cell) = crate::ingest::table::parse_number(raw) {
        return Some(cell);
    }
    let upper: u32 = raw.split(|c: char| !c.is_ascii_digit()).rfind(|w| !w.is_empty())?.parse().ok()?;
    (upper.is_multiple_of(20) && (20..=100).contains(&upper)).then(|| Cell::Value(f64::from(upper / 20)))
}

fn push_column(
    table: &TextTable,
    codes: &[String],
    code_col: &str,
    cells: Vec<Cell>,
    key: &dyn Fn(usize) -> CellKey,
    sink: &mut FactSink,
) -> Result<()> {
    for (row, cell) in cells.into_iter().enumerate() {
        sink.push(&codes[row], Level::Commune, key(row), cell, &Location::file(&table.file).at(table.line_of(row), code_col))?;
    }
    Ok(())
}

fn quintiles(table: &TextTable, col: &str) -> Result<Vec<Cell>> {
    table
        .texts(col)?
        .iter()
        .enumerate()
        .map(|(row, q)| {
            quintile(q).ok_or_else(|| {
                Error::input(
                    Location::file(&table.file).at(table.line_of(row), col),
                    format!("«{q}» is not a quintile"),
                    "write 1 to 5, or « entre 41 et 60% »",
                )
            })
        })
        .collect()
}

/// Read the FDep file.
pub fn read_fdep(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Santé publique France", "indice de défavorisation sociale (FDep)"));
    // The communes of the index's year: those merged since cannot keep one index.
    sink.former_communes_add_up();
    let code_col = column(table, "code commune").unwrap_or_default();
    let codes = table.texts(&code_col)?;
    let y = year.unwrap_or_else(|| {
        sink.summary.notes.push(format!(
            "the file does not say its year: read as {FDEP_DEFAULT_YEAR}, the data year of Odissé's FDep; give the year if yours is another"
        ));
        FDEP_DEFAULT_YEAR
    });
    let index = column(table, "indice de defavorisation").unwrap_or_default();
    let population = column(table, "nombre d'habitants");
    let plain_q = column(table, "quintile sans ponderation");
    let weighted_q = column(table, "quintile avec ponderation");
    for name in table.column_names() {
        if ![Some(&code_col), Some(&index), population.as_ref(), plain_q.as_ref(), weighted_q.as_ref()].contains(&Some(&name)) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    sink.summary.rows += table.height();
    let published = |m: &'static str, unit: &'static str| move |_: usize| CellKey::published(y, m, unit);
    push_column(table, &codes, &code_col, table.numbers(&index)?, &published("fdep", "indice"), sink)?;
    if let Some(c) = &plain_q {
        push_column(table, &codes, &code_col, quintiles(table, c)?, &published("fdep_quintile", "quintile (1 = moins défavorisé)"), sink)?;
    }
    if let Some(c) = &weighted_q {
        let unit = "quintile pondéré par la population (1 = moins défavorisé)";
        push_column(table, &codes, &code_col, quintiles(table, c)?, &published("fdep_quintile_weighted", unit), sink)?;
    }
    if let Some(c) = &population {
        push_column(table, &codes, &code_col, table.counts(c)?, &|_| CellKey::count(y, "fdep_population"), sink)?;
    }
    Ok(())
}

/// Read the F-EDI file.
pub fn read_edi(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Santé publique France", "French European Deprivation Index (F-EDI)"));
    sink.former_communes_add_up();
    let code_col = column(table, "commune code").unwrap_or_default();
    let codes = table.texts(&code_col)?;
    let edi = table.require_column("EDI", &["EDI"])?;
    let quintile_col = column(table, "quintile nat");
    let year_col = column(table, "millesime");
    for name in table.column_names() {
        if ![Some(&code_col), Some(&edi), quintile_col.as_ref(), year_col.as_ref()].contains(&Some(&name)) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let years: Vec<i32> = match (&year_col, year) {
        (Some(c), _) => table
            .texts(c)?
            .iter()
            .enumerate()
            .map(|(row, y)| {
                y.parse().map_err(|_| {
                    Error::input(
                        Location::file(&table.file).at(table.line_of(row), c.as_str()),
                        format!("«{y}» is not a year"),
                        "write the year with four digits",
                    )
                })
            })
            .collect::<Result<_>>()?,
        (None, Some(y)) => vec![y; table.height()],
        (None, None) => {
            return Err(Error::input(Location::file(&table.file), "the file has no « Millésime EDI » column", "give the year of the data"))
        }
    };
    sink.summary.rows += table.height();
    push_column(table, &codes, &code_col, table.numbers(&edi)?, &|row| CellKey::published(years[row], "edi", "indice"), sink)?;
    if let Some(c) = &quintile_col {
        let key = |row: usize| CellKey::published(years[row], "edi_quintile", "quintile national (1 = moins défavorisé)");
        push_column(table, &codes, &code_col, quintiles(table, c)?, &key, sink)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::statloc::tests::get_at;
    use crate::ingest::{realdata, Encoding};

    #[test]
    fn quintiles_as_written() {
        assert_eq!(quintile("3.0"), Some(Cell::Value(3.0)));
        assert_eq!(quintile("entre 41 et 60%"), Some(Cell::Value(3.0)));
        assert_eq!(quintile("entre 0 et 20%"), Some(Cell::Value(1.0)));
        assert_eq!(quintile("entre 81 et 100%"), Some(Cell::Value(5.0)));
        assert_eq!(quintile(""), Some(Cell::Missing));
        assert_eq!(quintile("beaucoup"), None);
    }

    /// Rows checked by hand: FDep `28106,400.0,0.0672…,3.0,3.0`, F-EDI `2A004,Ajaccio,5.191142752,
    /// entre 81 et 100%,2021`.
    #[test]
    fn real_heads() {
        let r = Referential::embedded().unwrap();
        let Some(path) = realdata("deprivation/indice-de-defavorisation-sociale-fdep-par-commune_head30.csv") else { return };
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect_fdep(&t), Detection::Yes);
        assert_ne!(detect_edi(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_fdep(&t, None, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get_at(&df, "28106", "fdep", 2020), Some(Some(0.06729394786257822)));
        assert_eq!(get_at(&df, "28106", "fdep_quintile_weighted", 2020), Some(Some(3.0)));
        assert_eq!(get_at(&df, "28106", "fdep_population", 2020), Some(Some(400.0)));
        assert!(s.notes.iter().any(|n| n.contains("does not say its year")), "{:?}", s.notes);
        assert_eq!((s.rows, s.communes.len()), (30, 30));

        let Some(path) = realdata("deprivation/french-european-deprivation-index-f-edi-2021-par-commune_head30.csv") else { return };
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        assert_eq!(detect_edi(&t), Detection::Yes);
        assert_ne!(detect_fdep(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read_edi(&t, None, &mut sink).unwrap();
        let (df, s) = sink.finish().unwrap();
        assert_eq!(get_at(&df, "2A004", "edi", 2021), Some(Some(5.191142752)));
        assert_eq!(get_at(&df, "2A004", "edi_quintile", 2021), Some(Some(5.0)));
        assert!(s.ignored_columns.contains("Commune") && s.ignored_columns.contains("departement_code"), "{:?}", s.ignored_columns);
    }
}
