//! Reading a delimited text table the way real French files come: UTF-8 with or without a
//! BOM, or Windows-1252 ("latin-1" in practice); `;`, `,` or tab separators, sniffed from
//! the header; every column read as text so that each cell can be parsed with an error
//! naming its line and column. Empty cells and INSEE/CNIL secret markers are *missing*
//! (suppressed), never zero.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Location, Result};

/// Text encodings accepted for input files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 if the bytes are valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    /// Windows-1252, a superset of ISO-8859-1 ("latin-1").
    Latin1,
}

/// Cells the producers use for withheld or unavailable values (compared case-insensitively
/// after trimming). They are read as missing, with the reason kept as `suppressed`.
pub const SECRET_MARKERS: &[&str] = &[
    "s", "nc", "ns", "nd", "na", "n/a", "secret", "c", "x", "-", "*",
    "n/a - secret statistique", "n/a - résultat non disponible", "secret statistique",
];

/// A table of text cells with the file it came from.
#[derive(Debug, Clone)]
pub struct TextTable {
    pub file: String,
    pub frame: DataFrame,
    /// 1-based line of the header in the file (data row `i` is on line `header_line + 1 + i`).
    pub header_line: usize,
}

/// A parsed numeric cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Value(f64),
    /// Empty cell or a secret marker.
    Missing,
}

impl Cell {
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Missing => None,
        }
    }
}

/// Decode `bytes` to UTF-8 text, dropping a BOM.
pub fn decode(bytes: &[u8], encoding: Encoding, file: &str) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding {
        Encoding::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::input(
                Location { file: file.to_owned(), line: Some(line), column: None },
                "the file is not valid UTF-8",
                "re-run with `--encoding latin1` (Windows-1252), or save the file as UTF-8",
            )
        }),
        Encoding::Auto => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
        },
        Encoding::Latin1 => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
    }
}

/// The separator of a header line: the most frequent of `;`, tab and `,` outside quotes.
pub fn sniff_separator(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [b';', b'\t', b','];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(2);
    if counts[best] == 0 { b',' } else { seps[best] }
}

impl TextTable {
    /// Read a delimited file.
    pub fn read(path: &Path, encoding: Encoding) -> Result<TextTable> {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        TextTable::parse(&bytes, encoding, &path.display().to_string())
    }

    /// Parse delimited bytes; `file` names the source in errors.
    pub fn parse(bytes: &[u8], encoding: Encoding, file: &str) -> Result<TextTable> {
        let text = decode(bytes, encoding, file)?;
        let first = text.lines().position(|l| !l.trim().is_empty()).ok_or_else(|| {
            Error::input(Location::file(file), "the file is empty", "give a file with a header line and data rows")
        })?;
        let header = text.lines().nth(first).unwrap_or_default();
        let separator = sniff_separator(header);
        let body: String = text.lines().skip(first).flat_map(|l| [l, "\n"]).collect();
        let frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .map_parse_options(|o| o.with_separator(separator).with_missing_is_null(true))
            .into_reader_with_file_handle(Cursor::new(body.into_bytes()))
            .finish()
            .map_err(|e| {
                Error::input(
                    Location::file(file),
                    format!("cannot read the table: {e}"),
                    "check that every line has the same number of separators as the header",
                )
            })?;
        Ok(TextTable { file: file.to_owned(), frame, header_line: first + 1 })
    }

    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// File line of data row `row` (0-based).
    pub fn line_of(&self, row: usize) -> usize {
        self.header_line + 1 + row
    }

    fn column(&self, name: &str) -> Result<&StringChunked> {
        let col = self.frame.column(name).map_err(|_| {
            let names: Vec<String> = self.frame.get_column_names().iter().map(|s| s.to_string()).collect();
            Error::input(
                Location::file(&self.file),
                format!("no column named «{name}»"),
                format!("the columns are: {}", names.join(", ")),
            )
        })?;
        col.str().map_err(|e| Error::Internal(e.to_string()))
    }

    /// A column's text cells (missing cells as empty strings).
    pub fn texts(&self, name: &str) -> Result<Vec<String>> {
        Ok(self.column(name)?.iter().map(|v| v.unwrap_or("").trim().to_owned()).collect())
    }

    /// A column of numbers; empty cells and secret markers are [`Cell::Missing`]; text
    /// that is neither is an error naming the line and the column.
    pub fn numbers(&self, name: &str) -> Result<Vec<Cell>> {
        self.column(name)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                parse_number(v.unwrap_or("")).ok_or_else(|| {
                    Error::input(
                        Location::file(&self.file).at(self.line_of(row), name),
                        format!("«{}» is not a number", v.unwrap_or("")),
                        "write numbers with digits (a decimal comma or point, spaces between thousands are fine); \
                         leave the cell empty if the value is unknown or withheld",
                    )
                })
            })
            .collect()
    }

    /// A column of non-negative counts (see [`TextTable::numbers`]).
    pub fn counts(&self, name: &str) -> Result<Vec<Cell>> {
        let cells = self.numbers(name)?;
        for (row, c) in cells.iter().enumerate() {
            if let Cell::Value(v) = c {
                if *v < 0.0 {
                    return Err(Error::input(
                        Location::file(&self.file).at(self.line_of(row), name),
                        format!("negative count {v}"),
                        "counts cannot be negative: check the column and the row",
                    ));
                }
            }
        }
        Ok(cells)
    }
}

/// Parse a number as French and international files write it: `1234.5`, `1234,5`,
/// `1 234,5` (space or non-breaking space between thousands). Empty cells and secret
/// markers give [`Cell::Missing`]; anything else that is not a finite number, `None`.
pub fn parse_number(raw: &str) -> Option<Cell> {
    let t = raw.trim();
    let lower = t.to_lowercase();
    if t.is_empty() || SECRET_MARKERS.contains(&lower.as_str()) {
        return Some(Cell::Missing);
    }
    let compact: String = t.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let normalised = if compact.contains(',') && !compact.contains('.') {
        compact.replacen(',', ".", 1)
    } else {
        compact
    };
    if normalised.contains(',') {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|v| v.is_finite()).map(Cell::Value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_files_write_them() {
        assert_eq!(parse_number("12"), Some(Cell::Value(12.0)));
        assert_eq!(parse_number(" 1 234,5 "), Some(Cell::Value(1234.5)));
        assert_eq!(parse_number("1\u{a0}234"), Some(Cell::Value(1234.0)));
        assert_eq!(parse_number("0.25"), Some(Cell::Value(0.25)));
        assert_eq!(parse_number(""), Some(Cell::Missing));
        assert_eq!(parse_number("s"), Some(Cell::Missing));
        assert_eq!(parse_number("NS"), Some(Cell::Missing));
        assert_eq!(parse_number("N/A - secret statistique"), Some(Cell::Missing));
        assert_eq!(parse_number("N/A - résultat non disponible"), Some(Cell::Missing));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("1,2,3"), None);
        assert_eq!(parse_number("inf"), None);
    }

    #[test]
    fn separators_are_sniffed() {
        assert_eq!(sniff_separator("a;b;c"), b';');
        assert_eq!(sniff_separator("a,b,c"), b',');
        assert_eq!(sniff_separator("a\tb\tc"), b'\t');
        assert_eq!(sniff_separator("\"a,1\";b"), b';');
        assert_eq!(sniff_separator("single"), b',');
    }

    #[test]
    fn latin1_bom_and_errors() {
        let t = TextTable::parse(b"\xEF\xBB\xBFgeo;n\n01;1 200\n02;s\n", Encoding::Auto, "f.csv").unwrap();
        assert_eq!(t.texts("geo").unwrap(), vec!["01", "02"]);
        assert_eq!(t.numbers("n").unwrap(), vec![Cell::Value(1200.0), Cell::Missing]);
        let t = TextTable::parse(b"nom;n\nAr\xe8s;3\n", Encoding::Auto, "f.csv").unwrap();
        assert_eq!(t.texts("nom").unwrap(), vec!["Arès"]);
        let e = TextTable::parse(b"nom;n\nAr\xe8s;3\n", Encoding::Utf8, "f.csv").unwrap_err().to_string();
        assert!(e.contains("f.csv, line 2") && e.contains("latin1"), "{e}");
        let t = TextTable::parse(b"a,b\n1,douze\n", Encoding::Auto, "g.csv").unwrap();
        let e = t.numbers("b").unwrap_err().to_string();
        assert!(e.contains("g.csv, line 2, column b") && e.contains("«douze»"), "{e}");
        let e = t.numbers("zz").unwrap_err().to_string();
        assert!(e.contains("«zz»") && e.contains("a, b"), "{e}");
        let t = TextTable::parse(b"a,b\n1,-2\n", Encoding::Auto, "h.csv").unwrap();
        assert!(t.counts("b").unwrap_err().to_string().contains("negative"));
        assert!(TextTable::parse(b"\n\n", Encoding::Auto, "e.csv").unwrap_err().to_string().contains("empty"));
    }
}
