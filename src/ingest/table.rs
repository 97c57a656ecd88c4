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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
pub const SECRET_MARKERS: &[&str] =
    &["s", "nc", "ns", "nd", "na", "n/a", "secret", "c", "x", "*", "n/a - secret statistique", "n/a - résultat non disponible", "secret statistique"];

fn spreadsheet_error(path: &Path, e: String) -> Error {
    Error::input(
        Location::file(path.display().to_string()),
        format!("cannot read the spreadsheet: {e}"),
        "save it again as .xlsx or export the sheet as CSV",
    )
}

fn open_workbook(path: &Path) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>> {
    calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => Error::read(path, io),
        other => spreadsheet_error(path, other.to_string()),
    })
}

/// A table of text cells with the file it came from.
#[derive(Debug, Clone)]
pub struct TextTable {
    pub file: String,
    pub frame: DataFrame,
    /// 1-based line of the header in the file.
    pub header_line: usize,
    /// 1-based file line where each data row starts (blank lines are skipped).
    pub row_lines: Vec<usize>,
    /// The non-blank lines above the header (an export's title, its geography, a workbook's
    /// « Millésime : 2022 » or « Année 2023 »), each as its non-blank cells joined by a space.
    pub titles: Vec<String>,
}

/// A units line split off a table (see [`TextTable::split_units_line`]).
#[derive(Debug, Clone)]
pub struct UnitsLine {
    /// Each column's unit, for the columns that have one.
    pub units: Vec<(String, String)>,
    /// The table without the units line.
    pub rest: TextTable,
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
                "read it as latin1 (Windows-1252), or save the file as UTF-8",
            )
        }),
        Encoding::Auto => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
        },
        Encoding::Latin1 => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
    }
}

/// The header line of `text` (line index `first`).
fn header_text(text: &str, first: usize) -> &str {
    text.lines().nth(first).unwrap_or_default()
}

/// Number of fields of a one-line record, separators inside quotes being text.
fn field_count(line: &str, sep: char) -> usize {
    let mut quoted = false;
    1 + line
        .chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == sep && !quoted
        })
        .count()
}

/// A line above the header as text: its non-blank cells, unquoted, joined by a space.
fn title_text(line: &str, sep: char) -> String {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Number of non-blank fields of a line, separators inside quotes being text.
fn non_blank_fields(line: &str, sep: char) -> usize {
    let (mut count, mut blank, mut quoted) = (0, true, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                count += usize::from(!blank);
                blank = true;
            }
            c if !c.is_whitespace() => blank = false,
            _ => {}
        }
    }
    count + usize::from(!blank)
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
    if counts[best] == 0 {
        b','
    } else {
        seps[best]
    }
}

impl TextTable {
    /// Read a delimited file, or a spreadsheet (`.xlsx`, `.xlsm`, `.xls`, `.ods`: its first
    /// sheet, or the one named after `#`: `apl.xlsx#APL 2023`).
    pub fn read(path: &Path, encoding: Encoding) -> Result<TextTable> {
        let (file, sheet) = match path.to_str().and_then(|p| p.rsplit_once('#')) {
            Some((file, sheet)) if !path.exists() => (Path::new(file), Some(sheet)),
            _ => (path, None),
        };
        if TextTable::is_spreadsheet(file) {
            return TextTable::read_spreadsheet(file, sheet);
        }
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        TextTable::parse(&bytes, encoding, &path.display().to_string())
    }

    /// Whether `path` names a spreadsheet (by its extension).
    pub fn is_spreadsheet(path: &Path) -> bool {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        matches!(extension.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
    }

    /// Every sheet of a workbook that holds a table (at least a header and a row), each
    /// parsed on its own: a sheet of notes (DREES's « Paramètres ») comes back as its error,
    /// for the caller to skip or report. A delimited file is its one table.
    pub fn read_all(path: &Path, encoding: Encoding) -> Result<Vec<Result<TextTable>>> {
        if !TextTable::is_spreadsheet(path) {
            return Ok(vec![TextTable::read(path, encoding)]);
        }
        let mut workbook = open_workbook(path)?;
        let names = calamine::Reader::sheet_names(&workbook);
        let mut tables = Vec::new();
        for sheet in names {
            let range = calamine::Reader::worksheet_range(&mut workbook, &sheet).map_err(|e| spreadsheet_error(path, e.to_string()))?;
            if range.height() >= 2 {
                tables.push(TextTable::from_range(&range, &format!("{} (sheet {sheet})", path.display())));
            }
        }
        Ok(tables)
    }

    /// A sheet as a table: every cell as text (numbers in their shortest exact form), one
    /// line per sheet row so that errors give the row number Excel shows.
    fn read_spreadsheet(path: &Path, sheet: Option<&str>) -> Result<TextTable> {
        use calamine::Reader;
        let name = path.display().to_string();
        let mut workbook = open_workbook(path)?;
        let names = workbook.sheet_names();
        let sheet = match sheet {
            Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
                Error::input(Location::file(&name), format!("no sheet named «{s}»"), format!("the sheets are: {}", names.join(", ")))
            })?,
            None => names.first().cloned().ok_or_else(|| spreadsheet_error(path, "the workbook has no sheet".into()))?,
        };
        let range = workbook.worksheet_range(&sheet).map_err(|e| spreadsheet_error(path, e.to_string()))?;
        TextTable::from_range(&range, &format!("{name} (sheet {sheet})"))
    }

    fn from_range(range: &calamine::Range<calamine::Data>, file: &str) -> Result<TextTable> {
        use calamine::Data;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut text = "\n".repeat(first_row as usize);
        for row in range.rows() {
            let cells = std::iter::repeat_n(String::new(), first_col as usize).chain(row.iter().map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.replace(['\n', '\r'], " "),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d.as_f64().to_string(),
                // #N/A, #DIV/0!…: read as a missing value.
                Data::Error(_) => "n/a".to_owned(),
            }));
            let line: Vec<String> = cells.map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            text.push_str(&line.join(";"));
            text.push('\n');
        }
        TextTable::parse(text.as_bytes(), Encoding::Utf8, file)
    }

    /// Parse delimited bytes; `file` names the source in errors.
    pub fn parse(bytes: &[u8], encoding: Encoding, file: &str) -> Result<TextTable> {
        let text = decode(bytes, encoding, file)?;
        let first = text
            .lines()
            .position(|l| !l.trim().is_empty())
            .ok_or_else(|| Error::input(Location::file(file), "the file is empty", "give a file with a header line and data rows"))?;
        // The separator: the one of the line that has most, among the first lines (a title
        // line above the header may have none).
        let separator = text
            .lines()
            .skip(first)
            .take(20)
            .map(|l| (sniff_separator(l), l))
            .max_by_key(|(sep, l)| l.matches(*sep as char).count())
            .map_or(b',', |(sep, _)| sep);
        // Exports from INSEE "statistiques locales" or CartoSanté put title lines above the
        // header ("Insee - Statistiques locales; ; ; …"): the header is the first line with
        // at least two non-blank fields.
        let first = text.lines().enumerate().skip(first).find(|(_, l)| non_blank_fields(l, separator as char) >= 2).map_or(first, |(i, _)| i);
        // Keep the header and every record that is not blank (Excel leaves `;;;` and empty
        // lines at the end), remembering the file line where each record starts; a quoted
        // field may span lines.
        let sep = separator as char;
        let mut body = String::with_capacity(text.len());
        let mut row_lines = Vec::new();
        let mut in_quotes = false;
        for (i, line) in text.lines().enumerate().skip(first) {
            let blank = line.chars().all(|c| c == sep || c.is_whitespace() || c == '"');
            if !in_quotes && blank && i != first {
                continue;
            }
            if !in_quotes && i != first {
                row_lines.push(i + 1);
                // A record on one line must have as many fields as the header.
                if line.matches('"').count() % 2 == 0 {
                    let (have, want) = (field_count(line, sep), field_count(header_text(&text, first), sep));
                    if have != want {
                        return Err(Error::input(
                            Location { file: file.to_owned(), line: Some(i + 1), column: None },
                            format!("{have} fields where the header has {want}"),
                            "every line needs as many separators as the header: fill missing cells with an empty value",
                        ));
                    }
                }
            }
            if line.matches('"').count() % 2 == 1 {
                in_quotes = !in_quotes;
            }
            body.push_str(line);
            body.push('\n');
        }
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
        // Blank header cells (a sub-header's columns in INSEE workbooks: « Ensemble » over
        // 21 age bands) are named by their position, « (blank 4) », so that they are not
        // taken for a repeated column.
        let mut frame = frame;
        let blank: Vec<(usize, String)> = frame
            .get_column_names()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.trim().is_empty() || n.starts_with("_duplicated_"))
            .map(|(i, n)| (i, n.to_string()))
            .collect();
        for (i, name) in blank {
            frame.rename(&name, format!("(blank {})", i + 1).into())?;
        }
        let names = frame.get_column_names();
        if let Some(dup) = names.iter().find(|n| n.contains("_duplicated_")) {
            let original = dup.split("_duplicated_").next().unwrap_or_default();
            return Err(Error::input(
                Location { file: file.to_owned(), line: Some(first + 1), column: Some(original.to_owned()) },
                format!("the column «{original}» appears twice in the header"),
                "rename or remove one of them",
            ));
        }
        if frame.height() != row_lines.len() {
            return Err(Error::input(
                Location::file(file),
                format!("{} records read but {} lines start one: a quote is not closed", frame.height(), row_lines.len()),
                "check the quotes (\") in the file",
            ));
        }
        let titles = text.lines().take(first).map(|l| title_text(l, sep)).filter(|t| !t.is_empty()).collect();
        Ok(TextTable { file: file.to_owned(), frame, header_line: first + 1, row_lines, titles })
    }

    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// File line of data row `row` (0-based).
    pub fn line_of(&self, row: usize) -> usize {
        self.row_lines.get(row).copied().unwrap_or(self.header_line + 1 + row)
    }

    fn column(&self, name: &str) -> Result<&StringChunked> {
        let col = self.frame.column(name).map_err(|_| {
            let names: Vec<String> = self.frame.get_column_names().iter().map(|s| s.to_string()).collect();
            Error::input(Location::file(&self.file), format!("no column named «{name}»"), format!("the columns are: {}", names.join(", ")))
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
    // INSEE's conventional sign for a result that is exactly zero.
    if t == "-" || t == "–" {
        return Some(Cell::Value(0.0));
    }
    let compact: String = t.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let normalised = if compact.contains(',') && !compact.contains('.') { compact.replacen(',', ".", 1) } else { compact };
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
        assert_eq!(parse_number("-"), Some(Cell::Value(0.0)), "INSEE: résultat rigoureusement nul");
    }

    #[test]
    fn ragged_rows_and_repeated_columns_are_errors_with_their_line() {
        let e = TextTable::parse(b"a;b;c\n1;2;3\n4;5\n", Encoding::Utf8, "r.csv").unwrap_err().to_string();
        assert!(e.contains("r.csv, line 3") && e.contains("2 fields") && e.contains("has 3"), "{e}");
        let e = TextTable::parse(b"a;b;c\n1;2;3;4\n", Encoding::Utf8, "r.csv").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("4 fields"), "{e}");
        let e = TextTable::parse(b"a;b;a\n1;2;3\n", Encoding::Utf8, "r.csv").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("«a» appears twice"), "{e}");
        let t = TextTable::parse(b"Titre seul\na;b\n1;\"x;y\"\n", Encoding::Utf8, "t.csv").unwrap();
        assert_eq!((t.header_line, t.texts("b").unwrap()), (2, vec!["x;y".to_owned()]));
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

    #[test]
    fn title_lines_above_the_header_are_skipped() {
        let text = "\u{feff}Insee - Statistiques locales; ; \nRéférentiel géographique : France; ; \nCode;Libellé;N\n01;Ain;3\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "s.csv").unwrap();
        assert_eq!(t.header_line, 3);
        assert_eq!(t.line_of(0), 4);
        assert_eq!(t.texts("Code").unwrap(), vec!["01"]);
        assert_eq!(t.titles, ["Insee - Statistiques locales", "Référentiel géographique : France"]);
    }

    #[test]
    fn blank_header_cells_are_named_by_their_position() {
        let t = TextTable::parse(
            "Titre\nDépartements;;Ensemble;;Hommes\n;;0 à 4 ans;5 à 9 ans;0 à 4 ans\n01;Ain;3;4;1\n".as_bytes(),
            Encoding::Utf8,
            "w.csv",
        )
        .unwrap();
        assert_eq!(t.column_names(), ["Départements", "(blank 2)", "Ensemble", "(blank 4)", "Hommes"]);
        assert_eq!(t.texts("(blank 4)").unwrap(), ["5 à 9 ans", "4"]);
        assert_eq!(t.titles, ["Titre"]);
    }

    #[test]
    fn title_lines_are_kept_and_a_units_line_is_split_off() {
        let text = "\u{feff}CartoSanté; ; \nRéférentiel géographique : France par bassin de vie; ; \nCode;Libellé;APL 2023\n01004;Ambérieu;3\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "c.csv").unwrap();
        assert_eq!(t.titles, ["CartoSanté", "Référentiel géographique : France par bassin de vie"]);
        assert!(t.split_units_line().unwrap().is_none(), "the first row is data");
        let text = "\"Indicateur\";\"\"\n\"Millésime : 2022\";\"\"\ncode;nom;n\n;;En nombre d'habitants\n01001;A;806\n01002;B;s\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "d.csv").unwrap();
        assert_eq!(t.titles, ["Indicateur", "Millésime : 2022"]);
        let UnitsLine { units, rest } = t.split_units_line().unwrap().unwrap();
        assert_eq!(units, [("n".to_owned(), "En nombre d'habitants".to_owned())]);
        assert_eq!((rest.height(), rest.line_of(0), rest.header_line), (2, 5, 3));
        assert_eq!(rest.numbers("n").unwrap(), vec![Cell::Value(806.0), Cell::Missing]);
        // A row whose first cell is empty but whose cells are numbers or secrets is data.
        let t = TextTable::parse(b"code;n;m\n;3;s\n", Encoding::Auto, "e.csv").unwrap();
        assert!(t.split_units_line().unwrap().is_none());
    }

    #[test]
    fn blank_records_are_skipped_and_lines_kept() {
        let text = "a;b\r\n1;2\r\n\r\n;;\r\n\"x\ny\";3\r\n4;5\r\n\r\n";
        let t = TextTable::parse(text.as_bytes(), Encoding::Utf8, "b.csv").unwrap();
        assert_eq!(t.height(), 3);
        assert_eq!((t.line_of(0), t.line_of(1), t.line_of(2)), (2, 5, 7));
        assert_eq!(t.numbers("b").unwrap(), vec![Cell::Value(2.0), Cell::Value(3.0), Cell::Value(5.0)]);
    }
}

impl TextTable {
    /// The first column whose name is one of `aliases` (case-insensitive), if any.
    pub fn find_column(&self, aliases: &[&str]) -> Option<String> {
        let names: Vec<String> = self.frame.get_column_names().iter().map(|s| s.to_string()).collect();
        aliases.iter().find_map(|a| names.iter().find(|n| n.trim().eq_ignore_ascii_case(a)).cloned())
    }

    /// Like [`TextTable::find_column`], but a missing column is an error saying which
    /// names were looked for.
    pub fn require_column(&self, what: &str, aliases: &[&str]) -> Result<String> {
        self.find_column(aliases).ok_or_else(|| {
            let names: Vec<String> = self.frame.get_column_names().iter().map(|s| s.to_string()).collect();
            Error::input(
                Location::file(&self.file),
                format!("no {what} column (looked for {})", aliases.join(", ")),
                format!("rename the column to one of these names; the file's columns are: {}", names.join(", ")),
            )
        })
    }

    /// Names of all columns.
    pub fn column_names(&self) -> Vec<String> {
        self.frame.get_column_names().iter().map(|s| s.to_string()).collect()
    }

    /// A units line under the header (DREES's workbooks: « En nombre d'habitants » under
    /// « Population totale 2020 »), if the first row is one: its first cell empty, the others
    /// text that is neither a number nor a secret marker. Returns each column's unit and the
    /// table without that row; `None` when the first row is data.
    pub fn split_units_line(&self) -> Result<Option<UnitsLine>> {
        let names = self.column_names();
        if self.height() == 0 || names.len() < 2 {
            return Ok(None);
        }
        let mut units = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let cell = self.column(name)?.get(0).unwrap_or("").trim().to_owned();
            match (i, cell.is_empty()) {
                (0, false) => return Ok(None),
                (_, true) => {}
                _ if parse_number(&cell).is_some() => return Ok(None),
                _ => units.push((name.clone(), cell)),
            }
        }
        if units.is_empty() {
            return Ok(None);
        }
        let rest = TextTable {
            frame: self.frame.slice(1, self.height() - 1),
            row_lines: self.row_lines.iter().skip(1).copied().collect(),
            header_line: self.header_line,
            file: self.file.clone(),
            titles: self.titles.clone(),
        };
        Ok(Some(UnitsLine { units, rest }))
    }
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::*;

    /// The real DREES APL workbook: 9 title lines, a header, a units line, then one row per
    /// commune; the sheet is chosen by name.
    #[test]
    fn reads_the_real_drees_apl_workbook() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata/medical/drees_apl_medecins_generalistes_2022_2023.xlsx");
        if !path.exists() {
            println!("skipped: {} absent (../shared/realdata not beside the project)", path.display());
            return;
        }
        let t = TextTable::read(Path::new(&format!("{}#APL 2023", path.display())), Encoding::Auto).unwrap();
        let codes = t.texts("Code commune INSEE").unwrap();
        // 34,954 communes plus the units line under the header.
        assert!((34_950..34_960).contains(&codes.len()), "{}", codes.len());
        let row = codes.iter().position(|c| c == "30003").unwrap();
        assert_eq!(t.line_of(row), t.header_line + 1 + row, "one line per sheet row");
        assert!(t.numbers("APL aux médecins généralistes").is_err(), "the units line is text, and says where");
        let e = TextTable::read(Path::new(&format!("{}#APL 2030", path.display())), Encoding::Auto).unwrap_err().to_string();
        assert!(e.contains("APL 2023") && e.contains("APL 2030"), "{e}");
    }
}
