//! INSEE « statistiques locales » and CartoSanté (ATLASANTÉ) exports: two title lines, then
//! one row per place and one column per indicator, its label and year in the header.
//!
//! ```text
//! Insee - Statistiques locales; ; ;
//! Référentiel géographique : France par département; ; ;
//! Code;Libellé;Médecin généraliste (en nombre) 2024;Taux de pauvreté 2021;Espérance de vie des femmes à la naissance 2024
//! 01;Ain;439;10.8;86
//! ```
//! (statistiques-locales.insee.fr and cartosante.atlasante.fr, « Exporter » → CSV). The
//! geography is the title's « France par … » (commune, intercommunalité, département,
//! région, bassin de vie, bassin de vie / canton-ville), or, without title, told from the
//! codes. In CartoSanté's « bassin de vie / canton-ville » zoning the large bassins de vie are
//! split into cantons-villes (`0102`, `2A05`; overseas `97193`…) and Paris, Lyon and Marseille
//! into arrondissements: each row is placed at its own level, and the codes that fit none are
//! listed as unknown.
//!
//! Each column's label is matched against [`LABELS`] (label fragments → measure): counts
//! (« (en nombre) », « Nombre de … ») stay counts of the row's place; rates, shares,
//! densities, medians and life expectancies are published values with their unit. A label
//! not in the table is kept under `statloc_<slug of the label>` (a count if the label says
//! « en nombre », else a published value) and listed in the summary's notes: nothing is
//! dropped.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Location, Result};
use crate::facts::Level;
use crate::geo::Referential;
use crate::ingest::cpam::fold;
use crate::ingest::facts::{CellKey, FactSink, Origin, Sex};
use crate::ingest::layout::Detection;
use crate::ingest::TextTable;

pub const CODE: &[&str] = &["Code"];
pub const LABEL: &[&str] = &["Libellé", "Libelle"];

/// The unit of the DREES APL, as every APL reader writes it.
pub const APL_UNIT: &str = "consultations par habitant standardisé";
/// A published value whose unit the export does not state.
pub const UNSTATED: &str = "unité non précisée par l'export";

/// How a column's cells are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Count,
    /// A value published with this unit (a label saying « pour 10 000 hab. » overrides it).
    Published(&'static str),
}

/// A known label: every fragment must appear in the label (lower case, without accents, see
/// [`plain`]); the first entry that matches wins.
pub struct Known {
    pub fragments: &'static [&'static str],
    pub measure: &'static str,
    pub kind: Kind,
    pub sex: Sex,
    pub ages: (Option<u32>, Option<u32>),
}

const fn known(fragments: &'static [&'static str], measure: &'static str, kind: Kind) -> Known {
    Known { fragments, measure, kind, sex: Sex::All, ages: (None, None) }
}

const PER_10K: Kind = Kind::Published("pour 10 000 habitants");
const PERMILLE: Kind = Kind::Published("pour 1 000 habitants");
const PERCENT: Kind = Kind::Published("%");

/// The labels diagsante knows. Counts « (en nombre) » of statistiques locales are INSEE's
/// Base permanente des équipements (`bpe_*`). CartoSanté's densities do not always say their
/// unit: GPs and nurses are per 10,000 inhabitants, speech therapists per 100,000 (checked
/// against data.ameli.fr's national densities 2024: 81 GPs, 144 nurses, 31.7 speech
/// therapists per 100,000, and the medians of the bassins de vie, 7.4, 16.3 and 26.0); the
/// others are kept with [`UNSTATED`] unless the label says it.
pub const LABELS: &[Known] = &[
    known(&["medecin generaliste", "(en nombre)"], "bpe_gp", Kind::Count),
    known(&["infirmier", "(en nombre)"], "bpe_nurse", Kind::Count),
    known(&["kinesitherapeute", "(en nombre)"], "bpe_physiotherapist", Kind::Count),
    known(&["dentiste", "(en nombre)"], "bpe_dentist", Kind::Count),
    known(&["sage-femme", "(en nombre)"], "bpe_midwife", Kind::Count),
    known(&["pharmacie", "(en nombre)"], "bpe_pharmacy", Kind::Count),
    known(&["orthophoniste", "(en nombre)"], "bpe_speech_therapist", Kind::Count),
    known(&["urgences", "(en nombre)"], "bpe_emergency", Kind::Count),
    known(&["nombre de deces"], "deaths_all_causes", Kind::Count),
    known(&["nombre de naissances"], "births", Kind::Count),
    known(&["estimations de population"], "population", Kind::Count),
    known(&["population municipale"], "population", Kind::Count),
    known(&["apl", "generalistes", "65 ans"], "apl_mg65", Kind::Published(APL_UNIT)),
    known(&["apl", "generalistes"], "apl_mg", Kind::Published(APL_UNIT)),
    Known { sex: Sex::Female, ..known(&["esperance de vie", "femmes", "naissance"], "life_expectancy_birth", Kind::Published("années")) },
    Known { sex: Sex::Male, ..known(&["esperance de vie", "hommes", "naissance"], "life_expectancy_birth", Kind::Published("années")) },
    Known { ages: (Some(0), Some(64)), ..known(&["taux de mortalite standardise", "0 a 64 ans"], "mortality_rate_std", PERMILLE) },
    known(&["taux brut de mortalite"], "mortality_rate_crude", PERMILLE),
    known(&["taux brut de natalite"], "birth_rate_crude", PERMILLE),
    known(&["taux de pauvrete"], "poverty_rate", PERCENT),
    known(&["mediane du niveau de vie"], "median_income", Kind::Published("€")),
    known(&["part des benef", "ald"], "ald_share", PERCENT),
    known(&["part des benef", "ophtalmo"], "ophthalmology_patients_share", PERCENT),
    Known { ages: (Some(75), None), ..known(&["part des pers", "75 ans ou"], "population_share", PERCENT) },
    Known { ages: (Some(0), Some(14)), ..known(&["part des pers", "- 15 ans"], "population_share", PERCENT) },
    Known { ages: (Some(0), Some(14)), ..known(&["part des pers", "moins de 15 ans"], "population_share", PERCENT) },
    known(&["densite de population"], "population_density", Kind::Published("habitants par km²")),
    known(&["densite", "pharmacie"], "density_pharmacies", PER_10K),
    known(&["densite", "generalistes"], "density_gp", PER_10K),
    known(&["densite", "infirmiers"], "density_nurses", PER_10K),
    known(&["densite", "orthophonistes"], "density_speech_therapists", Kind::Published("pour 100 000 habitants")),
    known(&["densite", "sages-femmes"], "density_midwives", Kind::Published(UNSTATED)),
    known(&["densite", "kinesitherapeutes"], "density_physiotherapists", Kind::Published(UNSTATED)),
    known(&["densite", "dentistes"], "density_dentists", Kind::Published(UNSTATED)),
];

/// Lower case, accents removed, spaces collapsed; punctuation kept (« - 15 ans » is not
/// « 15 ans ou + »).
pub fn plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            '\u{2019}' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

/// A header's label and the year at its end (« Taux de pauvreté 2021 » → 2021).
pub fn label_and_year(header: &str) -> (String, Option<i32>) {
    let t = header.trim();
    match t.rsplit_once(' ') {
        Some((label, y)) if y.len() == 4 => match y.parse::<i32>() {
            Ok(year) if (1800..=2100).contains(&year) => (label.trim().to_owned(), Some(year)),
            _ => (t.to_owned(), None),
        },
        _ => (t.to_owned(), None),
    }
}

/// `snake_case` of a label: lower case, ASCII letters and digits, words joined by `_`.
pub fn slug(label: &str) -> String {
    fold(label).replace(' ', "_")
}

/// The unit a label states, if it does (« Densité des pharmacies pour 10 000 hab. »).
fn stated_unit(label: &str) -> Option<&'static str> {
    let p = plain(label);
    [("pour 100 000 hab", "pour 100 000 habitants"), ("pour 10 000 hab", "pour 10 000 habitants"), ("pour 1 000 hab", "pour 1 000 habitants")]
        .into_iter()
        .find(|(f, _)| p.contains(f))
        .map(|(_, u)| u)
}

/// What a column becomes: the measure, its kind and unit, sex and ages; `known` is false for a
/// label kept under its slug.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub measure: String,
    pub kind: Kind,
    pub sex: Sex,
    pub ages: (Option<u32>, Option<u32>),
    pub known: bool,
}

/// The measure of a label (without its year).
pub fn map_label(label: &str) -> Mapped {
    let p = plain(label);
    if let Some(k) = LABELS.iter().find(|k| k.fragments.iter().all(|f| p.contains(f))) {
        let kind = match (k.kind, stated_unit(label)) {
            (Kind::Published(_), Some(u)) => Kind::Published(u),
            (kind, _) => kind,
        };
        return Mapped { measure: k.measure.to_owned(), kind, sex: k.sex, ages: k.ages, known: true };
    }
    let kind = if p.contains("(en nombre)") || p.starts_with("nombre ") {
        Kind::Count
    } else if let Some(u) = stated_unit(label) {
        Kind::Published(u)
    } else if p.starts_with("part ") || p.starts_with("taux ") || p.contains('%') {
        PERCENT
    } else {
        Kind::Published(UNSTATED)
    };
    Mapped { measure: format!("statloc_{}", slug(label)), kind, sex: Sex::All, ages: (None, None), known: false }
}

/// `Code;Libellé;<label> <year>;…`.
pub fn detect(t: &TextTable) -> Detection {
    let names = t.column_names();
    let first = names.first().is_some_and(|n| CODE.iter().any(|c| n.trim().eq_ignore_ascii_case(c)));
    let second = names.get(1).is_some_and(|n| LABEL.iter().any(|c| plain(n) == plain(c)));
    let dated = names.iter().skip(2).any(|n| label_and_year(n).1.is_some());
    Detection::from_checks(&[("Code (first column)", first), ("Libellé (second column)", second), ("<indicator> <year> columns", dated)])
}

/// The zoning of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zoning {
    One(Level),
    /// CartoSanté's « bassin de vie / canton-ville »: each row at its own level.
    BassinCanton,
}

/// The zoning a title names (« Référentiel géographique : France par bassin de vie »).
fn zoning_of_title(title: &[String]) -> Option<std::result::Result<Zoning, String>> {
    let line = title.iter().map(|t| plain(t)).find(|t| t.contains("referentiel geographique") || t.contains(" par "))?;
    let what = line.rsplit_once(" par ").map_or(line.as_str(), |(_, w)| w).trim().to_owned();
    let zoning = match what.as_str() {
        w if w.contains("canton") && w.contains("bassin") => Zoning::BassinCanton,
        w if w.contains("bassin de vie") => Zoning::One(Level::BassinDeVie),
        w if w.contains("canton") => Zoning::One(Level::CantonVille),
        w if w.contains("intercommunalite") || w.contains("epci") => Zoning::One(Level::Epci),
        w if w.contains("departement") => Zoning::One(Level::Departement),
        w if w.contains("region") => Zoning::One(Level::Region),
        w if w.contains("commune") => Zoning::One(Level::Commune),
        _ => return Some(Err(what)),
    };
    Some(Ok(zoning))
}

/// The zoning told from the codes, for an export without its title lines.
fn zoning_of_codes(codes: &[String]) -> Option<Zoning> {
    let shapes: BTreeSet<usize> = codes.iter().filter(|c| !c.is_empty()).map(|c| c.len()).collect();
    match shapes.iter().copied().collect::<Vec<_>>().as_slice() {
        [9] => Some(Zoning::One(Level::Epci)),
        [5] => Some(Zoning::One(Level::Commune)),
        [2] | [3] | [2, 3] => Some(Zoning::One(Level::Departement)),
        _ => None,
    }
}

/// Names compared without accents, case, punctuation or a leading article.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        let f = fold(s);
        ["le ", "la ", "les ", "l "].iter().find_map(|a| f.strip_prefix(a).map(str::to_owned)).unwrap_or(f)
    };
    strip(a) == strip(b)
}

/// The level of one row of the « bassin de vie / canton-ville » zoning, `None` when the code
/// fits none. The zoning is a partition of its own: its bassins de vie are cut where a
/// canton-ville is taken out of them, so that a code may name another area than INSEE's
/// bassin de vie of the same code (97228 Sainte-Marie: APL 3.5 here, 3.0 by bassin de vie).
/// Its bassins and cantons-villes are therefore both kept at the level `canton_ville`, apart
/// from the bassins de vie; arrondissements are communes. A bassin de vie is coded by its central commune and named after it; a
/// canton-ville is its département's code and two digits (overseas, `971` + two digits, which
/// may also be a commune code: the name tells them apart).
fn bassin_canton_level(code: &str, label: &str, r: &Referential) -> Option<Level> {
    let code = code.trim();
    if code.len() == 5 && code.ends_with("ZZ") {
        return Some(Level::CantonVille);
    }
    let dep_of = |n: usize| code.get(..n).is_some_and(|d| r.departements.contains_key(d));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if code.len() == 4 && dep_of(2) && digits(&code[2..]) {
        return Some(Level::CantonVille);
    }
    if code.len() != 5 {
        return None;
    }
    let unit = r.unit(code);
    if unit.is_some_and(|u| u.kind == crate::geo::UnitKind::Arrondissement) {
        return Some(Level::Commune);
    }
    if code.starts_with("97") {
        return match unit {
            Some(u) if same_name(&u.name, label) => Some(Level::CantonVille),
            _ if dep_of(3) && digits(&code[3..]) => Some(Level::CantonVille),
            _ => None,
        };
    }
    (r.unit(code).is_some() || r.alias(code).is_some()).then_some(Level::CantonVille)
}

/// Read an export into `sink`.
pub fn read(table: &TextTable, year: Option<i32>, sink: &mut FactSink) -> Result<()> {
    let cartosante = table.titles.first().is_some_and(|t| plain(t).contains("cartosante"));
    sink.origin(if cartosante { Origin::source("ATLASANTÉ", "CartoSanté") } else { Origin::source("INSEE", "statistiques locales") });
    // Communes of the export's geography: those merged since add up.
    sink.former_communes_add_up();
    let names = table.column_names();
    let code_col = table.require_column("code", CODE)?;
    let codes = table.texts(&code_col)?;
    let label_col = names.get(1).cloned().unwrap_or_default();
    let labels = table.texts(&label_col)?;
    sink.summary.ignored_columns.insert(label_col.clone());
    let zoning = match zoning_of_title(&table.titles) {
        Some(Ok(z)) => z,
        Some(Err(what)) => {
            return Err(Error::input(
                Location::file(&table.file),
                format!("the export is « par {what} », a zoning diagsante does not keep"),
                "export it by commune, intercommunalité, département, région, bassin de vie or bassin de vie / canton-ville",
            ))
        }
        None => {
            let z = zoning_of_codes(&codes).ok_or_else(|| {
                Error::input(
                    Location::file(&table.file),
                    "the export has no title line naming its geography, and its codes are of several kinds",
                    "give the export as downloaded, with its two title lines (« Référentiel géographique : France par … »)",
                )
            })?;
            sink.summary.notes.push(format!("no title line names the geography: the codes are read as {}", describe(z)));
            z
        }
    };
    // The columns and what they become; a second column mapped to the same measure keeps its
    // own slug.
    let mut columns = Vec::new();
    let mut taken = BTreeSet::new();
    let mut unknown = Vec::new();
    for name in names.iter().skip(2) {
        let (label, y) = label_and_year(name);
        let y = match (y, year) {
            (Some(y), _) | (None, Some(y)) => y,
            (None, None) => {
                return Err(Error::input(
                    Location { file: table.file.clone(), line: Some(table.header_line), column: Some(name.clone()) },
                    format!("the column «{name}» does not end with its year"),
                    "give the year of the data",
                ))
            }
        };
        let mut m = map_label(&label);
        if m.known && !taken.insert((m.measure.clone(), m.sex, m.ages, y)) {
            m = Mapped { measure: format!("statloc_{}", slug(&label)), known: false, ..m };
        }
        if !m.known {
            unknown.push(format!("{} ({label})", m.measure));
        }
        columns.push((name.clone(), y, m));
    }
    sink.summary.rows += table.height();
    let r = sink.referential();
    let levels: Vec<Option<Level>> = match zoning {
        Zoning::One(level) => vec![Some(level); table.height()],
        Zoning::BassinCanton => codes.iter().zip(&labels).map(|(c, l)| bassin_canton_level(c, l, r)).collect(),
    };
    for (name, y, m) in &columns {
        let cells = match m.kind {
            Kind::Count => table.counts(name)?,
            Kind::Published(_) => table.numbers(name)?,
        };
        for (row, cell) in cells.into_iter().enumerate() {
            let at = Location::file(&table.file).at(table.line_of(row), code_col.as_str());
            let Some(level) = levels[row] else {
                sink.not_placed(&codes[row], &at)?;
                continue;
            };
            let key = match m.kind {
                Kind::Count => CellKey::count(*y, m.measure.clone()),
                Kind::Published(unit) => CellKey::published(*y, m.measure.clone(), unit),
            };
            sink.push(&codes[row], level, key.sex(m.sex).ages(m.ages.0, m.ages.1), cell, &at)?;
        }
    }
    if zoning == Zoning::BassinCanton {
        let mut by_level: BTreeMap<&str, usize> = BTreeMap::new();
        for l in levels.iter().flatten() {
            *by_level.entry(l.code()).or_default() += 1;
        }
        let counts: Vec<String> = by_level.iter().map(|(l, n)| format!("{n} {l}")).collect();
        sink.summary.notes.push(format!(
            "zoning « bassin de vie / canton-ville »: {} (arrondissements of Paris, Lyon and Marseille as communes; an overseas code is a \
             bassin de vie when the row bears its commune's name, else a canton-ville)",
            counts.join(", ")
        ));
    }
    if !unknown.is_empty() {
        sink.summary.notes.push(format!("labels diagsante does not know, kept under their slug: {}", unknown.join("; ")));
    }
    let unstated: Vec<&str> = columns.iter().filter(|(_, _, m)| m.kind == Kind::Published(UNSTATED)).map(|(n, _, _)| n.as_str()).collect();
    if !unstated.is_empty() {
        sink.summary.notes.push(format!("the export does not state the unit of: {}", unstated.join("; ")));
    }
    Ok(())
}

fn describe(z: Zoning) -> &'static str {
    match z {
        Zoning::One(Level::Epci) => "intercommunalités (EPCI)",
        Zoning::One(Level::Commune) => "communes",
        Zoning::One(Level::Departement) => "départements",
        _ => "places",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ingest::{realdata, Encoding};
    use polars::prelude::*;

    fn referential() -> Referential {
        Referential::embedded().unwrap()
    }

    /// The fact table of one file read by this reader.
    fn facts(path: &std::path::Path) -> (DataFrame, crate::ingest::Summary) {
        let r = referential();
        let t = TextTable::read(path, Encoding::Auto).unwrap();
        assert_eq!(detect(&t), Detection::Yes, "{}", path.display());
        let mut sink = FactSink::new(&r, "t", false);
        read(&t, None, &mut sink).unwrap();
        sink.finish().unwrap()
    }

    /// The value of `measure` for `geo` at `level` (sex, lower age bound).
    pub(crate) fn get(df: &DataFrame, geo: &str, level: &str, measure: &str, sex: &str, age_min: Option<u32>) -> Option<Option<f64>> {
        let c = |n: &str| df.column(n).unwrap().as_materialized_series().clone();
        let (g, l, m, s, a, v) = (c("geo"), c("level"), c("measure"), c("sex"), c("age_min"), c("value"));
        let (g, l, m, s, a, v) = (g.str().unwrap(), l.str().unwrap(), m.str().unwrap(), s.str().unwrap(), a.u32().unwrap(), v.f64().unwrap());
        (0..df.height())
            .find(|&i| g.get(i) == Some(geo) && l.get(i) == Some(level) && m.get(i) == Some(measure) && s.get(i) == Some(sex) && a.get(i) == age_min)
            .map(|i| v.get(i))
    }

    /// The value of a commune's `measure` (all sexes and ages) in `year`.
    pub(crate) fn get_at(df: &DataFrame, geo: &str, measure: &str, year: i32) -> Option<Option<f64>> {
        let (g, m, y, v) = (
            df.column("geo").unwrap().str().unwrap(),
            df.column("measure").unwrap().str().unwrap(),
            df.column("year").unwrap().i32().unwrap(),
            df.column("value").unwrap().f64().unwrap(),
        );
        (0..df.height()).find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure) && y.get(i) == Some(year)).map(|i| v.get(i))
    }

    fn unit_of(df: &DataFrame, measure: &str) -> Option<String> {
        let m = df.column("measure").unwrap().str().unwrap().clone();
        let u = df.column("unit").unwrap().str().unwrap().clone();
        (0..df.height()).find(|&i| m.get(i) == Some(measure)).and_then(|i| u.get(i).map(str::to_owned))
    }

    #[test]
    fn labels_map_to_measures() {
        assert_eq!(label_and_year("Taux de pauvreté 2021"), ("Taux de pauvreté".to_owned(), Some(2021)));
        assert_eq!(label_and_year("Code"), ("Code".to_owned(), None));
        let m = map_label("Médecin généraliste (en nombre)");
        assert_eq!((m.measure.as_str(), m.kind, m.known), ("bpe_gp", Kind::Count, true));
        let m = map_label("Espérance de vie des hommes à la naissance");
        assert_eq!((m.measure.as_str(), m.sex), ("life_expectancy_birth", Sex::Male));
        assert_eq!(map_label("Part des pers. âgées de - 15 ans").ages, (Some(0), Some(14)));
        assert_eq!(map_label("Part des pers. âgées de 75 ans ou +").ages, (Some(75), None));
        assert_eq!(map_label("Taux de mortalité standardisé des 0 à 64 ans").ages, (Some(0), Some(64)));
        assert_eq!(map_label("Densité des pharmacies pour 10 000 hab.").kind, Kind::Published("pour 10 000 habitants"));
        let m = map_label("Bassin de natation (en nombre)");
        assert_eq!((m.measure.as_str(), m.kind, m.known), ("statloc_bassin_de_natation_en_nombre", Kind::Count, false));
        let m = map_label("Part des familles monoparentales");
        assert_eq!((m.measure.as_str(), m.kind), ("statloc_part_des_familles_monoparentales", Kind::Published("%")));
        assert_eq!(map_label("Taille moyenne des ménages").kind, Kind::Published(UNSTATED));
    }

    /// INSEE statistiques locales by département, checked by hand on the rows of 01 Ain and
    /// 976 Mayotte.
    #[test]
    fn real_statloc_by_departement() {
        let Some(path) = realdata("health_indicators/insee_statloc_sante_departement_2024.csv") else { return };
        let (df, s) = facts(&path);
        let dep = |m: &str, sex: &str, a: Option<u32>| get(&df, "01", "departement", m, sex, a);
        assert_eq!(dep("bpe_gp", "all", None), Some(Some(439.0)));
        assert_eq!(dep("poverty_rate", "all", None), Some(Some(10.8)));
        assert_eq!(dep("bpe_emergency", "all", None), Some(Some(5.0)));
        assert_eq!(dep("bpe_nurse", "all", None), Some(Some(890.0)));
        assert_eq!(dep("bpe_pharmacy", "all", None), Some(Some(160.0)));
        assert_eq!(dep("bpe_dentist", "all", None), Some(Some(323.0)));
        assert_eq!(dep("life_expectancy_birth", "F", None), Some(Some(86.0)));
        assert_eq!(dep("life_expectancy_birth", "M", None), Some(Some(81.4)));
        assert_eq!(dep("median_income", "all", None), Some(Some(24810.0)));
        assert_eq!(dep("population_density", "all", None), Some(Some(116.5)));
        assert_eq!(dep("mortality_rate_crude", "all", None), Some(Some(7.9)));
        assert_eq!(dep("mortality_rate_std", "all", Some(0)), Some(Some(1.4)));
        assert_eq!(dep("population", "all", None), Some(Some(688626.0)));
        assert_eq!(dep("statloc_bassin_de_natation_en_nombre", "all", None), Some(Some(33.0)));
        assert_eq!(get(&df, "976", "departement", "poverty_rate", "all", None), Some(None), "N/A: withheld");
        assert_eq!(unit_of(&df, "mortality_rate_crude").as_deref(), Some("pour 1 000 habitants"));
        assert_eq!(unit_of(&df, "bpe_gp"), None, "a count has no unit");
        assert_eq!(s.geographies.get(&Level::Departement).map(|g| g.len()), Some(101));
        assert!(s.periods["population"].contains(&crate::facts::Period::year(2025)));
        assert!(s.notes.iter().any(|n| n.contains("statloc_part_des_actifs_occ")), "{:?}", s.notes);
    }

    /// CartoSanté by bassin de vie / canton-ville: 0102 Attignat is a canton-ville, 01004
    /// Ambérieu-en-Bugey a bassin de vie (3), 75101 an arrondissement, 97416 « Saint-Louis-2 » a
    /// canton-ville (the commune 97416 is Saint-Pierre), 97106 Bouillante a bassin de vie.
    #[test]
    fn real_cartosante_apl_by_bassin_and_canton() {
        let Some(path) = realdata("health_indicators/cartosante_apl_medecins_generalistes_2023_bv.csv") else { return };
        let (df, s) = facts(&path);
        assert_eq!(get(&df, "0102", "canton_ville", "apl_mg", "all", None), Some(Some(2.5)));
        assert_eq!(get(&df, "01004", "canton_ville", "apl_mg", "all", None), Some(Some(3.0)));
        assert_eq!(get(&df, "75101", "commune", "apl_mg", "all", None).map(|v| v.is_some()), Some(true));
        assert_eq!(get(&df, "97416", "canton_ville", "apl_mg", "all", None).map(|v| v.is_some()), Some(true));
        assert_eq!(get(&df, "97106", "canton_ville", "apl_mg", "all", None).map(|v| v.is_some()), Some(true));
        assert_eq!(get(&df, "2A05", "canton_ville", "apl_mg", "all", None), Some(Some(2.0)));
        assert_eq!(get(&df, "977ZZ", "canton_ville", "apl_mg", "all", None), Some(None), "N/A - résultat non disponible");
        assert_eq!(unit_of(&df, "apl_mg").as_deref(), Some(APL_UNIT));
        assert!(s.unknown.is_empty(), "{:?}", s.unknown);
        assert_eq!(df.height(), 2931, "every row placed");
        assert!(s.notes.iter().any(|n| n.contains("canton_ville")), "{:?}", s.notes);
    }

    /// CartoSanté by bassin de vie (row 01033 Valserhône) and INSEE's social determinants (row
    /// 01004 Ambérieu-en-Bugey).
    #[test]
    fn real_bassins_de_vie() {
        let Some(path) = realdata("health_indicators/cartosante_sante_bassin_de_vie_2023_2024.csv") else { return };
        let (df, s) = facts(&path);
        let bv = |m: &str| get(&df, "01033", "bassin_de_vie", m, "all", None);
        assert_eq!(bv("ald_share"), Some(Some(13.7)));
        assert_eq!(bv("apl_mg"), Some(Some(1.8)));
        assert_eq!(bv("density_gp"), Some(Some(3.4)));
        assert_eq!(bv("density_pharmacies"), Some(Some(2.3)));
        assert_eq!(bv("ophthalmology_patients_share"), Some(Some(26.2)));
        assert_eq!(get(&df, "01004", "bassin_de_vie", "ald_share", "all", None), Some(None), "secret");
        assert_eq!(get(&df, "978ZZ", "bassin_de_vie", "ald_share", "all", None), Some(Some(16.5)));
        assert_eq!(unit_of(&df, "density_midwives").as_deref(), Some(UNSTATED));
        assert!(s.notes.iter().any(|n| n.contains("sages-femmes")), "{:?}", s.notes);
        assert_eq!(s.geographies[&Level::BassinDeVie].len(), 1709, "every row a place (the README says 1,708 rows: 1,709)");

        let Some(path) = realdata("health_indicators/insee_determinants_sociaux_bassin_de_vie.csv") else { return };
        let (df, _) = facts(&path);
        let bv = |m: &str, a: Option<u32>| get(&df, "01004", "bassin_de_vie", m, "all", a);
        assert_eq!(bv("deaths_all_causes", None), Some(Some(422.0)));
        assert_eq!(bv("population_share", Some(75)), Some(Some(8.4)));
        assert_eq!(bv("population_share", Some(0)), Some(Some(19.6)));
        assert_eq!(bv("median_income", None), Some(Some(23250.0)));
        assert_eq!(bv("statloc_taille_moyenne_des_menages", None), Some(Some(2.24)));

        let Some(path) = realdata("health_indicators/statloc_taux_pauvrete_2021_bv.csv") else { return };
        let (df, _) = facts(&path);
        assert_eq!(get(&df, "01034", "bassin_de_vie", "poverty_rate", "all", None), Some(Some(12.5)));
        assert_eq!(get(&df, "97611", "bassin_de_vie", "poverty_rate", "all", None), Some(None));
    }

    #[test]
    fn titles_name_the_zoning_and_other_zonings_are_refused() {
        let r = referential();
        let read_text = |text: &str| {
            let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "s.csv").unwrap();
            let mut sink = FactSink::new(&r, "t", false);
            read(&t, None, &mut sink).map(|_| sink.finish().unwrap())
        };
        let (df, _) =
            read_text("Insee; ;\nRéférentiel géographique : France par région; ;\nCode;Libellé;Taux de pauvreté 2021\n76;Occitanie;17,2\n").unwrap();
        assert_eq!(get(&df, "76", "region", "poverty_rate", "all", None), Some(Some(17.2)));
        let (df, s) = read_text("Code;Libellé;Médecin généraliste (en nombre) 2024\n200069763;CC du Haut Poitou;12\n").unwrap();
        assert_eq!(get(&df, "200069763", "epci", "bpe_gp", "all", None), Some(Some(12.0)));
        assert!(s.notes[0].contains("intercommunalités"), "{:?}", s.notes);
        let e = read_text("Insee; ;\nRéférentiel géographique : France par zone d'emploi; ;\nCode;Libellé;Taux 2021\n0051;X;1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("zone d'emploi") && e.contains("s.csv"), "{e}");
        let e = read_text("Code;Libellé;Taux de pauvreté\n01;Ain;3\n").unwrap_err().to_string();
        assert!(e.contains("does not end with its year"), "{e}");
        // CartoSanté's zoning: a code that fits no level is listed, and stops strict mode.
        let text =
            "CartoSanté; ;\nRéférentiel géographique : France par bassin de vie / canton-ville; ;\nCode;Libellé;APL Médecins généralistes 2023\n\
                    0102;Attignat;2.5\n99ZZZ9;?;1\n";
        let (df, s) = read_text(text).unwrap();
        assert_eq!((df.height(), s.unknown.keys().map(String::as_str).collect::<Vec<_>>()), (1, vec!["99ZZZ9"]));
        let t = TextTable::parse(text.as_bytes(), Encoding::Auto, "s.csv").unwrap();
        let e = read(&t, None, &mut FactSink::new(&r, "t", true)).unwrap_err().to_string();
        assert!(e.contains("s.csv, line 5") && e.contains("99ZZZ9"), "{e}");
    }
}
