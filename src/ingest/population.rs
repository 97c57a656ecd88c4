//! INSEE population tables other than the census bases: population by sex and age of the
//! census (POP1B with men and women side by side), INSEE's population estimates by
//! département, sex and five-year band (workbooks, one sheet per year), the pyramids of ages
//! (France by single year of age, a département's estimates then projections) and the
//! populations légales.
//!
//! ```text
//! CODGEO,LIBGEO,…,Age,Nb_H,Nb_F              POP1B, one row per commune × age (100 = 100+)
//! Départements;;Ensemble;…;Hommes;…;Femmes   estimates workbook: a sex row over the bands
//! "ANNEE";"AGE";"SEXE";"POP"                 a département's pyramid (the code in the path)
//! Age \ Année;1991;…;2022                    France by age, one column per year (sex in the name)
//! Année de naissance;Âge révolu;Nombre de femmes;Nombre d'hommes;Ensemble
//! REG;Région;DEP;…;COM;Commune;PMUN;PCAP;PTOT populations légales (commune, département, région)
//! ```

use crate::error::{Error, Location, Result};
use crate::facts::AgeBand;
use crate::ingest::facts::{CellKey, FactSink, Level, Origin, Sex};
use crate::ingest::insee::{self, file_stem, sheet_name, year_of_file_name};
use crate::ingest::layout::Detection;
use crate::ingest::table::parse_number;
use crate::ingest::{Cell, TextTable};

/// Lower case, accents folded: header cells are matched on their words.
fn folded(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'û' | 'ù' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// The first column whose folded name satisfies `pred`.
fn column_where(t: &TextTable, pred: impl Fn(&str) -> bool) -> Option<String> {
    t.column_names().into_iter().find(|n| pred(&folded(n)))
}

/// A year written as a column name or a sheet name (`1991`, `2023`).
fn year_name(name: &str) -> Option<i32> {
    let t = name.trim();
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten().filter(|y| (1800..2200).contains(y))
}

/// Push `note` once (a workbook's sheets would repeat it).
fn note(sink: &mut FactSink, note: String) {
    if !sink.summary.notes.contains(&note) {
        sink.summary.notes.push(note);
    }
}

/// An age as INSEE's tables write it: `0`, ` 99 `, `100 ou +`, `100 ou plus`, `95 ans et
/// plus`, `0 à 4 ans`; `Some((band, explicit open end))`.
fn age_label(label: &str) -> Option<AgeBand> {
    let t = folded(label);
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = t[digits.len()..].trim();
    if !digits.is_empty() && (rest.ends_with("ou +") || rest.ends_with("ou plus") || rest == "+") {
        return Some(AgeBand::new(Some(digits.parse().ok()?), None));
    }
    AgeBand::parse(label).filter(|b| b.min.is_some())
}

/// A cell of a count, as [`parse_number`] reads it; an error names the line and column.
fn count_cell(table: &TextTable, row: usize, column: &str, raw: &str) -> Result<Cell> {
    match parse_number(raw) {
        Some(Cell::Value(v)) if v < 0.0 => Err(Error::input(
            Location::file(&table.file).at(table.line_of(row), column),
            format!("negative count {v}"),
            "counts cannot be negative: check the column and the row",
        )),
        Some(cell) => Ok(cell),
        None => Err(Error::input(
            Location::file(&table.file).at(table.line_of(row), column),
            format!("«{raw}» is not a number"),
            "write numbers with digits; leave the cell empty if the value is unknown or withheld",
        )),
    }
}

// ---------------------------------------------------------------------------------------
// POP1B with men and women side by side

/// A single-age column (`Age`).
const AGE: &[&str] = &["Age", "AGE", "âge", "age_revolu", "AGED100"];
const MEN: &[&str] = &["Nb_H", "NB_H", "hommes", "men"];
const WOMEN: &[&str] = &["Nb_F", "NB_F", "femmes", "women"];

/// POP1B with a men and a women column: a commune column, `Age`, `Nb_H`, `Nb_F`.
pub fn detect_pop1b_wide(t: &TextTable) -> Detection {
    Detection::columns(t, &[insee::COMMUNE, AGE, MEN, WOMEN])
}

/// Read POP1B by commune and single year of age, men and women in two columns (the highest
/// age is that age and over, as POP1B's `AGED100`). The year is the one of the file name
/// (`…rp2021…`), else the year given: the summary says which.
pub fn read_pop1b_wide(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "RP, population par sexe et âge (POP1B)"));
    let geo_col = table.require_column("commune code", insee::COMMUNE)?;
    let age_col = table.require_column("age", AGE)?;
    let (men_col, women_col) = (table.require_column("men", MEN)?, table.require_column("women", WOMEN)?);
    // The year the file's name says wins over a year given for a whole folder (said).
    let year = match (year_of_file_name(table, &mut sink.summary), year) {
        (Some(y), _) => y,
        (None, Some(y)) => {
            note(sink, format!("year {y}: the year given"));
            y
        }
        (None, None) => {
            return Err(Error::input(
                Location::file(&table.file),
                "the file says no year (no column, none in its name)",
                "give the year of the census (2021 for RP 2021)",
            ))
        }
    };
    for name in table.column_names() {
        if ![&geo_col, &age_col, &men_col, &women_col].contains(&&name) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let (geo, ages) = (table.texts(&geo_col)?, table.texts(&age_col)?);
    let mut parsed = Vec::with_capacity(ages.len());
    for (row, a) in ages.iter().enumerate() {
        parsed.push(a.parse::<u32>().map_err(|_| {
            Error::input(
                Location::file(&table.file).at(table.line_of(row), age_col.as_str()),
                format!("«{a}» is not an age"),
                "write single years of age (0 … 100)",
            )
        })?);
    }
    let top = parsed.iter().copied().max().unwrap_or_default();
    note(sink, format!("age {top} is {top} and over (POP1B's last age)"));
    sink.summary.rows += table.height();
    for (col, sex) in [(&men_col, Sex::Male), (&women_col, Sex::Female)] {
        for (row, cell) in table.counts(col)?.into_iter().enumerate() {
            let a = parsed[row];
            let key = CellKey::count(year, "population").sex(sex).ages(Some(a), (a < top).then_some(a));
            sink.push(&geo[row], Level::Commune, key, cell, &Location::file(&table.file).at(table.line_of(row), geo_col.as_str()))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Estimates by département, sex and five-year band (workbooks)

/// INSEE's estimates workbook: « Départements » over the codes, a sex row (Ensemble, Hommes,
/// Femmes) over the age bands.
pub fn detect_estimates(t: &TextTable) -> Detection {
    let names: Vec<String> = t.column_names().iter().map(|n| folded(n)).collect();
    Detection::from_checks(&[
        ("Départements", names.first().is_some_and(|n| n.starts_with("departement"))),
        ("Hommes", names.iter().any(|n| n == "hommes")),
        ("Femmes", names.iter().any(|n| n == "femmes")),
    ])
}

fn group_sex(cell: &str) -> Option<Sex> {
    match folded(cell).as_str() {
        "ensemble" => Some(Sex::All),
        "hommes" => Some(Sex::Male),
        "femmes" => Some(Sex::Female),
        _ => None,
    }
}

/// An aggregate row of the workbooks, kept at the France level under a code of its own.
fn aggregate(name: &str) -> Option<&'static str> {
    match folded(name).as_str() {
        "france metropolitaine et dom" | "france" | "france entiere" => Some("FR"),
        "france metropolitaine" => Some("FM"),
        "dom" => Some("DOM"),
        _ => None,
    }
}

/// A département code as the workbooks write it (`01`, `2A`, `971`).
fn is_departement(code: &str) -> bool {
    let c = code.trim().to_ascii_uppercase();
    (1..=3).contains(&c.len()) && (c.bytes().all(|b| b.is_ascii_digit()) || c == "2A" || c == "2B")
}

/// The band labels of a sub-header row, per column (`None` where blank).
struct Header {
    /// Sex of each column (from the sex row, spread to the blank cells on its right).
    sexes: Vec<Option<Sex>>,
    /// Band of each column (`Total`: all ages).
    bands: Vec<Option<AgeBand>>,
    /// Columns whose band was a ditto mark, read from the same place in another sex block.
    dittos: Vec<usize>,
}

/// Read one sheet of INSEE's *Estimation de population au 1er janvier, par département, sexe
/// et âge quinquennal*: the département rows at their level; the aggregates (France
/// métropolitaine, DOM, France métropolitaine et DOM) at the France level as `FM`, `DOM` and
/// `FR`. The year is the sheet's name (`2021`), else its title line (« Année 2023 »), else the
/// year given, else the file name's. A sheet may hold several header blocks (1990-1998: the
/// DOM's, whose last band is « 90 ans et plus »); a ditto mark (`"`) as a band label is read as
/// the band of the same column in the other sex blocks, checked against their sum.
pub fn read_estimates(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "estimations de population"));
    let names = table.column_names();
    let cols: Vec<Vec<String>> = names.iter().map(|n| table.texts(n)).collect::<Result<_>>()?;
    let sheet = sheet_name(table).unwrap_or_default().to_owned();
    let title_year = table.titles.iter().find_map(|t| folded(t).strip_prefix("annee ").and_then(year_name));
    let year = match (year_name(&sheet), title_year, year) {
        (Some(y), _, _) => y,
        (None, Some(y), _) => {
            note(sink, format!("sheet {sheet}: year {y} from its title line"));
            y
        }
        (None, None, Some(y)) => y,
        (None, None, None) => year_of_file_name(table, &mut sink.summary).ok_or_else(|| {
            Error::input(Location::file(&table.file), "the sheet says no year (its name, its title)", "give the year of the estimates")
        })?,
    };
    let width = names.len();
    let mut sexes: Vec<Option<Sex>> = vec![None; width];
    let mut current = None;
    for (j, n) in names.iter().enumerate().skip(2) {
        current = group_sex(n).or(current);
        sexes[j] = current;
    }
    let mut header: Option<Header> = None;
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let cell = |j: usize| cols[j][row].as_str();
        let code = cell(0);
        let has_number = (2..width).any(|j| matches!(parse_number(cell(j)), Some(Cell::Value(_))) && !cell(j).is_empty());
        if code.is_empty() {
            if (2..width).any(|j| group_sex(cell(j)).is_some()) {
                let mut current = None;
                for (j, sex) in sexes.iter_mut().enumerate().skip(2) {
                    current = group_sex(cell(j)).or(current);
                    *sex = current;
                }
            } else if (2..width).filter(|&j| age_label(cell(j)).is_some()).count() >= 3 {
                header = Some(band_header(table, row, &sexes, &cols)?);
                if let Some(h) = &header {
                    for &j in &h.dittos {
                        let band = h.bands[j].map(|b| b.label()).unwrap_or_default();
                        note(sink, format!("sheet {sheet}: the band of column {} is a ditto mark (\"), read as {band}, the band of the same column in the other sex blocks (Ensemble = Hommes + Femmes checked)", names[j]));
                    }
                }
            } else if has_number {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), names[0].as_str()),
                    "a row of numbers without a département code",
                    "give each row its département code (01, 2A, 971) or its aggregate name (France métropolitaine, DOM)",
                ));
            }
            continue;
        }
        let (geo, level) = match aggregate(code) {
            Some(a) => (a.to_owned(), Level::France),
            None if is_departement(code) => (code.to_owned(), Level::Departement),
            // Footnotes (« Source : Insee… », « NB: … »): no numbers.
            None if !has_number => continue,
            None => {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), names[0].as_str()),
                    format!("«{code}» is neither a département code nor an aggregate INSEE publishes"),
                    "give the département code (01, 2A, 971), or France métropolitaine, DOM, France métropolitaine et DOM",
                ))
            }
        };
        let Some(h) = &header else {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), names[0].as_str()),
                "a data row before the row of age bands",
                "keep INSEE's layout: a sex row (Ensemble, Hommes, Femmes), then the age bands, then the départements",
            ));
        };
        if level == Level::France {
            note(sink, "aggregate rows kept at the France level: FR (France métropolitaine et DOM), FM (France métropolitaine), DOM".to_owned());
        }
        check_dittos(table, row, h, &cols)?;
        let mut cells = Vec::new();
        for (j, name) in names.iter().enumerate().skip(2) {
            let (Some(sex), Some(band)) = (h.sexes[j], h.bands[j]) else { continue };
            cells.push((j, sex, band, count_cell(table, row, name, cell(j))?));
        }
        for &(j, sex, band, value) in &cells {
            // An empty band inside an open band the row gives (95+ under the DOM's 90+ of
            // 1990-1998): not estimated at that detail, not a withheld value.
            let inside_open = cells.iter().any(|&(k, s, b, _)| k != j && s == sex && b.max.is_none() && b.min.is_some() && b.min < band.min);
            if value == Cell::Missing && inside_open {
                note(sink, format!("sheet {sheet}: empty bands inside the last band of a row (the DOM's 90 and over, 1990-1998) are not kept"));
                continue;
            }
            let key = CellKey::count(year, "population").sex(sex).ages(band.min, band.max);
            sink.push(&geo, level, key, value, &Location::file(&table.file).at(table.line_of(row), names[j].as_str()))?;
        }
    }
    Ok(())
}

/// The sub-header row of age bands `row`; a ditto mark takes the band of the same place in
/// another sex block.
fn band_header(table: &TextTable, row: usize, sexes: &[Option<Sex>], cols: &[Vec<String>]) -> Result<Header> {
    let width = cols.len();
    let mut bands: Vec<Option<AgeBand>> = vec![None; width];
    let mut dittos = Vec::new();
    // Each sex block's first column, to find the same place in another block.
    let starts: Vec<usize> = (2..width).filter(|&j| sexes[j].is_some() && (j == 2 || sexes[j - 1] != sexes[j])).collect();
    let block_of = |j: usize| starts.iter().rposition(|&s| s <= j);
    for j in 2..width {
        let label = cols[j][row].trim();
        if label.is_empty() {
            continue;
        }
        bands[j] = if folded(label) == "total" { Some(AgeBand::ALL) } else { age_label(label) };
        if bands[j].is_none() && matches!(label, "\"" | "〃" | "''" | "id." | "idem") {
            dittos.push(j);
        }
    }
    for &j in &dittos {
        let found = block_of(j).and_then(|b| {
            let offset = j - starts[b];
            starts.iter().filter(|&&s| s != starts[b]).find_map(|&s| bands.get(s + offset).copied().flatten())
        });
        bands[j] = Some(found.ok_or_else(|| {
            Error::input(
                Location::file(&table.file).at(table.line_of(row), table.column_names()[j].as_str()),
                "a ditto mark (\") as an age band, with no band at the same place in another sex block",
                "write the age band of the column (5 à 9 ans)",
            )
        })?);
    }
    Ok(Header { sexes: sexes.to_vec(), bands, dittos })
}

/// A ditto column is read as the band of the other blocks only if Ensemble = Hommes + Femmes
/// there in this row.
fn check_dittos(table: &TextTable, row: usize, h: &Header, cols: &[Vec<String>]) -> Result<()> {
    for &j in &h.dittos {
        let band = h.bands[j];
        let value = |sex: Sex| {
            (2..cols.len()).find(|&k| h.sexes[k] == Some(sex) && h.bands[k] == band).and_then(|k| parse_number(&cols[k][row])).and_then(Cell::value)
        };
        if let (Some(all), Some(m), Some(f)) = (value(Sex::All), value(Sex::Male), value(Sex::Female)) {
            if (all - m - f).abs() > 0.5 {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), table.column_names()[j].as_str()),
                    format!("the column under a ditto mark is not the band of the same column of the other sex blocks ({all} ≠ {m} + {f})"),
                    "write the age band of the column",
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A département's pyramid: estimates, then projections

/// The last year of estimates in INSEE's interactive pyramids of the *Projections de
/// population 2018-2070* (Omphale 2022, Insee Résultats, November 2022): the population
/// of 1 January 2018 is the projections' base; the years after it are projected.
pub const PROJECTION_BASE_YEAR: i32 = 2018;

/// INSEE's interactive pyramid of a département (`donnees_pyramide_act.csv`): `ANNEE`,
/// `AGE`, `SEXE`, `POP` and no place column (the place is the path: `…/Dep/01/`).
pub fn detect_pyramid_dep(t: &TextTable) -> Detection {
    Detection::from_checks(&[
        ("ANNEE", t.find_column(&["ANNEE"]).is_some()),
        ("AGE", t.find_column(&["AGE"]).is_some()),
        ("SEXE", t.find_column(&["SEXE"]).is_some()),
        ("POP", t.find_column(&["POP"]).is_some()),
        ("no place column", t.find_column(insee::PLACE).is_none()),
    ])
}

/// The département a pyramid's path names: `…dep01…` in the file name, or a folder named
/// by the code (INSEE's `data/Dep/01/donnees_pyramide_act.csv`).
fn departement_of_path(table: &TextTable) -> Option<String> {
    let stem = file_stem(table).to_ascii_lowercase();
    let from_name = stem.match_indices("dep").find_map(|(i, _)| {
        let code: String = stem[i + 3..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        is_departement(&code).then(|| code.to_ascii_uppercase())
    });
    from_name.or_else(|| {
        let path = std::path::Path::new(table.file.as_str());
        let folder = path.parent()?.file_name()?.to_string_lossy().into_owned();
        is_departement(&folder).then(|| folder.to_ascii_uppercase())
    })
}

/// Read a département's pyramid: `population` up to [`PROJECTION_BASE_YEAR`], then
/// `population_projected` (never read as the population); age 99 is 99 and over.
pub fn read_pyramid_dep(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "estimations et projections de population (Omphale 2022)"));
    let dep = departement_of_path(table).ok_or_else(|| {
        Error::input(
            Location::file(&table.file),
            "the file does not say its département (a pyramid has no place column)",
            "keep INSEE's folder (data/Dep/01/donnees_pyramide_act.csv) or put the code in the file name (pyramide_dep01.csv)",
        )
    })?;
    let (years, ages, sexes, values) = (table.texts("ANNEE")?, table.texts("AGE")?, table.texts("SEXE")?, table.counts("POP")?);
    let at = |row: usize, col: &str| Location::file(&table.file).at(table.line_of(row), col);
    let mut parsed = Vec::with_capacity(table.height());
    for row in 0..table.height() {
        let y: i32 = years[row]
            .parse()
            .map_err(|_| Error::input(at(row, "ANNEE"), format!("«{}» is not a year", years[row]), "write the year with four digits"))?;
        let a: u32 =
            ages[row].parse().map_err(|_| Error::input(at(row, "AGE"), format!("«{}» is not an age", ages[row]), "write single years of age"))?;
        let s = Sex::parse(&sexes[row]).ok_or_else(|| Error::input(at(row, "SEXE"), format!("«{}» is not a sex", sexes[row]), "write M or F"))?;
        parsed.push((y, a, s));
    }
    let top = parsed.iter().map(|p| p.1).max().unwrap_or_default();
    let last = parsed.iter().map(|p| p.0).max().unwrap_or_default();
    note(sink, format!("département {dep}, from the file's path; age {top} is {top} and over"));
    if last > PROJECTION_BASE_YEAR {
        note(
            sink,
            format!(
                "years {}-{last} are INSEE's Omphale 2022 projections (base 1 January {PROJECTION_BASE_YEAR}): kept as population_projected, never read as the population",
                PROJECTION_BASE_YEAR + 1
            ),
        );
    }
    sink.summary.rows += table.height();
    for (row, &(y, a, s)) in parsed.iter().enumerate() {
        let measure = if y > PROJECTION_BASE_YEAR { "population_projected" } else { "population" };
        let key = CellKey::count(y, measure).sex(s).ages(Some(a), (a < top).then_some(a));
        sink.push(&dep, Level::Departement, key, values[row], &at(row, "POP"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// France by single year of age, one column per year

/// The age column of a pyramid by year: « Age \ Année » (a derived CSV) or « Année » over the
/// ages (INSEE's *Populations par âges au 1er janvier* workbook).
fn pyramid_age_column(t: &TextTable) -> Option<String> {
    column_where(t, |n| n.contains("annee") && year_name(n).is_none())
}

/// A pyramid with one column per year: an « Année » label column and at least three years.
pub fn detect_pyramid_years(t: &TextTable) -> Detection {
    let years = t.column_names().iter().filter(|n| year_name(n).is_some()).count();
    Detection::from_checks(&[("Age \\ Année", pyramid_age_column(t).is_some()), ("1991;1992;1993 (one column per year)", years >= 3)])
}

/// The sex a label says (« Sexe masculin », « Total Femmes », a file named `…hommes…`).
fn sex_words(text: &str) -> Option<Sex> {
    let t = folded(text);
    if t.contains("masculin") || t.contains("homme") {
        Some(Sex::Male)
    } else if t.contains("feminin") || t.contains("femme") {
        Some(Sex::Female)
    } else if t.contains("ensemble") {
        Some(Sex::All)
    } else {
        None
    }
}

/// France entière (`FR`) or France métropolitaine (`FM`), from the sheet's or the file's name.
fn france_of(table: &TextTable, sink: &mut FactSink) -> &'static str {
    let place = folded(sheet_name(table).unwrap_or(&file_stem(table)));
    if place.contains("metropol") {
        note(sink, "France métropolitaine kept apart from France entière: geo FM at the France level".to_owned());
        "FM"
    } else {
        "FR"
    }
}

/// Read a pyramid with one column per year at the France level: rows of single ages (the
/// last, `100 ou +`, that age and over; a bare last age too, as INSEE's pyramids end), sex
/// from a sex column (« Sexe masculin », carried down its block) or the file name
/// (`…hommes…`), « Total Femmes » rows as all ages. In a year where the last ages are `-`
/// (not detailed), the last age given is that age and over.
pub fn read_pyramid_years(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "pyramides des âges (estimations de population)"));
    let names = table.column_names();
    let age_col = pyramid_age_column(table).ok_or_else(|| Error::Internal("pyramid without its age column".into()))?;
    let years: Vec<(String, i32)> = names.iter().filter_map(|n| year_name(n).map(|y| (n.clone(), y))).collect();
    let sex_col = names.iter().find(|n| **n != age_col && year_name(n).is_none()).cloned();
    let file_sex = sex_words(&file_stem(table));
    if sex_col.is_none() && file_sex.is_none() {
        return Err(Error::input(
            Location::file(&table.file),
            "the table says no sex (no sex column, none in the file name)",
            "keep the file name that says it (…hommes…, …femmes…)",
        ));
    }
    let geo = france_of(table, sink);
    let ages = table.texts(&age_col)?;
    let sex_cells = match &sex_col {
        Some(c) => table.texts(c)?,
        None => vec![String::new(); table.height()],
    };
    // Rows: (row, sex, band), blocks of one sex in order.
    let mut rows: Vec<(usize, Sex, AgeBand)> = Vec::new();
    let mut sex = file_sex;
    for row in 0..table.height() {
        sex = sex_words(&sex_cells[row]).or(sex);
        let label = ages[row].as_str();
        if let Some(total) = folded(label).strip_prefix("total") {
            let s = sex_words(total).or(sex).unwrap_or(Sex::All);
            rows.push((row, s, AgeBand::ALL));
            continue;
        }
        // Not the sub-headers (« Sexe », « Âge révolu ») nor blank lines.
        if let (Some(band), Some(s)) = (age_label(label), sex) {
            rows.push((row, s, band));
        }
    }
    let explicit_open = rows.iter().any(|r| r.2.min.is_some() && r.2.max.is_none());
    let mut bare_top = false;
    let mut cut = std::collections::BTreeSet::new();
    sink.summary.rows += table.height();
    for (col, year) in &years {
        let cells = table.texts(col)?;
        let mut i = 0;
        while i < rows.len() {
            // One sex block of ages.
            let s = rows[i].1;
            let end = (i..rows.len()).find(|&k| rows[k].1 != s || rows[k].2 == AgeBand::ALL).unwrap_or(rows.len());
            let block = &rows[i..end];
            let given = block.iter().rposition(|r| !matches!(cells[r.0].as_str(), "-" | "–"));
            for (k, &(row, s, band)) in block.iter().enumerate() {
                let band = match given {
                    Some(g) if k > g => continue,
                    Some(g) if k == g && g + 1 < block.len() && band.max.is_some() => {
                        cut.insert(*year);
                        AgeBand::new(band.min, None)
                    }
                    _ if !explicit_open && k + 1 == block.len() && band.max.is_some() => {
                        bare_top = true;
                        AgeBand::new(band.min, None)
                    }
                    _ => band,
                };
                let value = count_cell(table, row, col, &cells[row])?;
                let key = CellKey::count(*year, "population").sex(s).ages(band.min, band.max);
                sink.push(geo, Level::France, key, value, &Location::file(&table.file).at(table.line_of(row), col.as_str()))?;
            }
            // The totals after the block.
            let mut j = end;
            while j < rows.len() && rows[j].2 == AgeBand::ALL {
                let (row, s, _) = rows[j];
                let value = count_cell(table, row, col, &cells[row])?;
                sink.push(
                    geo,
                    Level::France,
                    CellKey::count(*year, "population").sex(s),
                    value,
                    &Location::file(&table.file).at(table.line_of(row), col.as_str()),
                )?;
                j += 1;
            }
            i = j.max(i + 1);
        }
    }
    if let (Some(first), Some(last)) = (cut.first(), cut.last()) {
        note(
            sink,
            format!("in {} years ({first} … {last}) the last ages are not detailed (-): the last age given is read as that age and over", cut.len()),
        );
    }
    if bare_top {
        note(sink, "the last age of each sex is that age and over (INSEE's pyramids end with « 100 ou plus »)".to_owned());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// One year's pyramid: birth year, age, women, men

/// INSEE's *Pyramide des âges* of one year: « Âge révolu », women, men (and « Année de
/// naissance »).
pub fn detect_pyramid(t: &TextTable) -> Detection {
    Detection::from_checks(&[
        ("Âge révolu", column_where(t, |n| n.contains("age revolu")).is_some()),
        ("Nombre de femmes", column_where(t, |n| n.contains("femmes")).is_some()),
        ("Nombre d'hommes", column_where(t, |n| n.contains("hommes")).is_some()),
    ])
}

/// Read one year's pyramid at the France level (`FR`; `FM` when its « Champ » line says
/// France métropolitaine). The year is the birth year + the age + 1 (population on 1
/// January), checked on every row; without a birth year, the year given or the file name's.
pub fn read_pyramid(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "pyramide des âges (estimations de population)"));
    let age_col = column_where(table, |n| n.contains("age revolu")).ok_or_else(|| Error::Internal("pyramid without its age column".into()))?;
    let women = column_where(table, |n| n.contains("femmes")).ok_or_else(|| Error::Internal("pyramid without women".into()))?;
    let men = column_where(table, |n| n.contains("hommes")).ok_or_else(|| Error::Internal("pyramid without men".into()))?;
    let all = column_where(table, |n| n == "ensemble");
    let birth_col = column_where(table, |n| n.contains("naissance"));
    for name in table.column_names() {
        if ![Some(&age_col), Some(&women), Some(&men), all.as_ref(), birth_col.as_ref()].contains(&Some(&name)) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let ages = table.texts(&age_col)?;
    let first = table.column_names().first().cloned().unwrap_or_default();
    let scope = table.texts(&first)?;
    let geo = if scope.iter().any(|s| folded(s).starts_with("champ") && folded(s).contains("metropol")) { "FM" } else { "FR" };
    let births = match &birth_col {
        Some(c) => table.texts(c)?,
        None => vec![String::new(); table.height()],
    };
    let mut derived: Option<i32> = None;
    let mut rows = Vec::new();
    for row in 0..table.height() {
        let Some(band) = age_label(&ages[row]) else { continue };
        if let (Ok(born), Some(a)) = (births[row].parse::<i32>(), band.min.filter(|_| band.max.is_some())) {
            let y = born.saturating_add(i32::try_from(a).unwrap_or(i32::MAX)).saturating_add(1);
            match derived {
                Some(d) if d != y => {
                    return Err(Error::input(
                        Location::file(&table.file).at(table.line_of(row), age_col.as_str()),
                        format!("born in {born} and aged {a} is the population of 1 January {y}, not {d} as the rows above"),
                        "check the birth years and the ages",
                    ))
                }
                _ => derived = Some(y),
            }
        }
        rows.push((row, band));
    }
    let year = match (derived, year) {
        (Some(y), _) => {
            note(sink, format!("year {y}: the birth year + the age + 1 (population on 1 January)"));
            y
        }
        (None, Some(y)) => y,
        (None, None) => year_of_file_name(table, &mut sink.summary).ok_or_else(|| {
            Error::input(Location::file(&table.file), "the table says no year (no birth year, none in its name)", "give the year of the pyramid")
        })?,
    };
    if geo == "FM" {
        note(sink, "France métropolitaine kept apart from France entière: geo FM at the France level".to_owned());
    }
    sink.summary.rows += table.height();
    let columns: Vec<(&String, Sex)> =
        [(Some(&women), Sex::Female), (Some(&men), Sex::Male), (all.as_ref(), Sex::All)].into_iter().filter_map(|(c, s)| Some((c?, s))).collect();
    for (col, sex) in columns {
        let cells = table.texts(col)?;
        for &(row, band) in &rows {
            let value = count_cell(table, row, col, &cells[row])?;
            let key = CellKey::count(year, "population").sex(sex).ages(band.min, band.max);
            sink.push(geo, Level::France, key, value, &Location::file(&table.file).at(table.line_of(row), col.as_str()))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Populations légales

/// The millésime of the populations légales published when this reader was written
/// (populations légales 2022, in force on 1 January 2025), taken when the file does not say
/// its year and none is given (said in a note).
pub const POPULATIONS_LEGALES_DEFAULT_YEAR: i32 = 2022;

/// INSEE's populations légales (`donnees_communes.csv`, `donnees_departements.csv`,
/// `donnees_regions.csv`): `PMUN`, `PTOT` and a place column.
pub fn detect_populations_legales(t: &TextTable) -> Detection {
    Detection::from_checks(&[
        ("PMUN", t.find_column(&["PMUN"]).is_some()),
        ("PTOT", t.find_column(&["PTOT"]).is_some()),
        ("COM, DEP or REG", t.find_column(&["COM", "DEP", "REG"]).is_some()),
    ])
}

/// Read the populations légales: `population_municipale` (PMUN), `population_comptee_a_part`
/// (PCAP) and `population_totale` (PTOT) at the level of the file (communes by `COM`, or
/// `DEP` + `CODCOM`; else départements by `DEP`; else régions by `REG`). The year is the
/// millésime: the year given, else the file name's, else [`POPULATIONS_LEGALES_DEFAULT_YEAR`].
pub fn read_populations_legales(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "populations légales"));
    let year = match year.or_else(|| year_of_file_name(table, &mut sink.summary)) {
        Some(y) => y,
        None => {
            note(
                sink,
                format!(
                    "millésime {POPULATIONS_LEGALES_DEFAULT_YEAR} assumed (populations légales {POPULATIONS_LEGALES_DEFAULT_YEAR}, in force on 1 January {}): give the year for another millésime",
                    POPULATIONS_LEGALES_DEFAULT_YEAR + 3
                ),
            );
            POPULATIONS_LEGALES_DEFAULT_YEAR
        }
    };
    let (com, dep, codcom, reg) =
        (table.find_column(&["COM"]), table.find_column(&["DEP"]), table.find_column(&["CODCOM"]), table.find_column(&["REG"]));
    let (level, geo, used): (Level, Vec<String>, Vec<String>) = match (&com, &dep, &codcom, &reg) {
        (Some(c), _, _, _) => (Level::Commune, table.texts(c)?, vec![c.clone()]),
        (None, Some(d), Some(cc), _) => {
            let (ds, cs) = (table.texts(d)?, table.texts(cc)?);
            // INSEE writes a DOM commune's CODCOM with its département's third digit: DEP
            // 971 + CODCOM 101 → 97101.
            let codes = ds.iter().zip(&cs).map(|(d, c)| format!("{}{c:0>3}", format!("{d:0>2}").get(..2).unwrap_or_default())).collect();
            (Level::Commune, codes, vec![d.clone(), cc.clone()])
        }
        (None, Some(d), None, _) => (Level::Departement, table.texts(d)?, vec![d.clone()]),
        (None, None, _, Some(r)) => (Level::Region, table.texts(r)?.iter().map(|r| format!("{r:0>2}")).collect(), vec![r.clone()]),
        _ => return Err(Error::input(Location::file(&table.file), "no COM, DEP or REG column", "give INSEE's file as published")),
    };
    let measures: Vec<(String, &str)> = [("PMUN", "population_municipale"), ("PCAP", "population_comptee_a_part"), ("PTOT", "population_totale")]
        .into_iter()
        .filter_map(|(c, m)| Some((table.find_column(&[c])?, m)))
        .collect();
    for name in table.column_names() {
        if !used.contains(&name) && !measures.iter().any(|(c, _)| *c == name) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    sink.summary.rows += table.height();
    let place = used.join("+");
    for (col, measure) in &measures {
        for (row, cell) in table.counts(col)?.into_iter().enumerate() {
            sink.push(&geo[row], level, CellKey::count(year, *measure), cell, &Location::file(&table.file).at(table.line_of(row), place.as_str()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::{realdata, Encoding};

    fn table(text: &str, file: &str) -> TextTable {
        TextTable::parse(text.as_bytes(), Encoding::Utf8, file).unwrap()
    }

    fn read(
        r: &Referential,
        t: &TextTable,
        f: impl Fn(&TextTable, &mut FactSink) -> Result<()>,
    ) -> Result<(polars::prelude::DataFrame, crate::ingest::Summary)> {
        let mut sink = FactSink::new(r, "test", false);
        f(t, &mut sink)?;
        sink.finish()
    }

    fn values(df: &polars::prelude::DataFrame, geo: &str) -> Vec<f64> {
        let g = df.column("geo").unwrap().str().unwrap();
        let v = df.column("value").unwrap().f64().unwrap();
        (0..df.height()).filter(|&i| g.get(i) == Some(geo)).filter_map(|i| v.get(i)).collect()
    }

    #[test]
    fn ages_as_insee_writes_them() {
        assert_eq!(age_label(" 99 "), Some(AgeBand::new(Some(99), Some(99))));
        assert_eq!(age_label("100 ou +"), Some(AgeBand::new(Some(100), None)));
        assert_eq!(age_label("100 ou plus"), Some(AgeBand::new(Some(100), None)));
        assert_eq!(age_label("95 ans et plus"), Some(AgeBand::new(Some(95), None)));
        assert_eq!(age_label("0 à 4 ans"), Some(AgeBand::new(Some(0), Some(4))));
        for other in ["", "Total", "Âge révolu", "\""] {
            assert_eq!(age_label(other), None, "{other}");
        }
    }

    #[test]
    fn populations_legales_commune_code_from_dep_and_codcom() {
        let r = Referential::embedded().unwrap();
        let t = table("REG;DEP;CODCOM;PMUN;PCAP;PTOT\n01;971;101;51055;386;51441\n84;01;1;860;16;876\n", "donnees_communes.csv");
        let (df, summary) = read(&r, &t, |t, s| read_populations_legales(t, Some(2022), s)).unwrap();
        assert_eq!(values(&df, "97101"), [386.0, 51055.0, 51441.0], "DOM: DEP 971 + CODCOM 101");
        assert_eq!(values(&df, "01001"), [16.0, 860.0, 876.0]);
        assert!(summary.ignored_columns.contains("REG") && !summary.notes.iter().any(|n| n.contains("assumed")));
    }

    #[test]
    fn a_ditto_mark_is_read_from_the_other_sex_blocks_only_if_their_sum_agrees() {
        let r = Referential::embedded().unwrap();
        // The ditto mark as a workbook's cell reaches the table: a quoted `"`.
        let sheet = |ensemble_5_9: u32| {
            format!(
                "Estimation de population\nAnnée 2021\nDépartements;;Ensemble;;;Hommes;;;Femmes;;\n;;0 à 4 ans;\"\"\"\";Total;0 à 4 ans;5 à 9 ans;Total;0 à 4 ans;5 à 9 ans;Total\n\
                 01;Ain;10;{ensemble_5_9};30;6;11;17;4;9;13\nFrance métropolitaine;;10;20;30;6;11;17;4;9;13\nSource : Insee;;;;;;;;;;\n"
            )
        };
        let (df, summary) = read(&r, &table(&sheet(20), "estim.xlsx (sheet Feuil1)"), |t, s| read_estimates(t, None, s)).unwrap();
        assert!(summary.notes.iter().any(|n| n.contains("ditto") && n.contains("5-9")), "{:?}", summary.notes);
        assert!(summary.notes.iter().any(|n| n.contains("year 2021 from its title")), "{:?}", summary.notes);
        assert_eq!(values(&df, "01").len(), 9);
        assert_eq!(values(&df, "FM").len(), 9, "the aggregate at the France level");
        let e = read(&r, &table(&sheet(21), "estim.xlsx (sheet Feuil1)"), |t, s| read_estimates(t, None, s)).unwrap_err().to_string();
        assert!(e.contains("line 5") && e.contains("21 ≠ 11 + 9"), "{e}");
    }

    #[test]
    fn estimates_refuse_a_row_they_cannot_place() {
        let r = Referential::embedded().unwrap();
        let text = "Départements;;Ensemble;;Hommes;;Femmes;\n;;0 à 4 ans;Total;0 à 4 ans;Total;0 à 4 ans;Total\nOutre-mer;;1;1;1;1;0;0\n";
        let e = read(&r, &table(text, "2021.csv"), |t, s| read_estimates(t, Some(2021), s)).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("«Outre-mer»"), "{e}");
    }

    #[test]
    fn a_pyramid_says_its_departement_by_its_folder_or_name() {
        let r = Referential::embedded().unwrap();
        let text = "\"ANNEE\";\"AGE\";\"SEXE\";\"POP\"\n\"2018\";0;\"M\";10\n\"2018\";99;\"M\";2\n\"2019\";0;\"M\";11\n";
        let (df, summary) = read(&r, &table(text, "data/Dep/2A/donnees_pyramide_act.csv"), read_pyramid_dep).unwrap();
        assert_eq!(values(&df, "2A"), [10.0, 2.0, 11.0]);
        let measures: Vec<&str> = df.column("measure").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(measures, ["population", "population", "population_projected"]);
        assert!(summary.notes.iter().any(|n| n.contains("age 99 is 99 and over")));
        let e = read(&r, &table(text, "donnees_pyramide_act.csv"), read_pyramid_dep).unwrap_err().to_string();
        assert!(e.contains("does not say its département"), "{e}");
    }

    #[test]
    fn a_pyramid_by_year_needs_its_sex() {
        let r = Referential::embedded().unwrap();
        let text = "Age \\ Année;2000;2001;2002\n0;5;6;7\n1;4;5;6\n";
        let e = read(&r, &table(text, "pyramide.csv"), read_pyramid_years).unwrap_err().to_string();
        assert!(e.contains("says no sex"), "{e}");
        let (df, summary) = read(&r, &table(text, "pyramide_femmes.csv"), read_pyramid_years).unwrap();
        assert_eq!(values(&df, "FR").len(), 6);
        assert!(summary.notes.iter().any(|n| n.contains("that age and over")));
    }

    /// The real workbook: sheet 2021's ditto column, read as 5-9, is Hommes + Femmes (row 01
    /// Ain: 44414 = 22919 + 21495); the 47 yearly sheets are one table.
    #[test]
    fn the_real_estimates_workbook() {
        let Some(path) = realdata("population/estim-pop-dep-sexe-aq-1975-2021.xlsx") else { return };
        let r = Referential::embedded().unwrap();
        let mut sink = FactSink::new(&r, "test", false);
        let tables = TextTable::read_all(&path, Encoding::Auto).unwrap();
        let mut read = 0;
        for t in tables.into_iter().flatten() {
            if detect_estimates(&t) == Detection::Yes {
                read_estimates(&t, None, &mut sink).unwrap();
                read += 1;
            }
        }
        assert_eq!(read, 47);
        let (df, summary) = sink.finish().unwrap();
        assert!(summary.notes.iter().any(|n| n.starts_with("sheet 2021: the band of column (blank 4) is a ditto mark")), "{:?}", summary.notes);
        let ain_2021_5_9: Vec<f64> = {
            let (g, y, a, s, v) = (
                df.column("geo").unwrap().str().unwrap(),
                df.column("year").unwrap().i32().unwrap(),
                df.column("age_min").unwrap().u32().unwrap(),
                df.column("sex").unwrap().str().unwrap(),
                df.column("value").unwrap().f64().unwrap(),
            );
            ["all", "M", "F"]
                .iter()
                .filter_map(|sex| {
                    (0..df.height())
                        .find(|&i| g.get(i) == Some("01") && y.get(i) == Some(2021) && a.get(i) == Some(5) && s.get(i) == Some(*sex))
                        .and_then(|i| v.get(i))
                })
                .collect()
        };
        assert_eq!(ain_2021_5_9, [44414.0, 22919.0, 21495.0]);
    }
}
