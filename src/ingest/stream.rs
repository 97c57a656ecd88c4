//! Delimited text read record by record, in bounded memory, for files too large to hold as a
//! [`crate::ingest::TextTable`]: INSEE's BPE with one row per equipment has millions of rows,
//! the FINESS extract of the établissements mixes record types without a header. A reader
//! keeps only what it counts.
//!
//! Quoting is RFC 4180 (`"a;b"`, `""` for a quote, a quoted field may span lines). Each
//! line is UTF-8 when it is valid UTF-8, else Windows-1252 (or as the encoding given says).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level};
use crate::ingest::{Cell, Encoding};

/// Bytes read from the beginning of a file to detect its layout without reading it whole.
pub const HEAD_BYTES: usize = 64 * 1024;

/// The first lines of a file: at most [`HEAD_BYTES`], cut after the last whole line.
pub fn head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = File::open(path).map_err(|e| Error::read(path, e))?;
    let mut bytes = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| Error::read(path, e))?;
    if bytes.len() > HEAD_BYTES {
        // Keep whole lines only; a file without a line end in its head has no usable head.
        let end = bytes[..HEAD_BYTES].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(end);
    }
    Ok(bytes)
}

/// One decoded line, without its line end; a BOM at the start of the file is dropped.
fn decode_line(bytes: &[u8], encoding: Encoding, first: bool) -> String {
    let bytes = if first { bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes) } else { bytes };
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match (encoding, std::str::from_utf8(bytes)) {
        (Encoding::Latin1, _) | (Encoding::Auto, Err(_)) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
        (_, Ok(s)) => s.to_owned(),
        (Encoding::Utf8, Err(_)) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Records of a delimited file, read one at a time.
pub struct Records {
    reader: BufReader<File>,
    /// The file as errors name it.
    pub file: String,
    pub separator: u8,
    encoding: Encoding,
    /// Lines read so far (the 1-based number of the last line read).
    line: usize,
    buf: Vec<u8>,
}

impl Records {
    /// Open `path`, its records separated by `separator`.
    pub fn open(path: &Path, separator: u8, encoding: Encoding) -> Result<Records> {
        let file = File::open(path).map_err(|e| Error::read(path, e))?;
        Ok(Records {
            reader: BufReader::with_capacity(1 << 16, file),
            file: path.display().to_string(),
            separator,
            encoding,
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The next line of text, or `None` at the end of the file.
    fn next_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| Error::read(Path::new(&self.file), e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(decode_line(&self.buf, self.encoding, self.line == 1)))
    }

    /// Read the next record into `fields` (reusing its strings); its first line, or `None`
    /// at the end of the file. Blank lines (nothing but separators and spaces) are skipped.
    pub fn next_record(&mut self, fields: &mut Vec<String>) -> Result<Option<usize>> {
        loop {
            let Some(line) = self.next_line()? else { return Ok(None) };
            let start = self.line;
            let mut used = 0;
            let mut text = line;
            loop {
                match split(&text, self.separator as char, fields, &mut used) {
                    Split::Done => break,
                    Split::OpenQuote => match self.next_line()? {
                        Some(more) => {
                            text.push('\n');
                            text.push_str(&more);
                            used = 0;
                        }
                        None => {
                            return Err(Error::input(
                                Location { file: self.file.clone(), line: Some(start), column: None },
                                "a quote opened on this line is never closed",
                                "check the quotes (\") in the file",
                            ))
                        }
                    },
                }
            }
            fields.truncate(used);
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Ok(Some(start));
        }
    }
}

enum Split {
    Done,
    /// The text ends inside a quoted field: the record goes on on the next line.
    OpenQuote,
}

/// Split one record's text into `fields` (reusing their strings), `used` set to how many.
fn split(text: &str, sep: char, fields: &mut Vec<String>, used: &mut usize) -> Split {
    let mut chars = text.chars().peekable();
    *used = 0;
    loop {
        if fields.len() <= *used {
            fields.push(String::new());
        }
        let field = &mut fields[*used];
        field.clear();
        *used += 1;
        let mut quoted = false;
        // A field is quoted when it starts with a quote; elsewhere a quote is text.
        if chars.peek() == Some(&'"') {
            chars.next();
            quoted = true;
        }
        loop {
            match chars.next() {
                None if quoted => return Split::OpenQuote,
                None => return Split::Done,
                Some('"') if quoted => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                }
                Some(c) if c == sep && !quoted => break,
                Some(c) => field.push(c),
            }
        }
    }
}

/// The index of the first of `aliases` (case-insensitive) among `header`.
pub fn position(header: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| header.iter().position(|h| h.trim().eq_ignore_ascii_case(a)))
}

/// Strings numbered in the order met, so that counts are keyed by small numbers.
#[derive(Default)]
struct Interner {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(s.to_owned(), i);
        self.names.push(s.to_owned());
        i
    }
}

/// A sum of counts; withheld if one of its parts is.
#[derive(Debug, Clone, Copy)]
struct Count {
    value: f64,
    withheld: bool,
    /// The first line that fed it.
    line: usize,
}

/// The counts of 0 [`CommuneCounts::push`] added, and the départements its file covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    pub zeros: usize,
    pub departements: usize,
}

impl Filled {
    /// The note for the summary, `what` naming the kinds filled; none when nothing was.
    pub fn note(self, what: &str) -> Option<String> {
        (self.zeros > 0).then(|| {
            format!(
                "a commune without a row of {what} has none (the file lists them all): {} counts of 0 added, in the {} départements the file covers",
                self.zeros, self.departements
            )
        })
    }
}

/// Counts of things located in communes (equipments, établissements), summed by commune as
/// written, kind and year while a file is read; memory grows with the communes and kinds
/// met, not with the rows.
#[derive(Default)]
pub struct CommuneCounts {
    communes: Interner,
    kinds: Interner,
    counts: HashMap<(u32, u32, i32), Count>,
}

impl CommuneCounts {
    /// Add `cell` to the count of `kind` in `commune` (as written) in `year`.
    pub fn add(&mut self, commune: &str, kind: &str, year: i32, cell: Cell, line: usize) {
        let key = (self.communes.id(commune), self.kinds.id(kind), year);
        let count = self.counts.entry(key).or_insert(Count { value: 0.0, withheld: false, line });
        match cell {
            Cell::Value(v) => count.value += v,
            Cell::Missing => count.withheld = true,
        }
    }

    /// The kinds met, in the order met.
    pub fn kinds(&self) -> &[String] {
        &self.kinds.names
    }

    /// Push the counts into `sink` as `measure(kind)`, located at their first line in `file`,
    /// column `column`. Each thing counted is in one commune: the counts of a former commune
    /// (a file on an older geography) are added to its current commune, and the remapping
    /// said in the summary; unknown codes go to the sink as written, which lists them.
    ///
    /// The file lists every thing it counts (each equipment of the BPE, each établissement
    /// of FINESS), so a commune without a row has none: for the kinds `listed` names, every
    /// base unit of the départements the file covers (those with a row that year) and without
    /// a row of the kind counts 0, rather than "not given", which would withhold the rate of
    /// any territory holding one. A département the file does not reach stays not given.
    pub fn push(
        self,
        sink: &mut FactSink,
        file: &str,
        column: &str,
        measure: impl Fn(&str) -> String,
        listed: impl Fn(&str) -> bool,
    ) -> Result<Filled> {
        let referential = sink.referential();
        let mut current: Vec<String> = Vec::with_capacity(self.communes.names.len());
        for raw in &self.communes.names {
            match referential.resolve(raw) {
                Ok(resolved) => {
                    if let Some(remap) = &resolved.remap {
                        sink.summary.remapped.insert(remap.from.clone(), format!("{} ({})", resolved.code, remap.kind.label()));
                    }
                    current.push(resolved.code);
                }
                Err(_) => current.push(raw.clone()),
            }
        }
        let mut merged: BTreeMap<(&str, &str, i32), Count> = BTreeMap::new();
        for ((commune, kind, year), count) in self.counts {
            let key = (current[commune as usize].as_str(), self.kinds.names[kind as usize].as_str(), year);
            let entry = merged.entry(key).or_insert(Count { value: 0.0, withheld: false, line: count.line });
            entry.value += count.value;
            entry.withheld |= count.withheld;
            entry.line = entry.line.min(count.line);
        }
        for ((commune, kind, year), count) in &merged {
            let cell = if count.withheld { Cell::Missing } else { Cell::Value(count.value) };
            sink.push(commune, Level::Commune, CellKey::count(*year, measure(kind)), cell, &Location::file(file).at(count.line, column))?;
        }
        // The départements covered each year, and the (kind, year) listed, each with its communes.
        let mut covered: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
        let mut rows: BTreeMap<(&str, i32), HashSet<&str>> = BTreeMap::new();
        for &(commune, kind, year) in merged.keys() {
            if let Some(unit) = referential.unit(commune) {
                covered.entry(year).or_default().insert(unit.departement.as_str());
                if listed(kind) {
                    rows.entry((kind, year)).or_default().insert(commune);
                }
            }
        }
        let mut zeros = 0;
        for ((kind, year), communes) in rows {
            let departements = &covered[&year];
            // A city given whole (75056) stands for its arrondissements.
            let absent = referential.base_units_where(|u| {
                departements.contains(u.departement.as_str()) && !communes.contains(u.code.as_str()) && !communes.contains(u.commune.as_str())
            });
            let before = sink.summary.cells;
            sink.absent_means_zero(absent.into_iter().map(|u| u.code.as_str()), &CellKey::count(year, measure(kind)));
            zeros += sink.summary.cells - before;
        }
        Ok(Filled { zeros, departements: covered.values().map(BTreeSet::len).max().unwrap_or_default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Vec<(usize, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, text).unwrap();
        let mut r = Records::open(&path, b';', Encoding::Auto).unwrap();
        let mut out = Vec::new();
        let mut fields = Vec::new();
        while let Some(line) = r.next_record(&mut fields).unwrap() {
            out.push((line, fields.clone()));
        }
        out
    }

    #[test]
    fn quotes_bom_blank_lines_and_latin1() {
        let got = records(b"\xEF\xBB\xBFa;b\r\n\"x;\"\"y\"\"\";2\r\n;;\r\n\r\n\"multi\nline\";3\nAr\xe8s;4\n1;\n");
        let want: Vec<(usize, Vec<&str>)> =
            vec![(1, vec!["a", "b"]), (2, vec!["x;\"y\"", "2"]), (5, vec!["multi\nline", "3"]), (7, vec!["Arès", "4"]), (8, vec!["1", ""])];
        let got: Vec<(usize, Vec<&str>)> = got.iter().map(|(l, f)| (*l, f.iter().map(String::as_str).collect())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.csv");
        std::fs::write(&path, "a;b\n1;\"2\n3;4\n").unwrap();
        let mut r = Records::open(&path, b';', Encoding::Auto).unwrap();
        let mut fields = Vec::new();
        r.next_record(&mut fields).unwrap();
        let e = r.next_record(&mut fields).unwrap_err().to_string();
        assert!(e.contains("q.csv, line 2") && e.contains("never closed"), "{e}");
    }

    #[test]
    fn the_head_keeps_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        let line = "0123456789;abcdefghij\n";
        std::fs::write(&path, line.repeat(HEAD_BYTES / line.len() + 10)).unwrap();
        let h = head(&path).unwrap();
        assert!(h.len() <= HEAD_BYTES && h.len().is_multiple_of(line.len()) && h.ends_with(b"\n"), "{}", h.len());
    }
}
