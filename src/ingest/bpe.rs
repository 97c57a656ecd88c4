//! INSEE, Base permanente des équipements (BPE): equipment counted by commune and type.
//!
//! Two layouts, both read record by record (the full base has millions of rows):
//!
//! ```text
//! REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP                   counts (bpe18_ensemble, bpe18_enseignement…)
//! 84;01;01004;01004_0102;2018;C101;1
//! AN;NOMRS;…;DEPCOM;DCIRIS;…;TYPEQU;…;LAMBERT_X;LAMBERT_Y;QUALITE_XY;…   one row per equipment (bpe24.csv)
//! ```
//! The counts file has several rows per commune and type (one per IRIS, `DCIRIS` such as
//! `01004_0102`, and per characteristic such as public or private): they are summed to their
//! commune. The file of one row per equipment is counted by commune and type. The commune is
//! `DEPCOM` (else the commune part of `DCIRIS`); rows of a former commune (a file on an older
//! geography) are added to its current commune, since each equipment is in one commune only.
//!
//! Measures `equipment_<typequ>` (`equipment_d201`), counts. The year is the `AN` column,
//! else the file name (`bpe18_…` → 2018), else the year given. The health and social-action
//! types are listed with their labels in `data/nomenclatures/bpe-sante.csv`, as numbered in the
//! 2013-2020 editions; INSEE renumbers types between editions, and the measures keep the
//! file's codes.
//!
//! The BPE lists every equipment: in the départements a file reaches, a commune without a row
//! of a health or social-action type (D…) gets a count of 0 ([`CommuneCounts::push`]).

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Location, Result};
use crate::ingest::facts::{FactSink, Origin};
use crate::ingest::layout::{Detection, Options};
use crate::ingest::stream::{self, position, CommuneCounts, Records};
use crate::ingest::table::{parse_number, sniff_separator};
use crate::ingest::{Cell, TextTable};

pub const TYPE: &[&str] = &["TYPEQU"];
pub const COMMUNE: &[&str] = &["DEPCOM"];
pub const IRIS: &[&str] = &["DCIRIS"];
pub const COUNT: &[&str] = &["NB_EQUIP"];
const YEAR: &[&str] = &["AN"];

/// The health and social-action types of the BPE with their French labels.
const HEALTH_TYPES: &str = include_str!("../../data/nomenclatures/bpe-sante.csv");

/// A type of equipment of the BPE nomenclature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquipmentType {
    pub code: String,
    pub label: String,
    /// The sub-domain (D1 health establishments, D2 professions…).
    pub subdomain: String,
}

/// The types of `data/nomenclatures/bpe-sante.csv`.
pub fn health_types() -> &'static [EquipmentType] {
    static TYPES: OnceLock<Vec<EquipmentType>> = OnceLock::new();
    TYPES.get_or_init(|| {
        HEALTH_TYPES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1)
            .filter_map(|l| {
                let mut f = l.split(';');
                Some(EquipmentType { code: f.next()?.to_owned(), label: f.next()?.to_owned(), subdomain: f.next()?.to_owned() })
            })
            .collect()
    })
}

/// The label of a health or social-action type (editions 2013-2020), if listed.
pub fn label(code: &str) -> Option<&'static str> {
    health_types().iter().find(|t| t.code.eq_ignore_ascii_case(code)).map(|t| t.label.as_str())
}

/// The measure of a type of equipment.
pub fn measure(typequ: &str) -> String {
    format!("equipment_{}", typequ.to_ascii_lowercase())
}

/// The counts layout: type, commune (or IRIS) and number of equipments.
pub fn detect_counts(t: &TextTable) -> Detection {
    let place = t.find_column(COMMUNE).or_else(|| t.find_column(IRIS)).is_some();
    Detection::from_checks(&[(TYPE[0], t.find_column(TYPE).is_some()), ("DEPCOM or DCIRIS", place), (COUNT[0], t.find_column(COUNT).is_some())])
}

/// One row per equipment: type and commune (or IRIS), no count.
pub fn detect_equipments(t: &TextTable) -> Detection {
    let place = t.find_column(COMMUNE).or_else(|| t.find_column(IRIS)).is_some();
    Detection::from_checks(&[(TYPE[0], t.find_column(TYPE).is_some()), ("DEPCOM or DCIRIS", place)])
}

/// The year a BPE file's name gives: `bpe18_ensemble.csv` → 2018, `BPE24.csv` → 2024.
pub fn year_of_name(path: &Path) -> Option<i32> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let at = name.find("bpe")? + 3;
    let digits: String = name[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    (digits.len() == 2).then(|| 2000 + digits.parse::<i32>().unwrap_or_default())
}

/// A type code: a domain letter and three digits (`D201`).
fn is_type_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 4 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
}

/// The commune of an IRIS code: `01004_0102` or `010040102` → `01004`; a commune not split
/// into IRIS has its own code.
fn commune_of_iris(iris: &str) -> &str {
    let iris = iris.trim();
    match iris.split_once('_') {
        Some((commune, _)) => commune,
        None if iris.len() == 9 => iris.get(..5).unwrap_or(iris),
        None => iris,
    }
}

/// Where a file's years come from.
enum Years {
    Column(usize),
    Fixed(i32),
}

/// Read a BPE file (either layout) into `sink`, record by record.
pub fn read(path: &Path, options: &Options, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "Base permanente des équipements"));
    let head = stream::head(path)?;
    let text = crate::ingest::table::decode(&head, options.encoding, &path.display().to_string())?;
    let separator = text.lines().find(|l| !l.trim().is_empty()).map_or(b';', sniff_separator);
    let mut records = Records::open(path, separator, options.encoding)?;
    let file = records.file.clone();
    let mut header = Vec::new();
    // The header: the first record with two cells or more (a title line may come first).
    let header_line = loop {
        match records.next_record(&mut header)? {
            Some(line) if header.iter().filter(|h| !h.trim().is_empty()).count() >= 2 => break line,
            Some(_) => continue,
            None => return Err(Error::input(Location::file(&file), "the file is empty", "give the BPE file as INSEE publishes it")),
        }
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let missing = |what: &str| {
        Error::input(
            Location { file: file.clone(), line: Some(header_line), column: None },
            format!("no {what} column"),
            format!("give the BPE file as INSEE publishes it; its columns are: {}", header.join(", ")),
        )
    };
    let type_col = position(&header, TYPE).ok_or_else(|| missing("TYPEQU (type of equipment)"))?;
    let commune_col = position(&header, COMMUNE);
    let iris_col = position(&header, IRIS);
    if commune_col.is_none() && iris_col.is_none() {
        return Err(missing("DEPCOM (commune) or DCIRIS (IRIS)"));
    }
    let count_col = position(&header, COUNT);
    let years = match (position(&header, YEAR), year_of_name(path), options.year) {
        (Some(col), _, given) => {
            if let Some(y) = given {
                sink.summary.notes.push(format!("the years of the column {} are read, not the year given ({y})", header[col]));
            }
            Years::Column(col)
        }
        (None, Some(y), given) => {
            if let Some(g) = given.filter(|g| *g != y) {
                sink.summary.notes.push(format!("the year of the file name ({y}) is read, not the year given ({g})"));
            }
            Years::Fixed(y)
        }
        (None, None, Some(y)) => Years::Fixed(y),
        (None, None, None) => {
            return Err(Error::input(
                Location::file(&file),
                "the file has no year column (AN) and its name gives none (bpe18_…)",
                "give the year of the data (2024 for the BPE 2024)",
            ))
        }
    };
    let used = [Some(type_col), commune_col, iris_col, count_col, if let Years::Column(c) = years { Some(c) } else { None }];
    for (i, name) in header.iter().enumerate() {
        if !used.contains(&Some(i)) {
            sink.summary.ignored_columns.insert(name.clone());
        }
    }

    let mut counts = CommuneCounts::default();
    let mut by_iris = false;
    let mut rows = 0usize;
    let mut fields = Vec::new();
    let column = |i: usize| header[i].clone();
    while let Some(line) = records.next_record(&mut fields)? {
        let at = |col: usize| Location::file(&file).at(line, column(col));
        if fields.len() != header.len() {
            return Err(Error::input(
                Location { file: file.clone(), line: Some(line), column: None },
                format!("{} fields where the header has {}", fields.len(), header.len()),
                "every line needs as many separators as the header",
            ));
        }
        rows += 1;
        let typequ = fields[type_col].trim();
        if !is_type_code(typequ) {
            return Err(Error::input(at(type_col), format!("«{typequ}» is not a BPE type of equipment"), "TYPEQU holds a type code such as D201"));
        }
        let commune = match (commune_col.map(|c| fields[c].trim()), iris_col) {
            (Some(c), Some(i)) if !c.is_empty() => {
                by_iris |= fields[i].trim() != c;
                c
            }
            (Some(c), None) => c,
            (_, Some(i)) => commune_of_iris(&fields[i]),
            (None, None) => unreachable!("checked above"),
        };
        if commune.is_empty() {
            return Err(Error::input(at(commune_col.or(iris_col).unwrap_or(type_col)), "no commune code", "every row needs its commune (DEPCOM)"));
        }
        let cell = match count_col {
            None => Cell::Value(1.0),
            Some(c) => match parse_number(&fields[c]) {
                Some(Cell::Value(v)) if v < 0.0 => return Err(Error::input(at(c), format!("negative count {v}"), "NB_EQUIP counts equipments")),
                Some(cell) => cell,
                None => return Err(Error::input(at(c), format!("«{}» is not a number", fields[c].trim()), "NB_EQUIP counts equipments")),
            },
        };
        let year = match years {
            Years::Fixed(y) => y,
            Years::Column(c) => fields[c].trim().parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).ok_or_else(|| {
                Error::input(at(c), format!("«{}» is not a year", fields[c].trim()), "AN holds the year of the BPE, with four digits")
            })?,
        };
        counts.add(commune, &typequ.to_ascii_uppercase(), year, cell, line);
    }
    sink.summary.rows += rows;
    let mut health: Vec<String> = counts.kinds().iter().filter(|c| label(c).is_some()).cloned().collect();
    let place_column = commune_col.or(iris_col).map_or_else(String::new, column);
    // The health and social-action domain (D) only: all 190 types would add 6 million zeros.
    let filled = counts.push(sink, &file, &place_column, measure, |k| k.starts_with('D'))?;
    sink.summary.notes.extend(filled.note("a type of the health and social-action domain (D)"));

    if count_col.is_none() {
        sink.summary.notes.push(format!("one row per equipment: the {rows} rows are counted by commune and type of equipment"));
    }
    if by_iris || commune_col.is_none() {
        sink.summary.notes.push("counts by IRIS (DCIRIS) summed to their commune".to_owned());
    }
    if !sink.summary.remapped.is_empty() {
        sink.summary.notes.push("each equipment is in one commune: those of former communes are added to their current commune".to_owned());
    }
    health.sort_unstable();
    if !health.is_empty() {
        let listed: Vec<String> = health.iter().map(|c| format!("{c} {}", label(c).unwrap_or_default())).collect();
        let latest = sink.summary.periods.values().flatten().map(|p| p.end).max().unwrap_or_default();
        let caveat = if latest > 2020 { "; this file is of a later edition, whose numbering may differ: check its codes" } else { "" };
        sink.summary.notes.push(format!("health types, as labelled in the 2013-2020 editions of the BPE{caveat}: {}", listed.join(", ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::realdata;
    use polars::prelude::*;

    fn read_file(path: &Path, year: Option<i32>) -> (DataFrame, crate::ingest::Summary) {
        let r = Referential::embedded().unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        read(path, &Options { year, ..Options::default() }, &mut sink).unwrap();
        sink.finish().unwrap()
    }

    fn value(df: &DataFrame, geo: &str, measure: &str) -> Option<Option<f64>> {
        let (g, m, v) =
            (df.column("geo").unwrap().str().unwrap(), df.column("measure").unwrap().str().unwrap(), df.column("value").unwrap().f64().unwrap());
        (0..df.height()).find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure)).map(|i| v.get(i))
    }

    #[test]
    fn the_nomenclature_table_is_read_and_the_measures_documented() {
        let types = health_types();
        assert!(types.len() >= 40, "{}", types.len());
        assert_eq!(label("d201"), Some("Médecin omnipraticien"));
        assert_eq!(label("D301"), Some("Pharmacie"));
        assert!(types.iter().all(|t| is_type_code(&t.code) && t.code.starts_with('D') && t.subdomain == t.code[..2] && !t.label.is_empty()));
        // Every health measure documented in MEASURES names its type's label.
        let documented: Vec<_> = crate::ingest::facts::MEASURES.iter().filter(|(m, _)| m.starts_with("equipment_d")).collect();
        assert!(documented.len() >= 10);
        for (m, meaning) in documented {
            let code = m.trim_start_matches("equipment_").to_ascii_uppercase();
            let label = label(&code).unwrap_or_else(|| panic!("{m} is not in the table"));
            assert!(meaning.contains(label), "{m}: «{meaning}» does not say «{label}»");
        }
    }

    #[test]
    fn years_from_the_name() {
        assert_eq!(year_of_name(Path::new("x/bpe18_enseignement.csv")), Some(2018));
        assert_eq!(year_of_name(Path::new("BPE24.csv")), Some(2024));
        assert_eq!(year_of_name(Path::new("bpe1318_nb_equip.csv")), None);
        assert_eq!(year_of_name(Path::new("equipements.csv")), None);
        assert_eq!(commune_of_iris("01004_0102"), "01004");
        assert_eq!(commune_of_iris("010040102"), "01004");
        assert_eq!(commune_of_iris("01001"), "01001");
    }

    /// The real education part of the BPE 2018 (IRIS rows, one per characteristic).
    #[test]
    fn reads_the_real_bpe_2018_education_file() {
        let Some(path) = realdata("bpe/bpe18_enseignement.csv") else { return };
        let (df, summary) = read_file(&path, None);
        assert_eq!(summary.rows, 68_294);
        // Ambérieu-en-Bugey (01004), C101 (écoles maternelles), the file's lines 3 and 4:
        // IRIS 01004_0102 NB_EQUIP 1 and 01004_0201 NB_EQUIP 2 (no other 01004 C101 row).
        assert_eq!(value(&df, "01004", "equipment_c101"), Some(Some(3.0)));
        // 01001 C104 (école élémentaire): one row, NB_EQUIP 1.
        assert_eq!(value(&df, "01001", "equipment_c104"), Some(Some(1.0)));
        assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2018)), "year from the AN column");
        assert!(summary.notes.iter().any(|n| n.contains("IRIS")), "{:?}", summary.notes);
        assert!(summary.ignored_columns.contains("CL_PGE") && summary.ignored_columns.contains("SECT"));
        // Communes merged since 2018 are added to their current commune, and said.
        assert!(!summary.remapped.is_empty());
        // Nothing is lost: the 68,294 rows' NB_EQUIP sum to 74,601 (awk on the file).
        let total: f64 = df.column("value").unwrap().f64().unwrap().iter().flatten().sum();
        let unknown = summary.unknown.len();
        assert!(unknown == 0, "{:?}", summary.unknown);
        assert_eq!(total, 74_601.0);
    }

    #[test]
    fn health_counts_by_iris_and_one_row_per_equipment() {
        let dir = tempfile::tempdir().unwrap();
        let counts = dir.path().join("bpe21_sante.csv");
        std::fs::write(
            &counts,
            "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP\n\
             84;01;01004;01004_0102;2021;D201;3\n84;01;01004;01004_0201;2021;D201;2\n84;01;01004;01004_0102;2021;D301;1\n\
             84;01;01039;01039;2021;D201;1\n84;01;01138;01138;2021;D201;4\n84;01;01001;01001;2021;D232;s\n84;99;99999;99999;2021;D201;1\n",
        )
        .unwrap();
        let (df, summary) = read_file(&counts, Some(2020));
        assert_eq!(value(&df, "01004", "equipment_d201"), Some(Some(5.0)));
        assert_eq!(value(&df, "01004", "equipment_d301"), Some(Some(1.0)));
        // Béon (01039), merged into Culoz-Béon (01138): its GP is added, not left out.
        assert_eq!(value(&df, "01138", "equipment_d201"), Some(Some(5.0)));
        assert_eq!(value(&df, "01001", "equipment_d232"), Some(None), "withheld, not zero");
        assert!(summary.unknown.contains_key("99999"));
        assert!(summary.notes.iter().any(|n| n.contains("not the year given (2020)")), "{:?}", summary.notes);
        assert!(summary.notes.iter().any(|n| n.contains("D201 Médecin omnipraticien") && n.contains("later edition")), "{:?}", summary.notes);

        let equipments = dir.path().join("bpe24.csv");
        std::fs::write(
            &equipments,
            "AN;NOMRS;DEPCOM;DCIRIS;DOM;SDOM;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY\n\
             2024;\"CABINET \"\"A;B\"\"\";01004;01004_0102;D;D2;D201;882000;6545000;Bonne\n\
             2024;;01004;01004_0201;D;D2;D201;;;\n2024;;2A004;2A004;D;D1;D106;;;Mauvaise\n",
        )
        .unwrap();
        let (df, summary) = read_file(&equipments, None);
        assert_eq!(value(&df, "01004", "equipment_d201"), Some(Some(2.0)));
        assert_eq!(value(&df, "2A004", "equipment_d106"), Some(Some(1.0)));
        assert!(summary.notes.iter().any(|n| n.contains("one row per equipment")));
        assert!(summary.ignored_columns.contains("LAMBERT_X") && summary.ignored_columns.contains("NOMRS"));
    }

    /// The BPE lists every equipment: in the départements a file covers, a commune without a
    /// row of a health type has none of it; elsewhere it is not given.
    #[test]
    fn a_commune_without_a_row_has_none_in_the_departements_covered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bpe21_sante.csv");
        std::fs::write(
            &path,
            "DEPCOM;TYPEQU;NB_EQUIP;AN\n01004;D302;2;2021\n01001;D201;s;2021\n75101;D302;1;2021\n13055;D302;4;2021\n01004;C101;1;2021\n",
        )
        .unwrap();
        let (df, summary) = read_file(&path, None);
        let r = Referential::embedded().unwrap();
        // Every other base unit of the Ain, Paris and the Bouches-du-Rhône: 0 laboratories.
        assert_eq!(value(&df, "01004", "equipment_d302"), Some(Some(2.0)));
        assert_eq!(value(&df, "01002", "equipment_d302"), Some(Some(0.0)));
        assert_eq!(value(&df, "01002", "equipment_d201"), Some(Some(0.0)));
        assert_eq!(value(&df, "01001", "equipment_d201"), Some(None), "withheld stays withheld");
        assert_eq!(value(&df, "75102", "equipment_d302"), Some(Some(0.0)));
        assert_eq!(value(&df, "75056", "equipment_d302"), None, "Paris is its arrondissements");
        // Marseille given whole stands for its arrondissements.
        assert_eq!(value(&df, "13201", "equipment_d302"), None);
        assert_eq!(value(&df, "13001", "equipment_d302"), Some(Some(0.0)));
        // Outside the départements covered, and outside the health domain: not given.
        assert_eq!(value(&df, "02001", "equipment_d302"), None);
        assert_eq!(value(&df, "01002", "equipment_c101"), None);
        let base = |dep: &str| r.base_units_of_departement(dep).len();
        let laboratories = df.column("measure").unwrap().str().unwrap().iter().filter(|m| *m == Some("equipment_d302")).count();
        // Marseille counts once (given whole), not as its 16 arrondissements.
        assert_eq!(laboratories, base("01") + base("75") + base("13") - 16 + 1);
        // The GPs (one row, in the Ain) are filled in Marseille's arrondissements: it has no GP row.
        let zeros = (laboratories - 3) + (base("01") - 1 + base("75") + base("13"));
        assert!(summary.notes.iter().any(|n| n.contains(&format!("{zeros} counts of 0 added, in the 3 départements"))), "{:?}", summary.notes);
    }

    #[test]
    fn bad_rows_are_errors_naming_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let r = Referential::embedded().unwrap();
        for (text, want) in [
            ("DEPCOM;TYPEQU;NB_EQUIP\n01004;D201;1\n01004;D2X1;1\n", "line 3, column TYPEQU"),
            ("DEPCOM;TYPEQU;NB_EQUIP\n01004;D201;-1\n", "negative"),
            ("DEPCOM;TYPEQU;NB_EQUIP\n01004;D201;un\n", "«un» is not a number"),
            ("DEPCOM;TYPEQU;NB_EQUIP\n01004;D201\n", "2 fields where the header has 3"),
            ("DEPCOM;TYPEQU;AN\n01004;D201;20x4\n", "is not a year"),
            ("DEPCOM;NB_EQUIP\n01004;1\n", "no TYPEQU"),
        ] {
            let path = dir.path().join("bpe22.csv");
            std::fs::write(&path, text).unwrap();
            let mut sink = FactSink::new(&r, "t", false);
            let e = read(&path, &Options::default(), &mut sink).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("bpe22.csv"), "{e}");
        }
        let path = dir.path().join("equipements.csv");
        std::fs::write(&path, "DEPCOM;TYPEQU\n01004;D201\n").unwrap();
        let mut sink = FactSink::new(&r, "t", false);
        let e = read(&path, &Options::default(), &mut sink).unwrap_err().to_string();
        assert!(e.contains("no year column"), "{e}");
    }
}
