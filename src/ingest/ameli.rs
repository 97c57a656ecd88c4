//! data.ameli.fr (Assurance Maladie) « Démographie des professionnels de santé libéraux :
//! effectif et densité par tranche d'âge, sexe et territoire » (dataset
//! `demographie-effectifs-et-les-densites`, CSV export):
//!
//! ```text
//! annee,profession_sante,region,libelle_region,departement,libelle_departement,classe_age,libelle_classe_age,libelle_sexe,effectif,densite,…
//! 2024,Ensemble des médecins généralistes,84,Auvergne-Rhône-Alpes,01,Ain,tout_age,Tout âge,tout sexe,392,57.0,…
//! ```
//! One row per profession × département × age class × sex; département `999` is every
//! département of the row's région (« Tout département »), région `99` France. Headcounts
//! become counts `professionals_<profession>` at their level; densities published values
//! `professionals_<profession>_density`. The profession slugs and each density's population
//! are in [`PROFESSIONS`].

use crate::error::{Error, Location, Result};
use crate::facts::AgeBand;
use crate::ingest::facts::{CellKey, FactSink, Level, Origin, Sex};
use crate::ingest::layout::Detection;
use crate::ingest::statloc::{plain, slug};
use crate::ingest::TextTable;

const PER_100K: &str = "pour 100 000 habitants";

/// ameli's professions → measure slug and the population of their density. The densities
/// are per 100,000 inhabitants, but for midwives (per 100,000 women aged 15-49),
/// gynaecologists (women aged 15 or more) and paediatricians (children under 15): the
/// France rows of 2024 give 14.55, 29.65 and 11.47 million as effectif / densité, those
/// populations, against 68.6 million for the others. A profession not listed keeps the slug
/// of its label and a density per 100,000 inhabitants.
pub const PROFESSIONS: &[(&str, &str, &str)] = &[
    ("Ensemble des médecins généralistes", "medecin_generaliste", PER_100K),
    ("Médecins généralistes (hors médecins à expertise particulière - MEP)", "medecin_generaliste_hors_mep", PER_100K),
    ("Médecins généralistes à expertise particulière (MEP)", "medecin_generaliste_mep", PER_100K),
    ("Ensemble des médecins", "medecin", PER_100K),
    ("Ensemble des médecins spécialistes (hors généralistes)", "medecin_specialiste", PER_100K),
    ("Autres médecins", "autre_medecin", PER_100K),
    ("Ensemble des chirurgiens-dentistes", "chirurgien_dentiste", PER_100K),
    ("Chirurgiens-dentistes (hors spécialistes d'orthopédie dento-faciale - ODF)", "chirurgien_dentiste_hors_odf", PER_100K),
    ("Chirurgiens-dentistes spécialistes d'orthopédie dento-faciale (ODF)", "chirurgien_dentiste_odf", PER_100K),
    ("Sages-femmes", "sage_femme", "pour 100 000 femmes de 15 à 49 ans"),
    ("Ensemble des auxiliaires médicaux", "auxiliaire_medical", PER_100K),
    ("Infirmiers", "infirmier", PER_100K),
    ("Masseurs-kinésithérapeutes", "masseur_kinesitherapeute", PER_100K),
    ("Orthophonistes", "orthophoniste", PER_100K),
    ("Orthoptistes", "orthoptiste", PER_100K),
    ("Pédicures-podologues", "pedicure_podologue", PER_100K),
    ("Allergologues", "allergologue", PER_100K),
    ("Anesthésistes-réanimateurs", "anesthesiste_reanimateur", PER_100K),
    ("Cardiologues", "cardiologue", PER_100K),
    ("Chirurgiens", "chirurgien", PER_100K),
    ("Dermatologues", "dermatologue", PER_100K),
    ("Endocrinologues", "endocrinologue", PER_100K),
    ("Gynécologues médicaux et obstétriciens", "gynecologue", "pour 100 000 femmes de 15 ans ou plus"),
    ("Hépato-gastro-entérologues", "hepato_gastro_enterologue", PER_100K),
    ("Médecins nucléaires", "medecin_nucleaire", PER_100K),
    ("Médecins pathologistes", "medecin_pathologiste", PER_100K),
    ("Médecins vasculaires", "medecin_vasculaire", PER_100K),
    ("Néphrologues", "nephrologue", PER_100K),
    ("Neurologues", "neurologue", PER_100K),
    ("Ophtalmologues", "ophtalmologue", PER_100K),
    ("Oto-rhino-laryngologistes", "orl", PER_100K),
    ("Pédiatres", "pediatre", "pour 100 000 enfants de moins de 15 ans"),
    ("Pneumologues", "pneumologue", PER_100K),
    ("Psychiatres", "psychiatre", PER_100K),
    ("Radiologues", "radiologue", PER_100K),
    ("Radiothérapeutes", "radiotherapeute", PER_100K),
    ("Rhumatologues", "rhumatologue", PER_100K),
    ("Stomatologues", "stomatologue", PER_100K),
];

/// The slug and density unit of a profession label; `false` when not in [`PROFESSIONS`].
pub fn profession(label: &str) -> (String, &'static str, bool) {
    let p = plain(label);
    match PROFESSIONS.iter().find(|(l, _, _)| plain(l) == p) {
        Some((_, s, u)) => ((*s).to_owned(), u, true),
        None => (slug(label), PER_100K, false),
    }
}

/// ameli's age classes: `Tout âge` / `tout_age`, `Moins de 40 ans`, `40 à 49 ans`, `70 ans et
/// plus`, `moins_40`, `40_49`, `70_et_plus`…
pub fn age_class(raw: &str) -> Option<(Option<u32>, Option<u32>)> {
    let p = plain(raw).replace('_', " ");
    let p = p.trim();
    if matches!(p, "tout age" | "tous ages" | "tout âge" | "ensemble" | "") {
        return Some((None, None));
    }
    let under = p.strip_prefix("moins de ").or_else(|| p.strip_prefix("moins ")).or_else(|| p.strip_prefix("< ")).or_else(|| p.strip_prefix('<'));
    if let Some(n) = under {
        let n: u32 = n.trim().split(' ').next()?.parse().ok()?;
        return n.checked_sub(1).map(|z| (Some(0), Some(z)));
    }
    let p = p.replace(" et plus", "+").replace(" ans+", "+").replace("et plus", "+");
    AgeBand::parse(&p).map(|b| (b.min, b.max))
}

/// `tout sexe` / `hommes` / `femmes`.
fn sex(raw: &str) -> Option<Sex> {
    match plain(raw).as_str() {
        "tout sexe" | "tous sexes" | "tout sexes" | "ensemble" => Some(Sex::All),
        p => Sex::parse(p),
    }
}

pub fn detect(t: &TextTable) -> Detection {
    Detection::columns(t, &[&["profession_sante"], &["departement"], &["effectif"]])
}

/// Read an export into `sink`.
pub fn read(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    sink.origin(Origin::source("Assurance Maladie", "démographie des professionnels de santé libéraux"));
    let col = |name: &str| table.require_column(name, &[name]);
    let (prof_col, dep_col, count_col) = (col("profession_sante")?, col("departement")?, col("effectif")?);
    let region_col = table.find_column(&["region"]);
    let density_col = table.find_column(&["densite"]);
    let age_col = table.find_column(&["libelle_classe_age"]).or_else(|| table.find_column(&["classe_age"]));
    let sex_col = table.find_column(&["libelle_sexe"]).or_else(|| table.find_column(&["sexe"]));
    let year_col = table.find_column(&["annee", "year"]);
    let used: Vec<&Option<String>> = vec![&region_col, &density_col, &age_col, &sex_col, &year_col];
    for name in table.column_names() {
        if ![&prof_col, &dep_col, &count_col].contains(&&name) && !used.iter().any(|u| u.as_deref() == Some(name.as_str())) {
            sink.summary.ignored_columns.insert(name);
        }
    }
    let texts = |c: &Option<String>| c.as_deref().map(|c| table.texts(c)).transpose();
    let (professions, deps, counts) = (table.texts(&prof_col)?, table.texts(&dep_col)?, table.counts(&count_col)?);
    let (regions, ages, sexes, years) = (texts(&region_col)?, texts(&age_col)?, texts(&sex_col)?, texts(&year_col)?);
    let densities = density_col.as_deref().map(|c| table.numbers(c)).transpose()?;
    let mut unknown = std::collections::BTreeSet::new();
    sink.summary.rows += table.height();
    for row in 0..table.height() {
        let at = |c: &str| Location::file(&table.file).at(table.line_of(row), c);
        let y = match (&years, year) {
            (Some(ys), _) => ys[row].get(..4).and_then(|y| y.parse::<i32>().ok()).ok_or_else(|| {
                Error::input(at(year_col.as_deref().unwrap_or("annee")), format!("«{}» is not a year", ys[row]), "write the year with four digits")
            })?,
            (None, Some(y)) => y,
            (None, None) => return Err(Error::input(Location::file(&table.file), "the file has no annee column", "give the year of the data")),
        };
        let (band, who) = (
            match (&ages, &age_col) {
                (Some(a), Some(c)) => age_class(&a[row]).ok_or_else(|| {
                    Error::input(
                        at(c),
                        format!("«{}» is not an age class", a[row]),
                        "write classes such as « Moins de 40 ans », « 40 à 49 ans », « 70 ans et plus »",
                    )
                })?,
                _ => (None, None),
            },
            match (&sexes, &sex_col) {
                (Some(s), Some(c)) => sex(&s[row])
                    .ok_or_else(|| Error::input(at(c), format!("«{}» is not a sex", s[row]), "write « tout sexe », « hommes » or « femmes »"))?,
                _ => Sex::All,
            },
        );
        let region = regions.as_ref().map(|r| r[row].as_str()).unwrap_or_default();
        let (geo, level) = match (deps[row].as_str(), region) {
            ("999", "99") => ("FR".to_owned(), Level::France),
            ("999", r) if !r.is_empty() => (r.to_owned(), Level::Region),
            (d, _) => (d.to_owned(), Level::Departement),
        };
        let (slug, unit, known) = profession(&professions[row]);
        if !known {
            unknown.insert(professions[row].clone());
        }
        let measure = format!("professionals_{slug}");
        let key = CellKey::count(y, measure.clone()).sex(who).ages(band.0, band.1);
        sink.push(&geo, level, key, counts[row], &at(&dep_col))?;
        if let Some(d) = &densities {
            let key = CellKey::published(y, format!("{measure}_density"), unit).sex(who).ages(band.0, band.1);
            sink.push(&geo, level, key, d[row], &at(&dep_col))?;
        }
    }
    if !unknown.is_empty() {
        sink.summary.notes.push(format!(
            "professions not in diagsante's list, kept under their slug with densities read per 100,000 inhabitants: {}",
            unknown.into_iter().collect::<Vec<_>>().join("; ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Referential;
    use crate::ingest::statloc::tests::get;
    use crate::ingest::{realdata, Encoding};
    use polars::prelude::*;

    fn read_path(path: &std::path::Path) -> (DataFrame, crate::ingest::Summary) {
        let r = Referential::embedded().unwrap();
        let t = TextTable::read(path, Encoding::Auto).unwrap();
        assert_eq!(detect(&t), Detection::Yes);
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, None, &mut sink).unwrap();
        sink.finish().unwrap()
    }

    #[test]
    fn age_classes_and_sexes() {
        assert_eq!(age_class("Tout âge"), Some((None, None)));
        assert_eq!(age_class("tout_age"), Some((None, None)));
        assert_eq!(age_class("Moins de 40 ans"), Some((Some(0), Some(39))));
        assert_eq!(age_class("40 à 49 ans"), Some((Some(40), Some(49))));
        assert_eq!(age_class("70 ans et plus"), Some((Some(70), None)));
        assert_eq!(age_class("70_et_plus"), Some((Some(70), None)));
        assert_eq!(age_class("x"), None);
        assert_eq!(sex("tout sexe"), Some(Sex::All));
        assert_eq!(sex("Femmes"), Some(Sex::Female));
        assert_eq!(profession("Sages-femmes").1, "pour 100 000 femmes de 15 à 49 ans");
        assert_eq!(profession("Audioprothésistes"), ("audioprothesistes".to_owned(), PER_100K, false));
    }

    /// The real 2024 file, rows checked by hand: `Ensemble des médecins généralistes` in 30
    /// Gard, in région 76 (`999`) and in France (`99`/`999`); every profession known.
    #[test]
    fn real_file() {
        let Some(path) = realdata("medical/ameli_demographie_ps_liberaux_dep_2024.csv") else { return };
        let (df, s) = read_path(&path);
        let gp = |geo: &str, level: &str| get(&df, geo, level, "professionals_medecin_generaliste", "all", None);
        let density = |geo: &str, level: &str| get(&df, geo, level, "professionals_medecin_generaliste_density", "all", None);
        assert_eq!(gp("30", "departement"), Some(Some(596.0)));
        assert_eq!(density("30", "departement"), Some(Some(76.8)));
        assert_eq!(gp("76", "region"), Some(Some(5463.0)));
        assert_eq!(gp("FR", "france"), Some(Some(55546.0)));
        assert_eq!(density("FR", "france"), Some(Some(81.0)));
        assert_eq!(get(&df, "FR", "france", "professionals_sage_femme", "all", None), Some(Some(8190.0)));
        assert_eq!(get(&df, "2A", "departement", "professionals_allergologue", "all", None), Some(Some(0.0)));
        assert!(s.notes.is_empty(), "every profession is known: {:?}", s.notes);
        assert_eq!(s.rows, 4560);
        assert_eq!(s.geographies[&Level::Departement].len(), 101);
        assert!(s.ignored_columns.contains("vision_generale_all"));
    }

    /// The documented shape with age classes and sexes (tests/data/ingest/ameli-ages.csv).
    #[test]
    fn age_classes_file() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ingest/ameli-ages.csv");
        let (df, _) = read_path(&path);
        assert_eq!(get(&df, "30", "departement", "professionals_medecin_generaliste", "F", Some(60)), Some(Some(41.0)));
        assert_eq!(get(&df, "30", "departement", "professionals_medecin_generaliste", "all", Some(0)), Some(Some(120.0)));
        assert_eq!(get(&df, "30", "departement", "professionals_medecin_generaliste", "all", None), Some(Some(520.0)));
        assert_eq!(get(&df, "30", "departement", "professionals_infirmier_density", "M", Some(0)), Some(Some(30.5)));
    }
}
