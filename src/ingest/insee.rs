//! INSEE census and population tables.
//!
//! **Wide communal bases** (`base-cc-…`, the comparateur de territoires) are read by
//! [`census`]; [`wide_column`] and [`read_wide`] are its census part.
//!
//! **Long tables**, one row per place × sex × age:
//!
//! ```text
//! CODGEO;SEXE;AGED100;NB          (commune × sex × single year of age, 100 = 100 and over)
//! CODGEO;SEXE;AGEQ80_17;NB        (5-year bands 00, 05 … 80 = 80 and over)
//! dep_code;sex;age_min;age_max;population   (département × sex × band, INSEE estimates)
//! ```
//! The year is a column (`ANNEE`, `year`), or the year given, or the one year the file's
//! name holds (`BTT_TD_POP1B_2021.csv`), said in a note. Columns not read (`LIBGEO`,
//! `NIVGEO`) are listed.

use crate::error::{Error, Location, Result};
use crate::facts::AgeBand;
use crate::ingest::facts::{CellKey, FactSink, Kind, Level, Origin, Sex};
use crate::ingest::{census, TextTable};

pub const COMMUNE: &[&str] = &["CODGEO", "COM", "code_commune", "codecommune", "insee_com", "commune"];
const DEPARTEMENT_COLUMNS: &[&str] = &["DEP", "dep_code", "code_departement", "departement"];
/// A commune's or a département's code: the place of a long table's row.
pub const PLACE: &[&str] =
    &["CODGEO", "COM", "code_commune", "codecommune", "insee_com", "commune", "DEP", "dep_code", "code_departement", "departement"];
pub const SEX: &[&str] = &["SEXE", "sex", "sexe"];
/// The year of a long table's row.
pub const YEAR: &[&str] = &["ANNEE", "year", "annee", "année"];
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

/// Map an INSEE census column name (`P21_POP0014`, `C21_MENPSEUL`…) to what it counts;
/// `None` for a column not read (see [`census::census_column`] for the families).
pub fn wide_column(name: &str) -> Option<WideColumn> {
    let key = census::census_column(name)?;
    (key.kind == Kind::Count && key.period.start == key.period.end).then_some(WideColumn {
        year: key.period.end,
        measure: key.measure,
        sex: key.sex,
        age_min: key.age_min,
        age_max: key.age_max,
    })
}

/// Read a wide communal base into `sink` (see [`census`]).
pub fn read_wide(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    census::read_base(table, sink)
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
    let year = match year {
        None if table.find_column(YEAR).is_none() => year_of_file_name(table, &mut sink.summary),
        given => given,
    };
    let years = year_column(table, year, &mut sink.summary)?;
    let bands = age_bands(table)?;
    let used = [Some(&geo_col), Some(&sex_col), Some(&value_col), years.column(), bands.columns().first().copied(), bands.columns().get(1).copied()];
    for name in table.column_names() {
        if !used.contains(&Some(&name)) {
            sink.summary.ignored_columns.insert(name);
        }
    }
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
    /// The year column, if the years come from one.
    pub(crate) fn column(&self) -> Option<&String> {
        match self {
            Years::Fixed(_) => None,
            Years::Column(col, _) => Some(col),
        }
    }

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

/// The one year (1900-2099) a file's name holds (`BTT_TD_POP1B_2021.csv`,
/// `insee_rp2021_pop1b_…`), said in a note; `None` when it holds none or several
/// (`…_2013_2070`). The name of a workbook's file, not of its sheet.
pub(crate) fn year_of_file_name(table: &TextTable, summary: &mut crate::ingest::Summary) -> Option<i32> {
    let name = file_stem(table);
    let mut years: Vec<i32> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() == 4)
        .filter_map(|d| d.parse().ok())
        .filter(|y| (1900..2100).contains(y))
        .collect();
    years.dedup();
    match years[..] {
        [y] => {
            summary.notes.push(format!("year {y} read from the file name {name}"));
            Some(y)
        }
        _ => None,
    }
}

/// The name of a table's file without its extension, nor its sheet (« path (sheet X) »).
pub(crate) fn file_stem(table: &TextTable) -> String {
    let path = table.file.rsplit_once(" (sheet ").map_or(table.file.as_str(), |(p, _)| p);
    std::path::Path::new(path).file_stem().map_or_else(|| path.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// The sheet of a workbook's table (« path (sheet France) » → `France`).
pub(crate) fn sheet_name(table: &TextTable) -> Option<&str> {
    table.file.rsplit_once(" (sheet ").and_then(|(_, s)| s.strip_suffix(')'))
}

/// The years of a table: its year column, else the year given. A file with its own year
/// column keeps it (the year given is for the files without one: a folder may mix both), and
/// the summary says so.
pub(crate) fn year_column(table: &TextTable, year: Option<i32>, summary: &mut crate::ingest::Summary) -> Result<Years> {
    match (table.find_column(YEAR), year) {
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
    /// The columns the bands are read from.
    pub(crate) fn columns(&self) -> Vec<&String> {
        match self {
            AgeBands::MinMax(a, _, z, _) => vec![a, z],
            AgeBands::Labels(col, _) | AgeBands::SingleYears { col, .. } | AgeBands::FiveYears { col, .. } => vec![col],
            AgeBands::None => vec![],
        }
    }

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
        assert_eq!(wide_column("P21_MEN").unwrap().measure, "households");
        for ignored in ["LIBGEO", "C21_ACT1564", "P21_POP9914", "X21_POP", "P2X_POP", "NAIS1621", "MED21"] {
            assert_eq!(wide_column(ignored), None, "{ignored}");
        }
    }
}
