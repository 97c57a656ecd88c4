//! Writing results: always to a temporary file in the destination folder, then renamed
//! ([`crate::facts::write_atomic_with`]), so that an interrupted run never leaves a partial
//! file behind. The CSV tables for French
//! Excel never hold a live formula: names come from territory files and ingested tables,
//! which anyone can write.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use crate::error::Result;

pub use crate::facts::write_atomic_with;

/// Write `bytes` to `path` atomically (temp file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// The first characters that make a spreadsheet read a text cell as a formula (or, for tab
/// and carriage return, hide one behind them): OWASP, "CSV Injection".
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell a spreadsheet will not run: prefixed with `'` when it starts like a formula
/// (OWASP's rule for CSV injection), unchanged otherwise.
pub fn excel_safe_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A copy of `df` whose text cells and column names cannot be run as formulas by Excel or
/// LibreOffice ([`excel_safe_text`]): a name from a territory file or an ingested table such
/// as `=HYPERLINK(…)` is written `'=HYPERLINK(…)`. Numeric columns are untouched, so a
/// negative number stays a number; categorical columns become text.
pub fn excel_safe(df: &DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for c in df.columns() {
        let text = if c.dtype().is_categorical() || c.dtype().is_enum() { Some(c.cast(&DataType::String)?) } else { None };
        let source = text.as_ref().unwrap_or(c);
        let column = match source.dtype() {
            DataType::String => {
                let ca = source.str()?;
                if ca.iter().flatten().any(|t| t.starts_with(FORMULA_STARTS)) {
                    let safe: StringChunked = ca.iter().map(|v| v.map(excel_safe_text)).collect();
                    safe.into_column()
                } else {
                    source.clone()
                }
            }
            _ => source.clone(),
        };
        columns.push(column.with_name(PlSmallStr::from(&*excel_safe_text(c.name()))));
    }
    Ok(DataFrame::new(df.height(), columns)?)
}

/// Write a table as CSV for French Excel (UTF-8 BOM, `;`, decimal comma), atomically. Text
/// cells that a spreadsheet would run as formulas are neutralised ([`excel_safe`]); `df`
/// itself is not changed.
pub fn write_csv_fr(df: &mut DataFrame, path: &Path) -> Result<()> {
    let mut safe = excel_safe(df)?;
    write_atomic_with(path, |f| {
        CsvWriter::new(f).include_bom(true).with_separator(b';').with_decimal_comma(true).finish(&mut safe).map_err(std::io::Error::other)
    })
}

/// Write a table as `<stem>.parquet` and `<stem>.csv` (French Excel) in `dir`.
pub fn write_parquet_and_csv(df: &mut DataFrame, dir: &Path, stem: &str) -> Result<()> {
    crate::facts::write_parquet(df, &dir.join(format!("{stem}.parquet")))?;
    write_csv_fr(df, &dir.join(format!("{stem}.csv")))
}

/// A number the French way: decimal comma, narrow no-break space between thousands.
pub fn number(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    // "-0,0" reads as a sign error: a value that rounds to zero has none.
    let zero = out.chars().all(|c| c == '0' || c == ',' || c == '\u{202f}');
    if v < 0.0 && !zero {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn csv_for_excel_neutralises_formulas_in_text_and_keeps_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("name".into(), vec![Some("=cmd"), Some("-x"), Some("+1"), Some("@a"), Some("\tz"), Some("a=b"), None]),
            Column::new("value".into(), vec![-1.5, -2.0, 3.0, -0.25, 0.0, 1e6, -7.0]),
            Column::new("count".into(), vec![-1i64, 2, 3, 4, 5, 6, 7]),
        ])
        .unwrap();
        let before = df.clone();
        write_csv_fr(&mut df, &path).unwrap();
        assert!(df.equals_missing(&before), "the caller's table is not changed");
        let text = fs::read_to_string(&path).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a BOM");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            ["name;value;count", "'=cmd;-1,5;-1", "'-x;-2,0;2", "'+1;3,0;3", "'@a;-0,25;4", "'\tz;0,0;5", "a=b;1000000,0;6", ";-7,0;7",]
        );
    }

    #[test]
    fn excel_safe_covers_names_categoricals_and_carriage_returns() {
        let cats = Column::new("kind".into(), vec!["@x", "b"]).cast(&DataType::from_categories(Categories::global())).unwrap();
        let df = DataFrame::new_infer_height(vec![Column::new("=h".into(), vec!["\rx", "ok"]), cats]).unwrap();
        let safe = excel_safe(&df).unwrap();
        let names: Vec<&str> = safe.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["'=h", "kind"]);
        assert_eq!(safe.column("'=h").unwrap().str().unwrap().get(0), Some("'\rx"));
        assert_eq!(safe.column("kind").unwrap().str().unwrap().get(0), Some("'@x"));
        assert_eq!(safe.column("kind").unwrap().str().unwrap().get(1), Some("b"));
        assert_eq!(excel_safe_text("plain"), "plain");
    }

    #[test]
    fn failed_fill_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic_with(&path, |_| Err(std::io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
