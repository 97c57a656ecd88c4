//! INSEE census and population tables.
//!
//! **Wide communal bases** (`base-cc-evol-struct-pop`, `base-cc-emploi-pop-active`…), one
//! row per commune:
//!
//! ```text
//! CODGEO;P21_POP;P21_POP0014;P21_POP1529;P21_POP75P;P21_POPH;P21_POPF;P21_H0014;P21_F75P;P21_ACT1564;P21_CHOM1564;C21_ACT1564_CS3
//! 01001;859;170;120;65;432;427;85;40;410;30;60
//! ```
//! The year comes from the prefix (`P21_` → 2021). Mapped families: `POP` (all), `POPH`/
//! `POPF` (by sex), `POPaabb`/`POPaaP` (age band, `P` = and over), `Haabb`/`Faabb` (sex ×
//! age), `ACT1564` → `active_15_64`, `CHOM1564` → `unemployed_15_64`, `C..._ACT1564_CSn` →
//! `active_15_64_csn`, and `SUPERF` (area in km², comparateur de territoires) → `area_km2` at
//! the file's census year. Other columns are listed as not used.
//!
//! **Long tables**, one row per place × sex × age:
//!
//! ```text
//! CODGEO;SEXE;AGED100;NB          (commune × sex × single year of age, 100 = 100 and over)
//! CODGEO;SEXE;AGEQ80_17;NB        (5-year bands 00, 05 … 80 = 80 and over)
//! dep_code;sex;age_min;age_max;population   (département × sex × band, INSEE estimates)
//! ```
//! The year is a column (`ANNEE`, `year`) or `--year`.

use crate::error::{Error, Location, Result};
use crate::facts::AgeBand;
use crate::ingest::facts::{CellKey, FactSink, Level, Origin, Sex};
use crate::ingest::{Cell, TextTable};

pub const COMMUNE: &[&str] = &["CODGEO", "COM", "code_commune", "codecommune", "insee_com", "commune"];
const DEPARTEMENT_COLUMNS: &[&str] = &["DEP", "dep_code", "code_departement", "departement"];
/// A commune's or a département's code: the place of a long table's row.
pub const PLACE: &[&str] =
    &["CODGEO", "COM", "code_commune", "codecommune", "insee_com", "commune", "DEP", "dep_code", "code_departement", "departement"];
pub const SEX: &[&str] = &["SEXE", "sex", "sexe"];
pub const COUNT: &[&str] = &["NB", "population", "value", "POP", "effectif"];
const COMMUNE_COLUMNS: &[&str] = COMMUNE;

/// What a wide-base column measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WideColumn {
    pub year: i32,
    pub measure: String,
    pub sex: Sex,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
}

/// Map an INSEE wide-base column name to what it measures; `None` for a column not used.
pub fn wide_column(name: &str) -> Option<WideColumn> {
    let name = name.trim().to_ascii_uppercase();
    let (prefix, body) = name.split_once('_')?;
    let kind = prefix.chars().next()?;
    let yy: i32 = prefix.get(1..)?.parse().ok()?;
    if prefix.len() != 3 || !matches!(kind, 'P' | 'C') {
        return None;
    }
    let year = 2000 + yy;
    let col = |measure: &str, sex, (age_min, age_max)| Some(WideColumn { year, measure: measure.to_owned(), sex, age_min, age_max });
    let ages = |code: &str| AgeBand::from_insee_code(code).map(|b| (b.min, b.max));
    if kind == 'C' {
        // Complementary exploitation: only the socio-professional breakdown of the active.
        let cs = body.strip_prefix("ACT1564_CS")?;
        return (cs.len() == 1 && cs.as_bytes()[0].is_ascii_digit()).then(|| WideColumn {
            year,
            measure: format!("active_15_64_cs{cs}"),
            sex: Sex::All,
            age_min: Some(15),
            age_max: Some(64),
        });
    }
    match body {
        "POP" => col("population", Sex::All, (None, None)),
        "POPH" => col("population", Sex::Male, (None, None)),
        "POPF" => col("population", Sex::Female, (None, None)),
        "ACT1564" => col("active_15_64", Sex::All, (Some(15), Some(64))),
        "CHOM1564" => col("unemployed_15_64", Sex::All, (Some(15), Some(64))),
        _ => {
            if let Some(a) = body.strip_prefix("POP") {
                return col("population", Sex::All, ages(a)?);
            }
            let sex = match body.as_bytes().first()? {
                b'H' => Sex::Male,
                b'F' => Sex::Female,
                _ => return None,
            };
            col("population", sex, ages(&body[1..])?)
        }
    }
}

/// Read a wide communal base into `sink`.
pub fn read_wide(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "RP"));
    let geo_col = table.require_column("commune code", COMMUNE_COLUMNS)?;
    let geo = table.texts(&geo_col)?;
    let mut mapped = Vec::new();
    let mut area = None;
    for name in table.column_names() {
        if name == geo_col {
            continue;
        }
        if name.trim().eq_ignore_ascii_case("SUPERF") {
            area = Some(name);
            continue;
        }
        match wide_column(&name) {
            Some(c) => mapped.push((name, c)),
            None => {
                sink.summary.ignored_columns.insert(name);
            }
        }
    }
    if mapped.is_empty() {
        return Err(Error::input(
            Location::file(&table.file),
            "no INSEE census column found (such as P21_POP, P21_POP0014, P21_ACT1564)",
            "give an INSEE communal base (base-cc-…), or use `ingest insee-long` for a long table",
        ));
    }
    // The area (`SUPERF`, km², in the comparateur de territoires) has no year of its own: it
    // takes the file's latest census year.
    if let Some(name) = area {
        let year = mapped.iter().map(|(_, c)| c.year).max().unwrap_or_default();
        mapped.push((name, WideColumn { year, measure: "area_km2".into(), sex: Sex::All, age_min: None, age_max: None }));
    }
    // The unemployed are a subset of the active population of the same year.
    for (chom, c) in mapped.iter().filter(|(_, c)| c.measure == "unemployed_15_64") {
        if let Some((act, _)) = mapped.iter().find(|(_, a)| a.measure == "active_15_64" && a.year == c.year) {
            let (u, a) = (table.counts(chom)?, table.counts(act)?);
            if let Some(row) = (0..table.height()).find(|&r| matches!((u[r], a[r]), (Cell::Value(x), Cell::Value(y)) if x > y)) {
                return Err(Error::input(
                    Location::file(&table.file).at(table.line_of(row), chom.as_str()),
                    format!("{} unemployed above the {} active ({act})", u[row].value().unwrap_or_default(), a[row].value().unwrap_or_default()),
                    "the unemployed are counted among the active: check both columns",
                ));
            }
        }
    }
    sink.summary.rows += table.height();
    for (name, c) in &mapped {
        let cells = table.counts(name)?;
        for (row, cell) in cells.into_iter().enumerate() {
            let key = CellKey::count(c.year, c.measure.clone()).sex(c.sex).ages(c.age_min, c.age_max);
            sink.push(&geo[row], Level::Commune, key, cell, &Location::file(&table.file).at(table.line_of(row), geo_col.as_str()))?;
        }
    }
    Ok(())
}

/// The geography column of a long table: communes if present, else départements.
pub(crate) fn geo_column(table: &TextTable) -> Result<(String, Level)> {
    match table.find_column(COMMUNE_COLUMNS) {
        Some(c) => Ok((c, Level::Commune)),
        None => Ok((table.require_column("commune or département code", &[COMMUNE_COLUMNS, DEPARTEMENT_COLUMNS].concat())?, Level::Departement)),
    }
}

/// Read a long population table (commune or département × sex × age) into `sink`.
pub fn read_long(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("INSEE", "population par sexe et âge"));
    let (geo_col, level) = geo_column(table)?;
    let geo = table.texts(&geo_col)?;
    let sex_col = table.require_column("sex", SEX)?;
    let sexes = table.texts(&sex_col)?;
    let value_col = table.require_column("count", COUNT)?;
    let values = table.counts(&value_col)?;
    let years = year_column(table, year, &mut sink.summary)?;
    let bands = age_bands(table)?;
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let at = |col: &str| Location::file(&table.file).at(table.line_of(row), col);
        let sex = Sex::parse(&sexes[row])
            .ok_or_else(|| Error::input(at(&sex_col), format!("«{}» is not a sex", sexes[row]), "write 1/2, M/F, H/F or leave empty for both"))?;
        let (age_min, age_max) = bands.band(row).map_err(|(col, label)| {
            Error::input(at(&col), format!("«{label}» is not an age or age band"), "write a band such as 0-4, 90+ or a single age")
        })?;
        let key = CellKey::count(years.year(row, table)?, "population").sex(sex).ages(age_min, age_max);
        sink.push(&geo[row], level, key, values[row], &at(&geo_col))?;
    }
    Ok(())
}

/// The year of each row: a column, or the `--year` given.
pub(crate) enum Years {
    Fixed(i32),
    Column(String, Vec<String>),
}

impl Years {
    pub(crate) fn year(&self, row: usize, table: &TextTable) -> Result<i32> {
        match self {
            Years::Fixed(y) => Ok(*y),
            Years::Column(col, values) => values[row].trim().parse().map_err(|_| {
                Error::input(
                    Location::file(&table.file).at(table.line_of(row), col.as_str()),
                    format!("«{}» is not a year", values[row]),
                    "write the year with four digits",
                )
            }),
        }
    }
}

/// The years of a table: its year column, else the year given. A file with its own year
/// column keeps it (the year given is for the files without one: a folder may mix both), and
/// the summary says so.
pub(crate) fn year_column(table: &TextTable, year: Option<i32>, summary: &mut crate::ingest::Summary) -> Result<Years> {
    match (table.find_column(&["ANNEE", "year", "annee", "année"]), year) {
        (Some(col), given) => {
            if let Some(y) = given {
                summary.notes.push(format!("the years of the column {col} are read, not the year given ({y})"));
            }
            Ok(Years::Column(col.clone(), table.texts(&col)?))
        }
        (None, Some(y)) => Ok(Years::Fixed(y)),
        (None, None) => Err(Error::input(
            Location::file(&table.file),
            "the file has no year column (ANNEE, year)",
            "give the year of the data (2021 for the 2021 census)",
        )),
    }
}

/// Age bands of a long table: `age_min`/`age_max` columns, a band label column, INSEE's
/// single years (`AGED100`, 100 = 100 and over) or 5-year starts (`AGEQ80_17`: 80 and over).
pub(crate) enum AgeBands {
    MinMax(String, Vec<String>, String, Vec<String>),
    Labels(String, Vec<String>),
    SingleYears { col: String, values: Vec<String>, open_from: u32 },
    FiveYears { col: String, values: Vec<String>, open_from: u32 },
    None,
}

impl AgeBands {
    pub(crate) fn band(&self, row: usize) -> std::result::Result<(Option<u32>, Option<u32>), (String, String)> {
        let num = |col: &str, v: &str| v.trim().parse::<u32>().map_err(|_| (col.to_owned(), v.to_owned()));
        match self {
            AgeBands::None => Ok((None, None)),
            AgeBands::MinMax(cmin, mins, cmax, maxs) => {
                let a = num(cmin, &mins[row])?;
                let z = if maxs[row].trim().is_empty() { None } else { Some(num(cmax, &maxs[row])?) };
                match z {
                    Some(z) if z < a => Err((cmax.clone(), maxs[row].clone())),
                    _ => Ok((Some(a), z)),
                }
            }
            AgeBands::Labels(col, labels) => AgeBand::parse(&labels[row]).map(|b| (b.min, b.max)).ok_or_else(|| (col.clone(), labels[row].clone())),
            AgeBands::SingleYears { col, values, open_from } => {
                let a = num(col, &values[row])?;
                Ok((Some(a), (a < *open_from).then_some(a)))
            }
            AgeBands::FiveYears { col, values, open_from } => {
                let a = num(col, &values[row])?;
                Ok((Some(a), (a < *open_from).then_some(a + 4)))
            }
        }
    }
}

pub(crate) fn age_bands(table: &TextTable) -> Result<AgeBands> {
    if let (Some(a), Some(z)) = (table.find_column(&["age_min", "AGE_MIN"]), table.find_column(&["age_max", "AGE_MAX"])) {
        return Ok(AgeBands::MinMax(a.clone(), table.texts(&a)?, z.clone(), table.texts(&z)?));
    }
    for name in table.column_names() {
        let upper = name.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("AGED") {
            if let Ok(open_from) = rest.parse::<u32>() {
                return Ok(AgeBands::SingleYears { values: table.texts(&name)?, col: name, open_from });
            }
        }
        if let Some(rest) = upper.strip_prefix("AGEQ") {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(open_from) = digits.parse::<u32>() {
                return Ok(AgeBands::FiveYears { values: table.texts(&name)?, col: name, open_from });
            }
        }
    }
    match table.find_column(&["age", "tranche_age", "classe_age", "age_band", "tranche d'âge"]) {
        Some(col) => Ok(AgeBands::Labels(col.clone(), table.texts(&col)?)),
        None => Ok(AgeBands::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_columns_are_mapped_to_measures() {
        let c = wide_column("P21_POP0014").unwrap();
        assert_eq!((c.year, c.measure.as_str(), c.sex, c.age_min, c.age_max), (2021, "population", Sex::All, Some(0), Some(14)));
        let c = wide_column("P19_F75P").unwrap();
        assert_eq!((c.year, c.sex, c.age_min, c.age_max), (2019, Sex::Female, Some(75), None));
        assert_eq!(wide_column("P21_POPH").unwrap().sex, Sex::Male);
        assert_eq!(wide_column("P21_CHOM1564").unwrap().measure, "unemployed_15_64");
        assert_eq!(wide_column("C21_ACT1564_CS3").unwrap().measure, "active_15_64_cs3");
        for ignored in ["LIBGEO", "P21_MEN", "C21_ACT1564", "P21_POP9914", "X21_POP", "P2X_POP"] {
            assert_eq!(wide_column(ignored), None, "{ignored}");
        }
    }
}
