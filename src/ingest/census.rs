//! INSEE's wide communal tables, one row per commune: the census communal bases
//! (`base-cc-evol-struct-pop`, `base-cc-emploi-pop-active`, `base-cc-logement`,
//! `base-cc-couples-familles-menages`, `base-cc-diplomes-formation`, the séries historiques)
//! and the **comparateur de territoires**, which adds état civil, Filosofi and Sirene columns
//! to census ones:
//!
//! ```text
//! CODGEO;P22_POP;P16_POP;SUPERF;NAIS1621;DECE1621;P22_MEN;NAISD24;DECESD24;P22_LOG;…;MED21;TP6021;…;ETTOT24
//! 01004;15554;14081;24,6;1325;808;7107,01;175;118;7973,37;…;22990;12,5;…;1320
//! ```
//!
//! Census variables are named `<exploitation><yy>_<body>` (INSEE, « Bases communales du
//! recensement : documentation des variables »): `P21_` is the principal exploitation of the
//! 2021 census, `C21_` the complementary one (households and families by type, socio-
//! professional categories: a sample of a quarter of the forms, so its totals differ from the
//! principal ones and get their own measure names), `D99_` the dénombrements 1968-1999 of the
//! séries historiques. The body says the family, the sex (`H`/`F` first) and the age band
//! (`0014`, `75P`): see [`census_column`] for the families read. The comparateur's other
//! columns end in their year (`MED21`, `ETTOT24`, `NAISD24`) or their period (`NAIS1621`,
//! births 2016-2021): see [`other_column`]. Every column not read is listed in the summary.

use crate::error::{Error, Location, Result};
use crate::facts::AgeBand;
use crate::ingest::facts::{CellKey, FactSink, Kind, Level, Origin, Period, Sex};
use crate::ingest::layout::Detection;
use crate::ingest::{insee, Cell, TextTable};

/// What a column of a wide communal table measures (measure, period, sex, ages, kind), or
/// `None` for a column not read.
pub fn column(name: &str) -> Option<CellKey> {
    census_column(name).or_else(|| other_column(name))
}

/// A census variable (`P21_POP0014`, `C21_MENPSEUL`, `D99_POP`), or `None`.
pub fn census_column(name: &str) -> Option<CellKey> {
    let name = name.trim().to_ascii_uppercase();
    let (prefix, body) = name.split_once('_')?;
    let b = prefix.as_bytes();
    if b.len() != 3 || !b[1].is_ascii_digit() || !b[2].is_ascii_digit() {
        return None;
    }
    let yy: i32 = prefix[1..].parse().ok()?;
    match b[0] {
        b'P' => principal(2000 + yy, body),
        b'D' => principal(1900 + yy, body),
        b'C' => complementary(2000 + yy, body),
        _ => None,
    }
}

/// The principal exploitation's variables (and the dénombrements').
fn principal(year: i32, body: &str) -> Option<CellKey> {
    let count = |m: &str| Some(CellKey::count(year, m));
    match body {
        "POP" => count("population"),
        "POPH" => Some(CellKey::count(year, "population").sex(Sex::Male)),
        "POPF" => Some(CellKey::count(year, "population").sex(Sex::Female)),
        "MEN" => count("households"),
        "PMEN" => count("household_population"),
        "LOG" => count("dwellings"),
        "RP" => count("main_residences"),
        "RSECOCC" => count("secondary_residences"),
        "LOGVAC" => count("vacant_dwellings"),
        "MAISON" => count("houses"),
        "APPART" => count("flats"),
        "RP_PROP" => count("main_residences_owner_occupied"),
        "RP_LOC" => count("main_residences_rented"),
        "RP_LOCHLMV" => count("main_residences_social_housing"),
        "RP_GRAT" => count("main_residences_rent_free"),
        "RP_VOIT1P" => count("main_residences_with_car"),
        // The period of construction (`ACHTOT`: those whose period is known, built before the
        // census's last two years), INSEE's 2021 codes and 2022's four-digit ones; and comfort.
        "RP_ACHTOT" => count("main_residences_dated"),
        "RP_ACH19" | "RP_ACH1919" => count("main_residences_built_before_1919"),
        "RP_ACH45" | "RP_ACH1945" => count("main_residences_built_1919_1945"),
        "RP_SDB" => count("main_residences_with_bath"),
        "ACTOCC15P_ILT1" => Some(CellKey::count(year, "employed_15p_working_in_commune").ages(Some(15), None)),
        "EMPLT" => count("jobs"),
        "EMPLT_SAL" => count("jobs_salaried"),
        "EMPLT_NSAL" => count("jobs_non_salaried"),
        _ => by_sex_and_age(year, body),
    }
}

/// `[H|F]<family><ages>`: population (`H0014`, `POP75P`), household population (`POPMEN80P`),
/// people living alone (`POP80P_PSEUL`), the active, employed, unemployed and inactive by age
/// (`ACT1524`, `HCHOM1564`, `ACTOCC15P`, `ETUD1564`), pupils (`SCOL0610`) and the diplomas of
/// those out of school (`NSCOL15P_BAC`, `FNSCOL15P_SUP5`).
fn by_sex_and_age(year: i32, body: &str) -> Option<CellKey> {
    let (sex, rest) = match body.as_bytes().first()? {
        b'H' => (Sex::Male, &body[1..]),
        b'F' => (Sex::Female, &body[1..]),
        _ => (Sex::All, body),
    };
    let key = |measure: String, band: AgeBand| Some(CellKey::count(year, measure).sex(sex).ages(band.min, band.max));
    if let Some(level) = rest.strip_prefix("NSCOL15P") {
        let measure = match level {
            "" => "out_of_school_15p".to_owned(),
            _ => format!("out_of_school_15p_{}", diploma(level.strip_prefix('_')?)?),
        };
        return key(measure, AgeBand::new(Some(15), None));
    }
    if let Some(code) = rest.strip_prefix("POP").and_then(|r| r.strip_suffix("_PSEUL")) {
        return key("people_living_alone".into(), AgeBand::from_insee_code(code)?);
    }
    // The population itself: `POP0014`, and `H0014` (the sex letter stands for `POP`).
    if let Some(band) = AgeBand::from_insee_code(rest.strip_prefix("POP").unwrap_or(if sex == Sex::All { "" } else { rest })) {
        return key("population".into(), band);
    }
    // Families whose 15-64 (and 15+) counts have names of their own: the catalogue's
    // `active_15_64` and `unemployed_15_64`; their finer bands (15-24, 25-54, 55-64) go to
    // `<family>_by_age`, so that no sum adds a band to the bands inside it.
    const FAMILIES: [(&str, &str); 9] = [
        ("POPMEN", "household_population"),
        ("ACTOCC", "employed"),
        ("AINACT", "other_inactive"),
        ("INACT", "inactive"),
        ("ACT", "active"),
        ("CHOM", "unemployed"),
        ("ETUD", "students"),
        ("RETR", "retired"),
        ("SCOL", "in_school"),
    ];
    let (family, measure) = FAMILIES.iter().find(|(f, _)| rest.starts_with(f))?;
    let band = AgeBand::from_insee_code(&rest[family.len()..])?;
    let name = match (*family, band.min, band.max) {
        ("POPMEN" | "SCOL", _, _) => (*measure).to_owned(),
        (_, Some(15), Some(64)) => format!("{measure}_15_64"),
        ("ACT" | "ACTOCC" | "CHOM", Some(15), None) => format!("{measure}_15p"),
        ("ACT" | "ACTOCC" | "CHOM", _, _) => format!("{measure}_by_age"),
        _ => return None,
    };
    key(name, band)
}

/// The diploma codes of `base-cc-diplomes-formation`, kept as INSEE writes them (lower case):
/// `diplmin` (no diploma or at most the CEP), `bepc`, `capbep`, `bac`, `sup2` (bac+2),
/// `sup34` (bac+3 or 4), `sup5` (bac+5 or more); before 2017 `dipl0`, `cep`, `bacp2`, `sup`.
fn diploma(code: &str) -> Option<&'static str> {
    Some(match code {
        "DIPLMIN" => "diplmin",
        "DIPL0" => "dipl0",
        "CEP" => "cep",
        "BEPC" => "bepc",
        "CAPBEP" => "capbep",
        "BAC" => "bac",
        "BACP2" => "bacp2",
        "SUP" => "sup",
        "SUP2" => "sup2",
        "SUP34" => "sup34",
        "SUP5" => "sup5",
        _ => return None,
    })
}

/// The complementary exploitation's variables: households and families by type, by the
/// socio-professional category of the reference person or of the active, overcrowding.
fn complementary(year: i32, body: &str) -> Option<CellKey> {
    let count = |m: String| Some(CellKey::count(year, m));
    let cs = |rest: &str| (rest.len() == 1 && rest.as_bytes()[0].is_ascii_digit()).then(|| rest.to_owned());
    match body {
        // Households of the complementary exploitation: the denominator of the counts by
        // type and category below (the principal `P21_MEN` is `households`).
        "MEN" => return count("households_complementary".into()),
        "PMEN" => return count("household_population_complementary".into()),
        "FAM" => return count("families".into()),
        "COUPAENF" => return count("families_couple_with_children".into()),
        "COUPSENF" => return count("families_couple_without_children".into()),
        "FAMMONO" => return count("families_single_parent".into()),
        "HMONO" => return Some(CellKey::count(year, "families_single_parent").sex(Sex::Male)),
        "FMONO" => return Some(CellKey::count(year, "families_single_parent").sex(Sex::Female)),
        "RP_HSTU1P" => return count("main_residences_excl_studios_1p".into()),
        "RP_HSTU1P_SUROCC" => return count("main_residences_overcrowded".into()),
        _ => {}
    }
    if let Some(n) = body.strip_prefix("NE24F") {
        return matches!(n, "0" | "1" | "2" | "3" | "4P").then(|| CellKey::count(year, format!("families_children_under_25_{}", n.to_lowercase())));
    }
    if let Some(n) = body.strip_prefix("ACT1564_CS").and_then(cs) {
        return Some(CellKey::count(year, format!("active_15_64_cs{n}")).ages(Some(15), Some(64)));
    }
    if let Some(n) = body.strip_prefix("ACTOCC1564_CS").and_then(cs) {
        return Some(CellKey::count(year, format!("employed_15_64_cs{n}")).ages(Some(15), Some(64)));
    }
    if let Some(n) = body.strip_prefix("MEN_CS").and_then(cs) {
        return count(format!("households_cs{n}"));
    }
    if let Some(n) = body.strip_prefix("PMEN_CS").and_then(cs) {
        return count(format!("household_population_cs{n}"));
    }
    let (measure, kind) = match body.strip_prefix("PMEN_MEN") {
        Some(kind) => ("household_population", kind),
        None => ("households", body.strip_prefix("MEN")?),
    };
    let (kind, sex) = match kind {
        "PSEUL" => ("one_person", Sex::All),
        "HSEUL" => ("one_person", Sex::Male),
        "FSEUL" => ("one_person", Sex::Female),
        "SFAM" => ("other_without_family", Sex::All),
        "FAM" => ("with_family", Sex::All),
        "COUPSENF" => ("couple_without_children", Sex::All),
        "COUPAENF" => ("couple_with_children", Sex::All),
        "FAMMONO" => ("single_parent", Sex::All),
        _ => return None,
    };
    Some(CellKey::count(year, format!("{measure}_{kind}")).sex(sex))
}

/// The comparateur's columns that are not census variables: births and deaths over a period
/// (`NAIS1621`, `DECE1621`) or a year (`NAISD24`, `DECESD24`), Filosofi (`NBMENFISC21` tax
/// households, and as published `MED21` median disposable income per consumption unit in €,
/// `TP6021` poverty rate at 60 % in %, `PIMP21` share of taxed households in %) and Sirene's
/// active establishments (`ETTOT24`, by sector `ETAZ24`… and size `ETTEF124`, `ETTEFP1024`).
pub fn other_column(name: &str) -> Option<CellKey> {
    let name = name.trim().to_ascii_uppercase();
    let year = |rest: &str| (rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| 2000 + rest.parse::<i32>().unwrap_or_default());
    let yearly = |prefix: &str, measure: &str| name.strip_prefix(prefix).and_then(year).map(|y| CellKey::count(y, measure));
    if let Some(k) = yearly("NAISD", "births").or_else(|| yearly("DECESD", "deaths_all_causes")) {
        return Some(k);
    }
    // Over a period (the years between two censuses): measures of their own, so that they
    // are neither read as one year's births or deaths (a birth rate 6 times too high) nor
    // hidden behind a later single year (`NAISD24`) when each measure is read at its latest
    // year; the natural balance of the census pair (`croissance_solde_naturel`) reads them.
    for (prefix, measure) in [("NAIS", "births_period"), ("DECE", "deaths_period")] {
        if name.len() == prefix.len() + 4 && name.starts_with(prefix) {
            let period = Period::from_insee_name(&name)?;
            return Some(CellKey::count(period.end, measure).over(period));
        }
    }
    let published = |prefix: &str, measure: &str, unit: &str| name.strip_prefix(prefix).and_then(year).map(|y| CellKey::published(y, measure, unit));
    if let Some(k) = published("MED", "median_income", "€")
        .or_else(|| published("TP60", "poverty_rate", "%"))
        .or_else(|| published("PIMP", "taxed_households_share", "%"))
        .or_else(|| yearly("NBMENFISC", "tax_households"))
        .or_else(|| yearly("ETTOT", "establishments"))
        .or_else(|| yearly("ETTEFP10", "establishments_10p_employees"))
        .or_else(|| yearly("ETTEF1", "establishments_1_9_employees"))
    {
        return Some(k);
    }
    // Sectors: ETAZ (agriculture), ETBE (industry), ETFZ (construction), ETGU (trade,
    // transport, services), ETOQ (public administration, education, health, social work).
    let sector = name.strip_prefix("ET").filter(|r| r.len() == 4 && r.as_bytes()[..2].iter().all(u8::is_ascii_uppercase))?;
    Some(CellKey::count(year(&sector[2..])?, format!("establishments_{}", sector[..2].to_lowercase())))
}

/// Columns of the comparateur that the census bases do not have (état civil of a year,
/// Filosofi, Sirene): births and deaths over a period alone are in the séries historiques too.
fn comparateur_only(name: &str) -> bool {
    other_column(name).is_some_and(|k| k.period.start == k.period.end)
}

/// The comparateur de territoires: a commune column, census columns and columns of its other
/// sources.
pub fn detect_comparateur(t: &TextTable) -> Detection {
    let names = t.column_names();
    Detection::from_checks(&[
        (insee::COMMUNE[0], t.find_column(insee::COMMUNE).is_some()),
        ("P22_POP (census columns)", names.iter().any(|n| census_column(n).is_some())),
        ("NAISD24, MED21 or ETTOT24 (état civil, Filosofi, Sirene)", names.iter().any(|n| comparateur_only(n))),
    ])
}

/// A census communal base: a commune column and census columns.
pub fn detect_base(t: &TextTable) -> Detection {
    let census = t.column_names().iter().any(|n| census_column(n).is_some());
    Detection::from_checks(&[(insee::COMMUNE[0], t.find_column(insee::COMMUNE).is_some()), ("P21_POP (census columns)", census)])
}

/// Read a census communal base (`base-cc-…`, séries historiques) into `sink`.
pub fn read_base(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    read(table, Origin::source("INSEE", "RP"), sink)
}

/// Read the comparateur de territoires into `sink`.
pub fn read_comparateur(table: &TextTable, sink: &mut FactSink) -> Result<()> {
    read(table, Origin::source("INSEE", "comparateur de territoires"), sink)
}

fn read(table: &TextTable, origin: Origin, sink: &mut FactSink) -> Result<()> {
    sink.origin(origin);
    let geo_col = table.require_column("commune code", insee::COMMUNE)?;
    let geo = table.texts(&geo_col)?;
    let mut mapped: Vec<(String, CellKey)> = Vec::new();
    let mut area = None;
    for name in table.column_names() {
        if name == geo_col {
            continue;
        }
        if name.trim().eq_ignore_ascii_case("SUPERF") {
            area = Some(name);
            continue;
        }
        match column(&name) {
            Some(key) => mapped.push((name, key)),
            None => {
                sink.summary.ignored_columns.insert(name);
            }
        }
    }
    if mapped.is_empty() {
        return Err(Error::input(
            Location::file(&table.file),
            "no INSEE census column found (such as P21_POP, P21_POP0014, P21_ACT1564)",
            "give an INSEE communal base (base-cc-…) or the comparateur de territoires, or a long table (CODGEO;SEXE;AGED100;NB)",
        ));
    }
    // The area (`SUPERF`, km²) has no year of its own: it takes the file's latest census year.
    if let Some(name) = area {
        let census = mapped.iter().filter(|(n, _)| census_column(n).is_some());
        let year = census.map(|(_, k)| k.period.end).max().or_else(|| mapped.iter().map(|(_, k)| k.period.end).max()).unwrap_or_default();
        mapped.push((name, CellKey::count(year, "area_km2")));
    }
    check_unemployed(table, &mapped)?;
    sink.summary.rows += table.height();
    for (name, key) in &mapped {
        let cells = match key.kind {
            Kind::Count => table.counts(name)?,
            Kind::Published { .. } => table.numbers(name)?,
        };
        for (row, cell) in cells.into_iter().enumerate() {
            sink.push(&geo[row], Level::Commune, key.clone(), cell, &Location::file(&table.file).at(table.line_of(row), geo_col.as_str()))?;
        }
    }
    // Counts the indicators need that the bases give in parts: main residences built before
    // 1946 (before 1919 + 1919-1945) and without a bath or shower (all − with one).
    let derived: [(&str, [(&str, f64); 2]); 2] = [
        ("main_residences_built_before_1946", [("main_residences_built_before_1919", 1.0), ("main_residences_built_1919_1945", 1.0)]),
        ("main_residences_without_bath", [("main_residences", 1.0), ("main_residences_with_bath", -1.0)]),
    ];
    for (measure, parts) in derived {
        let years: std::collections::BTreeSet<i32> =
            mapped.iter().filter(|(_, k)| k.measure == parts[0].0 && matches!(k.kind, Kind::Count)).map(|(_, k)| k.period.end).collect();
        for year in years {
            let columns: Option<Vec<&String>> =
                parts.iter().map(|(m, _)| mapped.iter().find(|(_, k)| k.measure == *m && k.period.end == year).map(|(n, _)| n)).collect();
            let Some(columns) = columns else { continue };
            let cells = columns.iter().map(|c| table.counts(c)).collect::<Result<Vec<_>>>()?;
            for row in 0..table.height() {
                let mut total = 0.0;
                for (part, (_, sign)) in cells.iter().zip(parts) {
                    match part[row] {
                        Cell::Value(v) => total += sign * v,
                        _ => {
                            total = f64::NAN;
                            break;
                        }
                    }
                }
                let at = Location::file(&table.file).at(table.line_of(row), columns[1].as_str());
                if total < 0.0 {
                    return Err(Error::input(
                        at,
                        format!("{} is above {}", columns[1], columns[0]),
                        "this column counts a part of the other: check both columns",
                    ));
                }
                let cell = if total.is_nan() { Cell::Missing } else { Cell::Value(total) };
                sink.push(&geo[row], Level::Commune, CellKey::count(year, measure), cell, &at)?;
            }
            sink.summary.notes.push(format!("{measure} computed from {} and {}", columns[0], columns[1]));
        }
    }
    // The taxed households, rebuilt as the share published × the tax households (a count the
    // indicators can sum, unlike the share).
    for (share_col, share) in mapped.iter().filter(|(_, k)| k.measure == "taxed_households_share") {
        let Some((households_col, _)) = mapped.iter().find(|(_, k)| k.measure == "tax_households" && k.period == share.period) else { continue };
        let (shares, households) = (table.numbers(share_col)?, table.counts(households_col)?);
        for row in 0..table.height() {
            let cell = match (shares[row], households[row]) {
                (Cell::Value(s), Cell::Value(n)) => Cell::Value(s / 100.0 * n),
                _ => Cell::Missing,
            };
            let key = CellKey::count(share.period.end, "taxed_households");
            sink.push(&geo[row], Level::Commune, key, cell, &Location::file(&table.file).at(table.line_of(row), geo_col.as_str()))?;
        }
        sink.summary.notes.push(format!("taxed_households rebuilt as {share_col} × {households_col} / 100 (the share is kept as published too)"));
    }
    Ok(())
}

/// The unemployed are a subset of the active of the same year, sex and ages: a file where
/// they are more has its columns mixed up.
fn check_unemployed(table: &TextTable, mapped: &[(String, CellKey)]) -> Result<()> {
    for (chom, u) in mapped.iter().filter(|(_, k)| k.measure.starts_with("unemployed_")) {
        let active = u.measure.replacen("unemployed", "active", 1);
        let Some((act, _)) = mapped
            .iter()
            .find(|(_, a)| a.measure == active && a.period == u.period && a.sex == u.sex && (a.age_min, a.age_max) == (u.age_min, u.age_max))
        else {
            continue;
        };
        let (us, acts) = (table.counts(chom)?, table.counts(act)?);
        if let Some(row) = (0..table.height()).find(|&r| matches!((us[r], acts[r]), (Cell::Value(x), Cell::Value(y)) if x > y)) {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), chom.as_str()),
                format!("{} unemployed above the {} active ({act})", us[row].value().unwrap_or_default(), acts[row].value().unwrap_or_default()),
                "the unemployed are counted among the active: check both columns",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Measure, period, sex, ages and kind (`count` or the unit).
    type Described = (String, String, &'static str, Option<u32>, Option<u32>, String);

    fn described(name: &str) -> Option<Described> {
        column(name).map(|k| {
            let kind = match &k.kind {
                Kind::Count => "count".to_owned(),
                Kind::Published { unit } => unit.clone(),
            };
            (k.measure, k.period.to_string(), k.sex.code(), k.age_min, k.age_max, kind)
        })
    }

    fn is(name: &str, measure: &str, period: &str, sex: &str, ages: (Option<u32>, Option<u32>), kind: &str) {
        assert_eq!(described(name), Some((measure.to_owned(), period.to_owned(), sex_code(sex), ages.0, ages.1, kind.to_owned())), "{name}");
    }

    fn sex_code(s: &str) -> &'static str {
        match s {
            "M" => "M",
            "F" => "F",
            _ => "all",
        }
    }

    const ALL: (Option<u32>, Option<u32>) = (None, None);

    #[test]
    fn comparateur_columns_have_their_period_kind_and_unit() {
        is("NAIS1621", "births_period", "2016-2021", "all", ALL, "count");
        is("DECE1621", "deaths_period", "2016-2021", "all", ALL, "count");
        is("NAISD24", "births", "2024", "all", ALL, "count");
        is("DECESD24", "deaths_all_causes", "2024", "all", ALL, "count");
        is("MED21", "median_income", "2021", "all", ALL, "€");
        is("TP6021", "poverty_rate", "2021", "all", ALL, "%");
        is("PIMP21", "taxed_households_share", "2021", "all", ALL, "%");
        is("NBMENFISC21", "tax_households", "2021", "all", ALL, "count");
        is("ETTOT24", "establishments", "2024", "all", ALL, "count");
        is("ETAZ23", "establishments_az", "2023", "all", ALL, "count");
        is("ETOQ23", "establishments_oq", "2023", "all", ALL, "count");
        is("ETTEF123", "establishments_1_9_employees", "2023", "all", ALL, "count");
        is("ETTEFP1023", "establishments_10p_employees", "2023", "all", ALL, "count");
        for unread in ["CODGEO", "LIBGEO", "SUPERF", "NAIS2116", "MED2021", "ETA23", "NAISD2X", "TP60"] {
            assert_eq!(column(unread), None, "{unread}");
        }
    }

    #[test]
    fn census_families_of_the_five_bases() {
        // Housing and households (base-cc-logement).
        is("P22_MEN", "households", "2022", "all", ALL, "count");
        is("P21_PMEN", "household_population", "2021", "all", ALL, "count");
        is("P21_LOG", "dwellings", "2021", "all", ALL, "count");
        is("P21_RP", "main_residences", "2021", "all", ALL, "count");
        is("P21_RSECOCC", "secondary_residences", "2021", "all", ALL, "count");
        is("P21_LOGVAC", "vacant_dwellings", "2021", "all", ALL, "count");
        is("P21_RP_PROP", "main_residences_owner_occupied", "2021", "all", ALL, "count");
        is("P21_RP_LOCHLMV", "main_residences_social_housing", "2021", "all", ALL, "count");
        is("P21_RP_ACHTOT", "main_residences_dated", "2021", "all", ALL, "count");
        is("P21_RP_ACH19", "main_residences_built_before_1919", "2021", "all", ALL, "count");
        is("P22_RP_ACH1945", "main_residences_built_1919_1945", "2022", "all", ALL, "count");
        is("P21_RP_SDB", "main_residences_with_bath", "2021", "all", ALL, "count");
        is("P21_ACTOCC15P_ILT1", "employed_15p_working_in_commune", "2021", "all", (Some(15), None), "count");
        is("C21_RP_HSTU1P_SUROCC", "main_residences_overcrowded", "2021", "all", ALL, "count");
        // Couples, families, households (complementary exploitation).
        is("C21_MEN", "households_complementary", "2021", "all", ALL, "count");
        is("C21_MENPSEUL", "households_one_person", "2021", "all", ALL, "count");
        is("C21_MENFSEUL", "households_one_person", "2021", "F", ALL, "count");
        is("C21_PMEN_MENFAMMONO", "household_population_single_parent", "2021", "all", ALL, "count");
        is("C21_FAMMONO", "families_single_parent", "2021", "all", ALL, "count");
        is("C21_HMONO", "families_single_parent", "2021", "M", ALL, "count");
        is("C21_COUPAENF", "families_couple_with_children", "2021", "all", ALL, "count");
        is("C21_NE24F4P", "families_children_under_25_4p", "2021", "all", ALL, "count");
        is("C21_MEN_CS3", "households_cs3", "2021", "all", ALL, "count");
        is("P21_POP15P_PSEUL", "people_living_alone", "2021", "all", (Some(15), None), "count");
        is("P21_POP80P_PSEUL", "people_living_alone", "2021", "all", (Some(80), None), "count");
        is("P21_POPMEN5579", "household_population", "2021", "all", (Some(55), Some(79)), "count");
        // Diplomas (base-cc-diplomes-formation).
        is("P21_NSCOL15P", "out_of_school_15p", "2021", "all", (Some(15), None), "count");
        is("P21_NSCOL15P_DIPLMIN", "out_of_school_15p_diplmin", "2021", "all", (Some(15), None), "count");
        is("P21_NSCOL15P_SUP34", "out_of_school_15p_sup34", "2021", "all", (Some(15), None), "count");
        is("P21_FNSCOL15P_SUP5", "out_of_school_15p_sup5", "2021", "F", (Some(15), None), "count");
        is("P21_SCOL0610", "in_school", "2021", "all", (Some(6), Some(10)), "count");
        // Activity (base-cc-emploi-pop-active).
        is("P21_ACT1564", "active_15_64", "2021", "all", (Some(15), Some(64)), "count");
        is("P21_HACT1564", "active_15_64", "2021", "M", (Some(15), Some(64)), "count");
        is("P21_ACT1524", "active_by_age", "2021", "all", (Some(15), Some(24)), "count");
        is("P21_CHOM5564", "unemployed_by_age", "2021", "all", (Some(55), Some(64)), "count");
        is("P21_FCHOM1564", "unemployed_15_64", "2021", "F", (Some(15), Some(64)), "count");
        is("P21_ACTOCC15P", "employed_15p", "2021", "all", (Some(15), None), "count");
        is("P21_ETUD1564", "students_15_64", "2021", "all", (Some(15), Some(64)), "count");
        is("P21_POP1564", "population", "2021", "all", (Some(15), Some(64)), "count");
        is("P21_H5564", "population", "2021", "M", (Some(55), Some(64)), "count");
        is("C21_ACTOCC1564_CS6", "employed_15_64_cs6", "2021", "all", (Some(15), Some(64)), "count");
        is("P22_EMPLT_SAL", "jobs_salaried", "2022", "all", ALL, "count");
        // Séries historiques: dénombrements.
        is("D99_POP", "population", "1999", "all", ALL, "count");
        for unread in ["P21_POP15P_MARIEE", "P21_NSCOL15P_XYZ", "C21_ACT1564", "C21_POP15P_CS1", "P21_INACT1524", "P21_POP01P_IRAN1", "C21_NE24F5"] {
            assert_eq!(column(unread), None, "{unread}");
        }
    }
}
