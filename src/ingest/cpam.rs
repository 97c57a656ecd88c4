//! CPAM-style tables: the roster of professionals and the patientèle.
//!
//! **Roster**, one row per professional:
//!
//! ```text
//! identifiant;profession;commune;annee_naissance;sexe;activite;annee_installation
//! 10001234567;Médecin généraliste;30003;1961;M;5200;1992
//! ```
//! `age` may replace `annee_naissance` (with `--year`, the year the age was taken);
//! `activite` is consultations per year or an FTE, as the CPAM gives it. Written as
//! `roster.parquet`: `id, profession, geo, birth_year, sex, activity, installation_year`.
//! Only the rows whose profession or specialty is general practice count as GPs (see
//! [`classify`]); a roster without either column is a GP roster.
//!
//! **Patientèle**, one row per commune × age band:
//!
//! ```text
//! commune;age;patients;sans_medecin_traitant;ald;c2s
//! 30003;17-69;5120;610;820;540
//! ```
//! giving the measures `patients`, `patients_without_gp`, `patients_ald`, `patients_c2s`
//! (only the columns present); rows for the 17+ and the 70+ (`17+`, `70 ans et plus`) take
//! the names the indicator catalogue uses: `patients_17p`, `patients_17p_without_gp`,
//! `patients_70p`… A subset above its `patients` is an error.

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::geo::Referential;
use crate::ingest::facts::{CellKey, FactSink, Level, Origin, Sex, Summary};
use crate::ingest::insee::{age_bands, year_column};
use crate::ingest::{Cell, TextTable};

/// A roster's identifier of each professional, and a patientèle's count of patients.
pub const IDENTIFIER: &[&str] = &["identifiant", "id", "rpps", "identifiant_ps", "numero"];
pub const PATIENTS: &[&str] = &["patients", "patientele", "patientèle", "consommants"];
pub const COMMUNE: &[&str] = &["commune", "code_commune", "CODGEO", "COM", "commune_exercice", "code_insee"];

/// A whole number of a column (years, ages).
fn whole(table: &TextTable, col: &str, row: usize, cell: Cell, what: &str) -> Result<Option<i32>> {
    match cell {
        Cell::Missing => Ok(None),
        Cell::Value(v) if v.fract() == 0.0 && (0.0..=3000.0).contains(&v) => Ok(Some(v as i32)),
        Cell::Value(v) => Err(Error::input(
            Location::file(&table.file).at(table.line_of(row), col),
            format!("{v} is not a {what}"),
            format!("write the {what} as a whole number"),
        )),
    }
}

/// What a roster row's profession says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profession {
    /// A general practitioner (médecin généraliste).
    Gp,
    /// Another profession, by its slug (`infirmier`, `masseur_kinesitherapeute`, `code_24`;
    /// `unspecified` when empty): counted as `professional_<slug>`, never as a GP.
    Other(String),
}

/// What a profession or specialty label says: general practice in its usual spellings
/// (accents, case, plural, «(hors MEP)» ignored; `MG`, «Généraliste», «Médecine générale») or
/// CPAM specialty codes 01 (médecine générale), 22 and 23 (spécialiste en médecine générale),
/// else another profession. A row marked MEP (médecin à exercice particulier) is not a GP.
pub fn classify(raw: &str) -> Profession {
    let folded = fold(raw);
    let core = folded.strip_suffix(" hors mep").unwrap_or(&folded);
    const GP: &[&str] = &[
        "medecin generaliste",
        "medecins generalistes",
        "generaliste",
        "generalistes",
        "mg",
        "medecine generale",
        "specialiste en medecine generale",
        "medecin specialiste en medecine generale",
        "01",
        "1",
        "22",
        "23",
    ];
    if GP.contains(&core) {
        return Profession::Gp;
    }
    Profession::Other(match folded.replace(' ', "_") {
        s if s.is_empty() => "unspecified".to_owned(),
        s if s.bytes().all(|b| b.is_ascii_digit() || b == b'_') => format!("code_{s}"),
        s => s,
    })
}

/// Lower case without accents, every other character than a letter or a digit a single space.
pub(crate) fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        if mapped != " " || !(out.is_empty() || out.ends_with(' ')) {
            out.push_str(mapped);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The label of a row that decides its profession: the GP one if either column says general
/// practice; else the specialty when the profession is only «médecin» (RPPS extracts give
/// `Médecin` and the specialty apart), else the profession.
fn profession_label(profession: Option<&str>, specialty: Option<&str>) -> String {
    let gp = [profession, specialty].into_iter().flatten().find(|p| classify(p) == Profession::Gp);
    let generic = |p: &str| matches!(fold(p).as_str(), "" | "medecin" | "medecins" | "10");
    match (gp, profession, specialty) {
        (Some(p), _, _) => p,
        (None, Some(p), Some(s)) if generic(p) && !s.is_empty() => s,
        (None, Some(p), _) => p,
        (None, None, Some(s)) => s,
        (None, None, None) => "Médecin généraliste",
    }
    .to_owned()
}

/// Read a roster of professionals (GPs and others, see [`classify`]); unknown communes go to
/// the summary (or stop with `strict`).
pub fn read_roster(table: &TextTable, year: Option<i32>, r: &Referential, strict: bool, summary: &mut Summary) -> Result<DataFrame> {
    let id_col = table.require_column("identifier", IDENTIFIER)?;
    let ids = table.texts(&id_col)?;
    let profession_col = table.find_column(&["profession", "libelle_profession", "code_profession"]);
    let specialty_col = table.find_column(&["specialite", "spécialité", "libelle_specialite", "code_specialite"]);
    let profession_texts = profession_col.as_deref().map(|c| table.texts(c)).transpose()?;
    let specialty_texts = specialty_col.as_deref().map(|c| table.texts(c)).transpose()?;
    let professions: Vec<String> = (0..table.height())
        .map(|row| profession_label(profession_texts.as_ref().map(|p| p[row].as_str()), specialty_texts.as_ref().map(|s| s[row].as_str())))
        .collect();
    let geo_col = table.require_column("commune", COMMUNE)?;
    let geo = table.texts(&geo_col)?;
    let birth_col = table.find_column(&["annee_naissance", "année_naissance", "birth_year"]);
    let age_col = table.find_column(&["age", "âge"]);
    let (birth_cells, birth_name) = match (&birth_col, &age_col, year) {
        (Some(c), _, _) => (table.numbers(c)?, c.clone()),
        (None, Some(c), Some(_)) => (table.numbers(c)?, c.clone()),
        (None, Some(_), None) => {
            return Err(Error::input(
                Location::file(&table.file),
                "the roster gives ages but not the year they were taken",
                "give the year of the data (when the ages were taken)",
            ))
        }
        (None, None, _) => {
            return Err(Error::input(
                Location::file(&table.file),
                "the roster has no birth year (annee_naissance) or age column",
                "the GP projection needs each GP's age: add one of these columns",
            ))
        }
    };
    let sex_col = table.find_column(&["sexe", "sex"]);
    let sexes = sex_col.as_deref().map(|c| table.texts(c)).transpose()?;
    let activity_col = table.find_column(&["activite", "activité", "activity", "actes", "consultations", "etp", "fte"]);
    let activity = activity_col.as_deref().map(|c| table.numbers(c)).transpose()?;
    let install_col = table.find_column(&["annee_installation", "année_installation", "installation_year"]);
    let install = install_col.as_deref().map(|c| table.numbers(c)).transpose()?;

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let (mut out_id, mut out_prof, mut out_geo, mut out_birth, mut out_sex, mut out_act, mut out_inst) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    summary.rows += table.height();
    for row in 0..table.height() {
        let at = |col: &str| Location::file(&table.file).at(table.line_of(row), col);
        if let Some(first) = seen.insert(&ids[row], table.line_of(row)) {
            return Err(Error::input(
                at(&id_col),
                format!("professional «{}» is listed twice (first on line {first})", ids[row]),
                "keep one row per professional",
            ));
        }
        let code = match r.resolve(&geo[row]) {
            Ok(resolved) => {
                if let Some(remap) = &resolved.remap {
                    summary.remapped.insert(remap.from.clone(), format!("{} ({})", resolved.code, remap.kind.label()));
                }
                resolved.code
            }
            Err(e) if strict => return Err(Error::input(at(&geo_col), e.to_string(), "fix the code, or leave strict mode off to leave the row out")),
            Err(_) => {
                summary.unknown.entry(geo[row].clone()).or_insert_with(|| at(&geo_col).to_string());
                continue;
            }
        };
        summary.communes.insert(code.clone());
        let raw = whole(table, &birth_name, row, birth_cells[row], "year or age")?;
        let birth = match (&birth_col, year) {
            (Some(_), _) => raw,
            (None, Some(y)) => raw.map(|age| y - age),
            (None, None) => None,
        };
        if let Some(b) = birth.filter(|b| !(1900..=2010).contains(b)) {
            return Err(Error::input(
                at(&birth_name),
                format!("birth year {b} is not a working professional's"),
                "check the birth year or age column",
            ));
        }
        if let Some(a) = activity.as_ref().and_then(|a| a[row].value()).filter(|a| *a < 0.0) {
            return Err(Error::input(
                at(activity_col.as_deref().unwrap_or("activite")),
                format!("negative activity {a}"),
                "activity is a number of consultations or an FTE",
            ));
        }
        let sex = match (&sexes, &sex_col) {
            (Some(s), Some(col)) => {
                Sex::parse(&s[row]).ok_or_else(|| Error::input(at(col), format!("«{}» is not a sex", s[row]), "write M/F, H/F or 1/2"))?
            }
            _ => Sex::All,
        };
        let installed = match (&install, &install_col) {
            (Some(cells), Some(col)) => whole(table, col, row, cells[row], "year")?,
            _ => None,
        };
        match classify(&professions[row]) {
            Profession::Gp => summary.gps += 1,
            Profession::Other(slug) => *summary.other_professions.entry(slug).or_default() += 1,
        }
        out_id.push(ids[row].clone());
        out_prof.push(professions[row].clone());
        out_geo.push(code);
        out_birth.push(birth);
        out_sex.push(sex.code());
        out_act.push(activity.as_ref().and_then(|a| a[row].value()));
        out_inst.push(installed);
        summary.cells += 1;
    }
    summary.measures.insert("roster".into());
    Ok(DataFrame::new_infer_height(vec![
        Column::new("id".into(), out_id),
        Column::new("profession".into(), out_prof),
        Column::new("geo".into(), out_geo),
        Column::new("birth_year".into(), out_birth),
        Column::new("sex".into(), out_sex),
        Column::new("activity".into(), out_act),
        Column::new("installation_year".into(), out_inst),
    ])?)
}

/// Read a patientèle table into `sink`.
pub fn read_patientele(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Assurance Maladie", "patientèle"));
    let geo_col = table.require_column("commune", COMMUNE)?;
    let geo = table.texts(&geo_col)?;
    let patients_col = table.require_column("patients", PATIENTS)?;
    let patients = table.counts(&patients_col)?;
    let subsets = [
        ("patients_without_gp", &["sans_medecin_traitant", "sans_mt", "without_gp", "patients_sans_mt"][..]),
        ("patients_ald", &["ald", "patients_ald"][..]),
        ("patients_c2s", &["c2s", "patients_c2s", "cmuc"][..]),
    ];
    let mut columns = Vec::new();
    for (measure, aliases) in subsets {
        if let Some(col) = table.find_column(aliases) {
            let cells = table.counts(&col)?;
            for (row, (c, p)) in cells.iter().zip(&patients).enumerate() {
                if let (Cell::Value(a), Cell::Value(b)) = (c, p) {
                    if a > b {
                        return Err(Error::input(
                            Location::file(&table.file).at(table.line_of(row), col.as_str()),
                            format!("{a} is above the {b} patients ({patients_col})"),
                            "these columns count a subset of the patients: check both columns",
                        ));
                    }
                }
            }
            columns.push((measure, col, cells));
        }
    }
    let years = year_column(table, year, &mut sink.summary)?;
    let bands = age_bands(table)?;
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let at = |col: &str| Location::file(&table.file).at(table.line_of(row), col);
        let (age_min, age_max) = bands.band(row).map_err(|(col, label)| {
            Error::input(at(&col), format!("«{label}» is not an age or age band"), "write a band such as 17-69, 70+ or leave it empty")
        })?;
        let y = years.year(row, table)?;
        // The access indicators are published for the 17+ and the 70+: those bands take the
        // vocabulary's names (`patients_17p`, `patients_17p_without_gp`…), others stay banded.
        let suffix = match (age_min, age_max) {
            (Some(17), None) => "_17p",
            (Some(70), None) => "_70p",
            _ => "",
        };
        let key = |measure: &str| {
            let name = match measure.strip_prefix("patients") {
                Some(rest) if !suffix.is_empty() => format!("patients{suffix}{rest}"),
                _ => measure.to_owned(),
            };
            CellKey::count(y, name).ages(age_min, age_max)
        };
        sink.push(&geo[row], Level::Commune, key("patients"), patients[row], &at(&geo_col))?;
        for (measure, _, cells) in &columns {
            sink.push(&geo[row], Level::Commune, key(measure), cells[row], &at(&geo_col))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Encoding;

    #[test]
    fn usual_spellings_and_cpam_codes_are_gps() {
        for gp in [
            "Médecin généraliste",
            "Médecin généraliste (hors MEP)",
            "MÉDECINS GÉNÉRALISTES (HORS MEP)",
            "MG",
            "medecin generaliste",
            "Généraliste",
            "  médecin  généraliste ",
            "Médecine générale",
            "Spécialiste en médecine générale",
            "01",
            "1",
            "22",
            "23",
        ] {
            assert_eq!(classify(gp), Profession::Gp, "{gp}");
        }
        let other = |raw: &str, slug: &str| assert_eq!(classify(raw), Profession::Other(slug.into()), "{raw}");
        other("Infirmier", "infirmier");
        other("Masseur-kinésithérapeute", "masseur_kinesitherapeute");
        other("Médecin", "medecin");
        other("Cardiologue", "cardiologue");
        other("Médecin généraliste (MEP)", "medecin_generaliste_mep");
        other("Sage-femme", "sage_femme");
        other("24", "code_24");
        other("02", "code_02");
        other("", "unspecified");
    }

    #[test]
    fn a_specialty_refines_a_physician() {
        let label = |p: Option<&str>, s: Option<&str>| profession_label(p, s);
        assert_eq!(classify(&label(Some("Médecin"), Some("Médecine générale"))), Profession::Gp);
        assert_eq!(classify(&label(Some("Médecin"), Some("01"))), Profession::Gp);
        assert_eq!(label(Some("Médecin"), Some("Cardiologie")), "Cardiologie");
        assert_eq!(label(Some("Infirmier"), Some("")), "Infirmier");
        assert_eq!(label(Some("Infirmier"), Some("Soins généraux")), "Infirmier");
        assert_eq!(label(None, Some("23")), "23");
        assert_eq!(classify(&label(None, None)), Profession::Gp, "no profession column: a GP roster");
    }

    #[test]
    fn the_roster_keeps_every_profession_and_the_summary_counts_them() {
        let r = Referential::embedded().unwrap();
        let csv = "identifiant;profession;commune;annee_naissance\n\
                   A;Médecin généraliste;30003;1960\nB;MG;30003;1970\nC;Infirmier;30003;1980\nD;Infirmière;30003;1981\n\
                   E;Masseur-kinésithérapeute;30003;1990\nF;Infirmier;99999;1990\n";
        let t = TextTable::parse(csv.as_bytes(), Encoding::Auto, "r.csv").unwrap();
        let mut summary = Summary::default();
        let df = read_roster(&t, None, &r, false, &mut summary).unwrap();
        assert_eq!(df.height(), 5, "every profession is kept (the unknown commune is not)");
        assert_eq!(summary.gps, 2);
        let others: Vec<(&str, usize)> = summary.other_professions.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(others, [("infirmier", 1), ("infirmiere", 1), ("masseur_kinesitherapeute", 1)]);
        let printed = summary.to_string();
        assert!(printed.contains("GPs:               2"), "{printed}");
        assert!(printed.contains("other professions: 3 (not counted as GPs: infirmier 1, infirmiere 1, masseur_kinesitherapeute 1)"), "{printed}");

        // Without a profession column, every row is a GP.
        let t = TextTable::parse(b"identifiant;commune;annee_naissance\nA;30003;1960\nB;30003;1970\n", Encoding::Auto, "r.csv").unwrap();
        let mut summary = Summary::default();
        read_roster(&t, None, &r, false, &mut summary).unwrap();
        assert_eq!((summary.gps, summary.other_professions.len()), (2, 0));
    }
}
