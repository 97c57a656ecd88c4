//! Rezone (Assurance Maladie) CPTS exports: indicators that arrive already computed for
//! the territory, with the département, région and France values as published.
//!
//! ```text
//! Indicateur;Territoire;Valeur territoire;Effectif;Département;Région;France
//! Part des patients de 17 ans et plus sans médecin traitant;CPTS Camargue Gardoise;12,3 %;5 120;11,1 %;10,2 %;11,0 %
//! ```
//! These are kept apart from the commune-level counts (they cannot be re-aggregated): one
//! row per indicator with `indicator, territory, value, count, departement, region, france`.
//! Percent signs, decimal commas and spaced thousands are read; suppressed cells are empty.

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::ingest::table::parse_number;
use crate::ingest::{Cell, TextTable};

/// A published number: `12,3 %` → 12.3; suppressed → `None`.
fn published(raw: &str) -> Option<Option<f64>> {
    let t = raw.trim().trim_end_matches('%').trim();
    parse_number(t).map(Cell::value)
}

/// The indicator's name, and the territory's value: the columns that make a Rezone export.
pub const INDICATOR: &[&str] = &["indicateur", "indicator", "libelle", "libellé"];
pub const VALUE: &[&str] = &["valeur territoire", "valeur_territoire", "valeur", "value", "territoire_valeur"];

pub fn read(table: &TextTable, source: &str) -> Result<DataFrame> {
    let indicator = table.require_column("indicator", INDICATOR)?;
    let territory = table.find_column(&["territoire", "territory", "cpts"]);
    let value = table.require_column("territory value", VALUE)?;
    let count = table.find_column(&["effectif", "count", "nombre", "numerateur", "numérateur"]);
    let levels = [
        ("departement", table.find_column(&["département", "departement", "valeur département", "dep"])),
        ("region", table.find_column(&["région", "region", "valeur région", "reg"])),
        ("france", table.find_column(&["france", "national", "valeur france"])),
    ];
    let mut columns = vec![Column::new("indicator".into(), table.texts(&indicator)?)];
    let territories = match &territory {
        Some(c) => table.texts(c)?,
        None => vec![String::new(); table.height()],
    };
    columns.push(Column::new("territory".into(), territories));
    let mut numeric = |name: &str, col: Option<&str>| -> Result<()> {
        let values: Vec<Option<f64>> = match col {
            None => vec![None; table.height()],
            Some(col) => table
                .texts(col)?
                .iter()
                .enumerate()
                .map(|(row, raw)| {
                    published(raw).ok_or_else(|| {
                        Error::input(
                            Location::file(&table.file).at(table.line_of(row), col),
                            format!("«{raw}» is not a number"),
                            "write the published number (12,3 or 12,3 %); leave the cell empty if it is withheld",
                        )
                    })
                })
                .collect::<Result<_>>()?,
        };
        columns.push(Column::new(name.into(), values));
        Ok(())
    };
    numeric("value", Some(&value))?;
    numeric("count", count.as_deref())?;
    for (name, col) in &levels {
        numeric(name, col.as_deref())?;
    }
    columns.push(Column::new("source".into(), vec![source; table.height()]));
    Ok(DataFrame::new_infer_height(columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Encoding;

    #[test]
    fn published_values_with_percent_signs_are_read() {
        let text = "Indicateur;Valeur territoire;Effectif;Département;Région;France\n\
                    Sans médecin traitant;12,3 %;5 120;11,1 %;10,2 %;11,0 %\n\
                    ALD diabète;s;;6,1;5,9;6,0\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Utf8, "rezone.csv").unwrap();
        let df = read(&t, "rezone.csv").unwrap();
        let v: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
        assert_eq!(v, [Some(12.3), None]);
        let c: Vec<Option<f64>> = df.column("count").unwrap().f64().unwrap().iter().collect();
        assert_eq!(c, [Some(5120.0), None]);
        assert_eq!(df.column("france").unwrap().f64().unwrap().get(1), Some(6.0));
        let bad = TextTable::parse(b"Indicateur;Valeur\nA;douze\n", Encoding::Utf8, "r.csv").unwrap();
        let e = read(&bad, "r.csv").unwrap_err().to_string();
        assert!(e.contains("r.csv, line 2, column Valeur") && e.contains("douze"), "{e}");
    }
}
