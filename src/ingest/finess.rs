//! FINESS (Fichier national des établissements sanitaires et sociaux, Ministère de la Santé).
//!
//! **The établissements** (« FINESS Extraction du Fichier des établissements »,
//! `etalab-cs1100507-stock-AAAAMMJJ-HHMM.csv`), as published: no header; a first line
//! `finess;etalab;NN;AAAA-MM-JJ` (the date of the extract), then one line per établissement
//! prefixed `structureet` and one per location prefixed `geolocalisation`. The `structureet`
//! fields, by position (data.gouv.fr documentation of the dataset):
//!
//! ```text
//! structureet;nofinesset;nofinessej;rs;rslongue;complrs;compldistrib;numvoie;typvoie;voie;compvoie;
//! lieuditbp;commune;departement;libdepartement;ligneacheminement;telephone;telecopie;categetab;
//! libcategetab;categagretab;libcategagretab;siret;codeape;codemft;libmft;codesph;libsph;dateouv;
//! dateautor;datemaj;numuai
//! ```
//! A copy with that header line is read too. The commune is the département (`01`, `2A`, and
//! `9A`…`9F` overseas) and the commune number in it (`451`): `01451`; overseas the number
//! holds the département's last digit (`9A` + `101` → `97101`). Établissements are counted
//! by commune and category (`categetab`): `facility_<slug>`, the slugs in
//! `data/nomenclatures/finess-categories.csv` (`facility_msp` for 603, `facility_ehpad` for
//! 500…), `facility_cat<code>` for the others. The year is the extract's. The extract lists
//! every établissement: in the départements it reaches, a commune without a row of a named
//! category gets a count of 0 ([`CommuneCounts::push`]).
//!
//! **The réexposition extracts** (`finess_activites_soin.txt`, `finess_materiels_lourds.txt`,
//! `finess_disciplines_enseignement.txt`): authorisations of care activities, heavy equipment
//! and training capacities, one row per authorisation, with the FINESS numbers of the
//! établissement and of its legal entity but no commune. They are counted by **département**,
//! read from the établissement's FINESS number (see [`departement_of`]); the établissements
//! file gives commune counts, of its own categories. Their year is the one given (or a date
//! `AAAAMMJJ` in the file name): the extracts carry none.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{CellKey, FactSink, Level, Origin};
use crate::ingest::layout::{Detection, Options};
use crate::ingest::stream::{position, CommuneCounts, Records};
use crate::ingest::{Cell, Encoding, TextTable};

/// The `structureet` fields of the établissements extract, in order.
pub const ESTABLISHMENT_FIELDS: [&str; 32] = [
    "structureet",
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
    "numuai",
];

const CATEGORIES: &str = include_str!("../../data/nomenclatures/finess-categories.csv");

/// A category of établissement: its code, the slug of its measure and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub slug: String,
    pub label: String,
}

/// The categories of `data/nomenclatures/finess-categories.csv`.
pub fn categories() -> &'static [Category] {
    static TABLE: OnceLock<Vec<Category>> = OnceLock::new();
    TABLE.get_or_init(|| {
        CATEGORIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1)
            .filter_map(|l| {
                let mut f = l.splitn(3, ';');
                Some(Category { code: f.next()?.to_owned(), slug: f.next()?.to_owned(), label: f.next()?.to_owned() })
            })
            .collect()
    })
}

/// The measure of a category: `facility_<slug>`, or `facility_cat<code>` when not listed.
pub fn facility_measure(code: &str) -> String {
    match categories().iter().find(|c| c.code == code) {
        Some(c) => format!("facility_{}", c.slug),
        None => format!("facility_cat{}", code.to_ascii_lowercase()),
    }
}

/// Whether `s` has the shape of a FINESS number: nine characters, the first two a
/// département (digits, `2A`, `2B`), the others digits.
pub fn is_finess_number(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 9
        && (b[..2].iter().all(u8::is_ascii_digit) || (b[0] == b'2' && matches!(b[1], b'A' | b'B' | b'a' | b'b')))
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// The département of a FINESS number: its first two characters (`01`, `2A`); overseas,
/// `97` or `98`, a `0`, then the last digit of the département's three-digit code, as the
/// extracts show: `9701…` Guadeloupe (971, CHU de la Guadeloupe 970100442), `9702…`
/// Martinique, `9703…` Guyane, `9704…` La Réunion, `9705…` Saint-Pierre-et-Miquelon (975),
/// `9805…` Mayotte (985 until 2008, now 976: CH de Mayotte 980500011). Saint-Barthélemy and
/// Saint-Martin are numbered in Guadeloupe.
pub fn departement_of(finess: &str) -> Option<String> {
    let f = finess.trim().to_ascii_uppercase();
    if !is_finess_number(&f) {
        return None;
    }
    match &f[..2] {
        "97" | "98" => {
            let (zero, digit) = (f.as_bytes()[2], f.as_bytes()[3]);
            if zero != b'0' {
                return None;
            }
            Some(match (&f[..2], digit) {
                ("98", b'5') => "976".to_owned(),
                ("97", b'1'..=b'5') => format!("97{}", digit as char),
                _ => return None,
            })
        }
        "00" => None,
        dep => Some(dep.to_owned()),
    }
}

/// The INSEE code of a commune from the établissements extract's `departement` and
/// `commune` fields: `01` + `451` → `01451`; overseas `9A`…`9F` + `101` → `97101`. Lost
/// leading zeros (`1`, `53`) are restored.
pub fn commune_code(departement: &str, commune: &str) -> Option<String> {
    let (dep, com) = (departement.trim().to_ascii_uppercase(), commune.trim());
    if com.is_empty() || com.len() > 3 || !com.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let com = format!("{com:0>3}");
    match dep.as_bytes() {
        [b'9', b'A'..=b'F'] => Some(format!("97{com}")),
        [d] if d.is_ascii_digit() => Some(format!("0{dep}{com}")),
        [a, b] if a.is_ascii_digit() && (b.is_ascii_digit() || (*a == b'2' && matches!(b, b'A' | b'B'))) => Some(format!("{dep}{com}")),
        _ => None,
    }
}

/// The year of a date `AAAAMMJJ` in a file name (`etalab-cs1100507-stock-20240320-0341.csv`).
pub fn year_of_name(path: &Path) -> Option<i32> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let bytes = name.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let run = bytes[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 8 {
            let (y, m, d): (i32, u32, u32) =
                (name[start..start + 4].parse().ok()?, name[start + 4..start + 6].parse().ok()?, name[start + 6..start + 8].parse().ok()?);
            if (1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) {
                return Some(y);
            }
        }
        start += run.max(1);
    }
    None
}

/// The beginning of an établissements extract as published (no header, a first line
/// `finess;etalab;…`) as a table with its documented fields for a header, for detection;
/// `None` for any other file.
pub fn headerless_head(bytes: &[u8], encoding: Encoding, file: &str) -> Option<TextTable> {
    let text = crate::ingest::table::decode(bytes, encoding, file).ok()?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next()?;
    if !first.to_ascii_lowercase().starts_with("finess;") || !lines.any(|l| l.starts_with("structureet;")) {
        return None;
    }
    TextTable::parse(format!("{}\n", ESTABLISHMENT_FIELDS.join(";")).as_bytes(), Encoding::Utf8, file).ok()
}

/// The établissements layout: a FINESS number, its commune and its category.
pub fn detect_establishments(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["nofinesset"], &["categetab"], &["commune"], &["departement"]])
}

/// Read the établissements extract (as published, or with a header line) into `sink`:
/// établissements by commune and category.
pub fn read_establishments(path: &Path, options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Ministère de la Santé", "FINESS, établissements"));
    let mut records = Records::open(path, b';', options.encoding)?;
    let file = records.file.clone();
    let mut fields = Vec::new();
    let Some(first_line) = records.next_record(&mut fields)? else {
        return Err(Error::input(Location::file(&file), "the file is empty", "give the FINESS extract as published"));
    };
    // As published: `finess;etalab;NN;date` and fields by position; else a header.
    let published = fields.first().is_some_and(|f| f.trim().eq_ignore_ascii_case("finess"));
    let (header, extract_year): (Vec<String>, Option<i32>) = if published {
        let year = fields.get(3).and_then(|d| d.trim().get(..4)).and_then(|y| y.parse().ok());
        (ESTABLISHMENT_FIELDS.iter().map(|s| (*s).to_owned()).collect(), year)
    } else {
        (fields.iter().map(|h| h.trim().to_owned()).collect(), None)
    };
    let col = |name: &str| {
        position(&header, &[name]).ok_or_else(|| {
            Error::input(
                Location { file: file.clone(), line: Some(first_line), column: None },
                format!("no {name} column"),
                "give the FINESS extract of the établissements as published",
            )
        })
    };
    let (finess_col, commune_col, dep_col, cat_col) = (col("nofinesset")?, col("commune")?, col("departement")?, col("categetab")?);
    let label_col = position(&header, &["libcategetab"]);
    let year = match (extract_year, year_of_name(path), options.year) {
        (Some(y), _, given) | (None, Some(y), given) => {
            if let Some(g) = given.filter(|g| *g != y) {
                sink.summary.notes.push(format!("the year of the extract ({y}) is read, not the year given ({g})"));
            }
            y
        }
        (None, None, Some(y)) => y,
        (None, None, None) => {
            return Err(Error::input(
                Location::file(&file),
                "the extract has no date",
                "give the year of the data (the year of the extract: 2024 for an extract of March 2024)",
            ))
        }
    };
    // The record type of the published lines is not a column.
    let used = [Some(finess_col), Some(commune_col), Some(dep_col), Some(cat_col), label_col, published.then_some(0)];
    for (i, name) in header.iter().enumerate() {
        if !used.contains(&Some(i)) {
            sink.summary.ignored_columns.insert(name.clone());
        }
    }
    let mut counts = CommuneCounts::default();
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut other_records: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = 0usize;
    while let Some(line) = records.next_record(&mut fields)? {
        if published && !fields[0].trim().eq_ignore_ascii_case("structureet") {
            *other_records.entry(fields[0].trim().to_owned()).or_default() += 1;
            continue;
        }
        let need = [finess_col, commune_col, dep_col, cat_col].into_iter().max().unwrap_or_default() + 1;
        if fields.len() < need {
            return Err(Error::input(
                Location { file: file.clone(), line: Some(line), column: None },
                format!("{} fields where an établissement has {}", fields.len(), header.len()),
                "give the FINESS extract as published",
            ));
        }
        rows += 1;
        let category = fields[cat_col].trim();
        if category.is_empty() || !category.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::input(
                Location::file(&file).at(line, "categetab"),
                format!("«{category}» is not a category of établissement"),
                "categetab holds a three-digit code such as 603",
            ));
        }
        let (dep, com) = (fields[dep_col].trim(), fields[commune_col].trim());
        // A malformed code goes to the sink as written, which lists it as unknown.
        let commune = commune_code(dep, com).unwrap_or_else(|| format!("{dep}{com}"));
        counts.add(&commune, category, year, Cell::Value(1.0), line);
        if let Some(l) = label_col.and_then(|c| fields.get(c)) {
            labels.entry(category.to_owned()).or_insert_with(|| l.trim().to_owned());
        }
    }
    sink.summary.rows += rows;
    let unlisted: Vec<String> = counts
        .kinds()
        .iter()
        .filter(|c| !categories().iter().any(|k| &k.code == *c))
        .map(|c| format!("{c} {}", labels.get(c).map_or("", String::as_str)).trim().to_owned())
        .collect();
    // The categories named in diagsante's table only (FINESS has some 300).
    let filled = counts.push(sink, &file, "commune", facility_measure, |k| categories().iter().any(|c| c.code == k))?;
    sink.summary.notes.extend(filled.note("a category named in diagsante's table"));
    for (kind, n) in other_records {
        sink.summary.notes.push(format!("{n} lines «{kind}» not used (only the «structureet» lines, one per établissement, are counted)"));
    }
    if !unlisted.is_empty() {
        let mut unlisted = unlisted;
        unlisted.sort();
        sink.summary.notes.push(format!("categories without a name in diagsante's table, counted as facility_cat<code>: {}", listed(&unlisted, 20)));
    }
    Ok(())
}

/// A réexposition extract's column by its header name, allowing for rows shifted one
/// column left of the header.
struct Columns {
    names: Vec<String>,
    /// 1 when the data rows are one column left of their header.
    shift: usize,
}

impl Columns {
    /// The columns of `table`, the shift detected: the column `nofinesset` should hold
    /// FINESS numbers; when it mostly does not and the column before it does, every row is
    /// one column left of the header (as `finess_materiels_lourds.txt` is published).
    fn of(table: &TextTable, sink: &mut FactSink) -> Result<Columns> {
        let names = table.column_names();
        let at = table.require_column("FINESS number of the établissement", &["nofinesset"])?;
        let i = names.iter().position(|n| *n == at).unwrap_or_default();
        let share = |name: &str| -> Result<f64> {
            let values = table.texts(name)?;
            let given = values.iter().filter(|v| !v.is_empty()).count().max(1);
            Ok(values.iter().filter(|v| is_finess_number(v)).count() as f64 / given as f64)
        };
        let shift = if i > 0 && share(&at)? < 0.5 && share(&names[i - 1])? > 0.9 { 1 } else { 0 };
        if shift == 1 {
            sink.summary.notes.push(format!(
                "the data rows are one column left of the header, as published (the column {at} holds dates, {} the FINESS numbers): \
                 each value is read under the header one column right of it; the first column's values ({}) are not in the rows",
                names[i - 1],
                names[0]
            ));
        }
        Ok(Columns { names, shift })
    }

    /// The table column holding the values of header column `name`.
    fn get(&self, table: &TextTable, name: &str) -> Result<String> {
        let i = table.require_column(name, &[name]).map(|n| self.names.iter().position(|x| *x == n).unwrap_or_default())?;
        if i < self.shift {
            return Err(Error::input(
                Location::file(&table.file),
                format!("the values of {name} are not in the rows"),
                "give the extract as published",
            ));
        }
        Ok(self.names[i - self.shift].clone())
    }

    /// Every header column not among `used`, for the summary.
    fn ignore_others(&self, used: &[&str], sink: &mut FactSink) {
        for n in &self.names {
            if !used.iter().any(|u| n.trim().eq_ignore_ascii_case(u)) {
                sink.summary.ignored_columns.insert(n.clone());
            }
        }
    }
}

/// The year of a réexposition extract and the date columns read for it: the year given,
/// else a date in its name, else the year of the latest authorisation or implementation date
/// it lists (`dateautor`, `datemeo`; not `datefin`, which may lie ahead): the extract is at
/// least as recent as the last decision in it. The published extracts carry no date of their
/// own, so a note says the year was inferred and `--year` sets it.
fn extract_year(table: &TextTable, cols: &Columns, options: &Options, sink: &mut FactSink) -> Result<(i32, Vec<&'static str>)> {
    if let Some(y) = options.year.or_else(|| year_of_name(Path::new(&table.file))) {
        return Ok((y, Vec::new()));
    }
    let is_date = |d: &str| d.len() == 10 && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let (mut latest, mut used): (Option<String>, Vec<&'static str>) = (None, Vec::new());
    for name in ["dateautor", "datemeo"] {
        let Some(c) = table.find_column(&[name]) else { continue };
        used.push(name);
        for d in table.texts(&cols.get(table, &c)?)? {
            let recent = d.get(..4).and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| y <= crate::facts::current_year());
            if is_date(&d) && recent && latest.as_ref().is_none_or(|l| d > *l) {
                latest = Some(d);
            }
        }
    }
    let Some(date) = latest else {
        return Err(Error::input(
            Location::file(&table.file),
            "the extract has no date, in its name or in its rows",
            "give the year of the data (the year of the extract: 2026 for an extract of March 2026)",
        ));
    };
    let year = date[..4].parse().map_err(|_| Error::Internal(format!("a date checked as such: {date}")))?;
    sink.summary.notes.push(format!(
        "the extract has no date: its year, {year}, is that of the latest authorisation or implementation date it lists ({date}; {}); give --year to set the extract's own",
        used.join(", ")
    ));
    Ok((year, used))
}

/// Counts by département of the FINESS number, then kind (activity, equipment…).
#[derive(Default)]
struct DepartementCounts {
    counts: BTreeMap<(String, String), (f64, bool, usize)>,
}

impl DepartementCounts {
    fn add(&mut self, finess: &str, kind: &str, cell: Cell, line: usize) {
        // A number that gives no département goes to the sink as written: listed as unknown.
        let dep = departement_of(finess).unwrap_or_else(|| finess.trim().to_owned());
        let e = self.counts.entry((dep, kind.to_owned())).or_insert((0.0, false, line));
        match cell {
            Cell::Value(v) => e.0 += v,
            Cell::Missing => e.1 = true,
        }
    }

    fn push(self, sink: &mut FactSink, year: i32, file: &str, column: &str, measure: impl Fn(&str) -> String) -> Result<()> {
        for ((dep, kind), (value, withheld, line)) in self.counts {
            let cell = if withheld { Cell::Missing } else { Cell::Value(value) };
            sink.push(&dep, Level::Departement, CellKey::count(year, measure(&kind)), cell, &Location::file(file).at(line, column))?;
        }
        sink.summary.notes.push(
            "counted by département, read from the établissement's FINESS number: this extract gives no commune \
             (the FINESS extract of the établissements, etalab-cs1100507, gives counts by commune of its categories)"
                .to_owned(),
        );
        Ok(())
    }
}

/// `items` joined for a note, the first `max` of them and how many more.
fn listed(items: &[String], max: usize) -> String {
    let shown = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    match items.len().saturating_sub(max) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// Codes and their labels met in a file, for the summary's notes.
fn labelled(codes: &[String], labels: &[String]) -> BTreeMap<String, String> {
    codes.iter().zip(labels).map(|(c, l)| (c.clone(), l.clone())).collect()
}

/// The authorisations of care activities: établissements authorised, by activity.
pub fn detect_activities(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["nofinesset"], &["activite"], &["libactivite"], &["noautor"]])
}

/// Read `finess_activites_soin.txt`: `care_activity_<activite>`, the établissements (distinct
/// FINESS numbers) holding at least one authorisation of the activity, by département.
pub fn read_activities(table: &TextTable, options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Ministère de la Santé", "FINESS, autorisations d'activités de soins"));
    let cols = Columns::of(table, sink)?;
    let (year, dates) = extract_year(table, &cols, options, sink)?;
    let (finess_col, activity_col, label_col) = (cols.get(table, "nofinesset")?, cols.get(table, "activite")?, cols.get(table, "libactivite")?);
    let (finess, activities, labels) = (table.texts(&finess_col)?, table.texts(&activity_col)?, table.texts(&label_col)?);
    let end_col = table.find_column(&["datefin"]).map(|c| cols.get(table, &c)).transpose()?;
    cols.ignore_others(&[&["nofinesset", "activite", "libactivite", "datefin"][..], &dates].concat(), sink);
    sink.summary.rows += table.height();
    let mut seen = BTreeSet::new();
    let mut counts = DepartementCounts::default();
    for row in 0..table.height() {
        let activity = activities[row].trim();
        if activity.is_empty() {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), "activite"),
                "no activity code",
                "give the extract as published",
            ));
        }
        if seen.insert((finess[row].trim().to_owned(), activity.to_owned())) {
            counts.add(&finess[row], activity, Cell::Value(1.0), table.line_of(row));
        }
    }
    if let Some(end_col) = end_col {
        let ended = table.texts(&end_col)?.iter().filter(|d| d.get(..4).and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| y < year)).count();
        if ended > 0 {
            sink.summary
                .notes
                .push(format!("{ended} authorisation lines have an end date (datefin) before {year}: they are counted as the extract lists them"));
        }
    }
    let names = labelled(&activities, &labels);
    let names: Vec<String> = names.iter().map(|(c, l)| format!("{c} {l}")).collect();
    sink.summary.notes.push(format!("care activities (care_activity_<code>, établissements authorised): {}", listed(&names, 20)));
    counts.push(sink, year, &table.file, "nofinesset", |a| format!("care_activity_{}", a.to_ascii_lowercase()))
}

/// The authorisations of heavy equipment (IRM, scanners…), one row per equipment.
pub fn detect_heavy_equipment(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["nofinesset"], &["eml"], &["libeml"], &["noautor"]])
}

/// Read `finess_materiels_lourds.txt`: `heavy_equipment_<eml>`, the authorised equipments by
/// département (its rows shifted one column left of the header, as published, are read
/// under their right header).
pub fn read_heavy_equipment(table: &TextTable, options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Ministère de la Santé", "FINESS, équipements matériels lourds"));
    let cols = Columns::of(table, sink)?;
    let (year, dates) = extract_year(table, &cols, options, sink)?;
    let (finess_col, code_col, label_col) = (cols.get(table, "nofinesset")?, cols.get(table, "eml")?, cols.get(table, "libeml")?);
    let (finess, codes, labels) = (table.texts(&finess_col)?, table.texts(&code_col)?, table.texts(&label_col)?);
    cols.ignore_others(&[&["nofinesset", "eml", "libeml"][..], &dates].concat(), sink);
    sink.summary.rows += table.height();
    let mut counts = DepartementCounts::default();
    for row in 0..table.height() {
        let code = codes[row].trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), "eml"),
                format!("«{code}» is not a code of heavy equipment"),
                "eml holds a code such as 06201 (IRM)",
            ));
        }
        counts.add(&finess[row], code, Cell::Value(1.0), table.line_of(row));
    }
    let names: Vec<String> = labelled(&codes, &labels).iter().map(|(c, l)| format!("{c} {l}")).collect();
    sink.summary.notes.push(format!("heavy equipment (heavy_equipment_<code>, one per authorisation): {}", listed(&names, 20)));
    counts.push(sink, year, &table.file, "nofinesset", |e| format!("heavy_equipment_{e}"))
}

/// The authorised training capacities (« Formation DE Infirmier »…).
pub fn detect_training(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["nofinesset"], &["de"], &["libde"], &["capaut"]])
}

/// Read `finess_disciplines_enseignement.txt`: `training_places_<de>`, the places of each
/// training by département. The extract lists an établissement's successive authorisations
/// for a training (capacities of 20, 45, then 56 places): the most recent one (`dateautor`)
/// gives its places; rows of another type of activity than teaching (`ta` 34: boarding,
/// day students) are not places of training.
pub fn read_training(table: &TextTable, options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Ministère de la Santé", "FINESS, disciplines d'enseignement autorisées"));
    let cols = Columns::of(table, sink)?;
    let (year, _) = extract_year(table, &cols, options, sink)?;
    let (finess_col, code_col, label_col, places_col) =
        (cols.get(table, "nofinesset")?, cols.get(table, "de")?, cols.get(table, "libde")?, cols.get(table, "capaut")?);
    let (finess, codes, labels, places) = (table.texts(&finess_col)?, table.texts(&code_col)?, table.texts(&label_col)?, table.counts(&places_col)?);
    let kinds = table.find_column(&["ta"]).map(|c| cols.get(table, &c).and_then(|c| table.texts(&c))).transpose()?;
    let dates = table.find_column(&["dateautor"]).map(|c| cols.get(table, &c).and_then(|c| table.texts(&c))).transpose()?;
    cols.ignore_others(&["nofinesset", "de", "libde", "capaut", "ta", "dateautor"], sink);
    sink.summary.rows += table.height();
    // The latest authorisation of each établissement and training: (date, places, line).
    let mut latest: HashMap<(String, String), (String, Cell, usize)> = HashMap::new();
    let mut other_kinds = 0;
    for row in 0..table.height() {
        if kinds.as_ref().is_some_and(|k| k[row].trim() != "34") {
            other_kinds += 1;
            continue;
        }
        let code = codes[row].trim();
        if code.is_empty() {
            return Err(Error::input(Location::file(&table.file).at(table.line_of(row), "de"), "no training code", "give the extract as published"));
        }
        let date = dates.as_ref().map_or_else(String::new, |d| d[row].trim().to_owned());
        let key = (finess[row].trim().to_owned(), code.to_owned());
        let this = (date, places[row], table.line_of(row));
        match latest.get_mut(&key) {
            None => {
                latest.insert(key, this);
            }
            // Several authorisations of the same date: the largest capacity given.
            Some(kept) if this.0 > kept.0 || (this.0 == kept.0 && this.1.value() > kept.1.value()) => *kept = this,
            Some(_) => {}
        }
    }
    let mut counts = DepartementCounts::default();
    let mut latest: Vec<_> = latest.into_iter().collect();
    latest.sort_by_key(|(_, (_, _, line))| *line);
    for ((finess, code), (_, cell, line)) in latest {
        counts.add(&finess, &code, cell, line);
    }
    sink.summary.notes.push(
        "each établissement's most recent authorisation (dateautor) of a training gives its places; a training without \
         capacity in it (capaut empty) leaves its département's total unknown"
            .to_owned(),
    );
    if other_kinds > 0 {
        sink.summary
            .notes
            .push(format!("{other_kinds} rows of another type of activity than teaching (ta ≠ 34: boarding, day students) are not counted"));
    }
    let names: Vec<String> = labelled(&codes, &labels).iter().map(|(c, l)| format!("{c} {l}")).collect();
    sink.summary.notes.push(format!("trainings (training_places_<code>): {}", listed(&names, 20)));
    counts.push(sink, year, &table.file, "nofinesset", |d| format!("training_places_{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::realdata;
    use polars::prelude::*;

    fn value(df: &DataFrame, geo: &str, measure: &str) -> Option<Option<f64>> {
        let (g, m, v) =
            (df.column("geo").unwrap().str().unwrap(), df.column("measure").unwrap().str().unwrap(), df.column("value").unwrap().f64().unwrap());
        (0..df.height()).find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure)).map(|i| v.get(i))
    }

    fn read_table(
        path: &Path,
        year: Option<i32>,
        reader: fn(&TextTable, &Options, &mut FactSink) -> Result<()>,
    ) -> (DataFrame, crate::ingest::Summary) {
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(path, Encoding::Auto).unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        reader(&t, &Options { year, ..Options::default() }, &mut sink).unwrap();
        sink.finish().unwrap()
    }

    #[test]
    fn departements_and_communes_from_finess_codes() {
        assert_eq!(departement_of("010780054").as_deref(), Some("01"));
        assert_eq!(departement_of("2A0000123").as_deref(), Some("2A"));
        assert_eq!(departement_of("970100442").as_deref(), Some("971"));
        assert_eq!(departement_of("970400024").as_deref(), Some("974"));
        assert_eq!(departement_of("970500039").as_deref(), Some("975"));
        assert_eq!(departement_of("980500011").as_deref(), Some("976"));
        for bad in ["2005-08-31", "SAS VASELINA", "97010044", "971100442", "980600011", ""] {
            assert_eq!(departement_of(bad), None, "{bad}");
        }
        assert_eq!(commune_code("01", "451").as_deref(), Some("01451"));
        assert_eq!(commune_code("1", "53").as_deref(), Some("01053"));
        assert_eq!(commune_code("2A", "004").as_deref(), Some("2A004"));
        assert_eq!(commune_code("9A", "101").as_deref(), Some("97101"));
        assert_eq!(commune_code("9F", "611").as_deref(), Some("97611"));
        assert_eq!(commune_code("XX", "101"), None);
        assert_eq!(year_of_name(Path::new("etalab-cs1100507-stock-20240320-0341.csv")), Some(2024));
        assert_eq!(year_of_name(Path::new("finess_activites_soin.txt")), None);
        assert_eq!(facility_measure("603"), "facility_msp");
        assert_eq!(facility_measure("999"), "facility_cat999");
        let slugs: BTreeSet<&str> = categories().iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs.len(), categories().len(), "one slug per category");
        // Every facility measure documented in MEASURES is a category of the table.
        for (m, _) in crate::ingest::facts::MEASURES.iter().filter(|(m, _)| m.starts_with("facility_") && !m.contains('<')) {
            assert!(slugs.contains(m.trim_start_matches("facility_")), "{m}");
        }
    }

    /// A copy of the établissements extract with a header line (as some reuses give it),
    /// and bad rows.
    #[test]
    fn establishments_with_a_header_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let r = Referential::embedded().unwrap();
        let path = dir.path().join("finess_etablissements.csv");
        std::fs::write(
            &path,
            "nofinesset;rs;commune;departement;categetab;libcategetab;siret\n\
             010000024;CH;451;01;355;Centre Hospitalier (C.H.);1\n010010001;MSP;004;01;603;Maison de santé (L.6223-3);\n\
             010010002;X;004;01;699;Autre catégorie;\n",
        )
        .unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        let e = read_establishments(&path, &Options::default(), &mut sink).unwrap_err().to_string();
        assert!(e.contains("no date") && e.contains("year of the data"), "{e}");
        let mut sink = FactSink::new(&r, "t", false);
        read_establishments(&path, &Options { year: Some(2025), ..Options::default() }, &mut sink).unwrap();
        let (df, summary) = sink.finish().unwrap();
        assert_eq!(value(&df, "01451", "facility_hospital"), Some(Some(1.0)));
        assert_eq!(value(&df, "01004", "facility_msp"), Some(Some(1.0)));
        assert_eq!(value(&df, "01004", "facility_cat699"), Some(Some(1.0)));
        assert!(summary.notes.iter().any(|n| n.contains("699 Autre catégorie")), "{:?}", summary.notes);
        assert!(summary.ignored_columns.contains("rs") && summary.ignored_columns.contains("siret"));
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2025)));

        for (text, want) in [
            ("finess;etalab;1;2024-01-01\nstructureet;010000024;010780054\n", "3 fields where an établissement has 32"),
            ("finess;etalab;1;2024-01-01\nstructureet;1;2;3;4;5;6;7;8;9;10;11;451;01;14;15;16;17;3X5;19;20\n", "«3X5» is not a category"),
        ] {
            std::fs::write(&path, text).unwrap();
            let mut sink = FactSink::new(&r, "t", false);
            let e = read_establishments(&path, &Options::default(), &mut sink).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("line 2"), "{e}");
        }
    }

    /// The real extract of heavy equipment, its rows one column left of its header.
    #[test]
    fn reads_the_real_shifted_heavy_equipment_extract() {
        let Some(path) = realdata("finess/finess_materiels_lourds.txt") else { return };
        let (df, summary) = read_table(&path, Some(2026), read_heavy_equipment);
        assert_eq!(summary.rows, 550);
        assert!(summary.notes.iter().any(|n| n.contains("one column left of the header")), "{:?}", summary.notes);
        // Nord (59): awk on the file's 8th field (the FINESS numbers, under «dateautor»):
        // 49 rows start with 59; of them, 23 have the code 05701 (gamma cameras, 2nd field,
        // under «rsej»). La Réunion (974): 6 rows numbered 9704….
        let total = |dep: &str| -> f64 {
            let (g, v) = (df.column("geo").unwrap().str().unwrap(), df.column("value").unwrap().f64().unwrap());
            (0..df.height()).filter(|&i| g.get(i) == Some(dep)).filter_map(|i| v.get(i)).sum()
        };
        assert_eq!(total("59"), 49.0);
        assert_eq!(total("974"), 6.0);
        assert_eq!(total("976"), 5.0, "Mayotte, numbered 9805…");
        assert_eq!(value(&df, "59", "heavy_equipment_05701"), Some(Some(23.0)));
        let all: f64 = df.column("value").unwrap().f64().unwrap().iter().flatten().sum();
        assert_eq!(all + summary.unknown.len() as f64, 550.0);
    }

    #[test]
    fn reads_the_real_care_activities_and_training_extracts() {
        let Some(path) = realdata("finess/finess_activites_soin.txt") else { return };
        let (df, summary) = read_table(&path, Some(2026), read_activities);
        assert_eq!(summary.rows, 10_291);
        assert!(!summary.notes.iter().any(|n| n.contains("column left")), "not shifted");
        // Aisne (02): awk -F';' '$11 ~ /^02/ && $3=="14"' | cut -d';' -f11 | sort -u → 7
        // établissements authorised for emergency medicine (activité 14): the CH of
        // Saint-Quentin, Laon, Soissons, Chauny, Château-Thierry, the Hôpital privé Saint-Claude
        // and the SMUR of Guise; several lines each (SU, SMUR, SUP…), counted once.
        assert_eq!(value(&df, "02", "care_activity_14"), Some(Some(7.0)));
        assert!(summary.notes.iter().any(|n| n.contains("14 Médecine d'urgence")));

        let Some(path) = realdata("finess/finess_disciplines_enseignement.txt") else { return };
        let (df, summary) = read_table(&path, Some(2026), read_training);
        assert_eq!(summary.rows, 10_199);
        // Loire (42), DE Infirmier (414), teaching rows (ta 34), each établissement's latest
        // authorisation (python on the file): 420000010 51, 420000226 32, 420006769 70 (two
        // of 2017-01-01: 35 and 70), 420006819 65, 420006868 120, 420780637 45, 420782559 85,
        // 420785149 58 (2013-03-29, not the 50s of earlier years), 420785172 133: 659 places.
        assert_eq!(value(&df, "42", "training_places_414"), Some(Some(659.0)));
    }

    /// An extract without a date: the year of its latest authorisation or implementation
    /// (`datefin` ahead, and dates after this year, are not read); none at all: an error.
    #[test]
    fn an_undated_extract_takes_the_year_of_its_latest_decision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("finess_activites_soin.txt");
        let header = "nofinessej;rsej;activite;libactivite;noautor;dateautor;nofinesset;datemeo;datefin\n";
        std::fs::write(
            &path,
            format!("{header}1;A;14;Urgences;1;2019-05-02;020000261;2021-03-01;2031-01-01\n1;A;14;Urgences;2;2022-07-14;020000253;;\n"),
        )
        .unwrap();
        let (df, summary) = read_table(&path, None, read_activities);
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2022)));
        assert!(summary.notes.iter().any(|n| n.contains("its year, 2022") && n.contains("2022-07-14")), "{:?}", summary.notes);
        assert!(!summary.ignored_columns.contains("dateautor") && summary.ignored_columns.contains("noautor"));
        // Given, the year wins and the dates are not read.
        let (df, summary) = read_table(&path, Some(2024), read_activities);
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2024)));
        assert!(summary.ignored_columns.contains("dateautor"));
        std::fs::write(&path, format!("{header}1;A;14;Urgences;1;;020000261;2999-01-01;\n")).unwrap();
        let t = TextTable::read(&path, Encoding::Auto).unwrap();
        let r = Referential::embedded().unwrap();
        let e = read_activities(&t, &Options::default(), &mut FactSink::new(&r, "t", false)).unwrap_err().to_string();
        assert!(e.contains("no date") && e.contains("year of the data"), "{e}");
    }
}
