//! The indicator catalogue: indicators described as data (`data/indicators.toml`), so that
//! adding one is editing a file. Every entry is validated on load; an invalid one is an
//! error naming it.

use std::path::Path;

use serde::Deserialize;

pub use super::method::Method;
use crate::error::{Error, Location, Result};
use crate::ingest::Sex;
use crate::stats::compare::Polarity;

/// The catalogue shipped with diagsante.
pub const EMBEDDED: &str = include_str!("../../data/indicators.toml");

/// A selection of the fact table: a measure, optionally one sex and an age range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub measure: String,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub age_min: Option<u32>,
    #[serde(default)]
    pub age_max: Option<u32>,
}

impl Term {
    /// The sex selected, if any.
    pub fn sex(&self) -> Option<Sex> {
        self.sex.as_deref().and_then(Sex::parse).filter(|s| *s != Sex::All)
    }

    /// Whether a fact's band `[min, max]` (max empty = open) lies inside the term's range.
    /// A fact without age (all ages) is selected only by a term without age range.
    pub fn selects_band(&self, min: Option<u32>, max: Option<u32>) -> bool {
        if self.age_min.is_none() && self.age_max.is_none() {
            return min.is_none() && max.is_none() || min.is_some();
        }
        let Some(min) = min else { return false };
        let low_ok = self.age_min.is_none_or(|a| min >= a);
        let high_ok = match (self.age_max, max) {
            (None, _) => true,
            (Some(z), Some(m)) => m <= z,
            (Some(_), None) => false,
        };
        low_ok && high_ok
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PolarityName {
    HighIsGood,
    LowIsGood,
    Neutral,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: String,
    label: String,
    theme: String,
    method: Method,
    numerator: Term,
    #[serde(default)]
    denominator: Option<Term>,
    #[serde(default)]
    births: Option<Term>,
    #[serde(default)]
    deaths: Option<Term>,
    #[serde(default)]
    standard: Option<String>,
    #[serde(default)]
    multiplier: Option<f64>,
    #[serde(default)]
    unit: Option<String>,
    polarity: PolarityName,
    #[serde(default)]
    min_count: Option<f64>,
    source: String,
    #[serde(default)]
    peers: Option<PeerRole>,
    #[serde(default)]
    funnel: bool,
    #[serde(default = "yes")]
    overdispersion: bool,
}

fn yes() -> bool {
    true
}

/// An indicator's role in choosing a territory's peers (see `compare::benchmark`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerRole {
    /// A dimension of the socio-demographic profile, compared as z-scores.
    Profile,
    /// The order of magnitude of the population (log10), when the data has no real areas.
    Size,
    /// The order of magnitude of the density, used instead of `size` with real areas.
    Density,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    indicator: Vec<RawIndicator>,
}

/// One indicator of the catalogue, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub label: String,
    pub theme: String,
    pub method: Method,
    pub numerator: Term,
    pub denominator: Option<Term>,
    /// The births and the deaths between the two censuses of a growth component
    /// (`natural_growth`, `migratory_growth`), which set them beside the populations.
    pub births: Option<Term>,
    pub deaths: Option<Term>,
    /// Standard population of a DSR (`esp2013`, `france`).
    pub standard: Option<String>,
    pub multiplier: f64,
    pub unit: String,
    pub polarity: Polarity,
    /// Numerators below this are not shown (statistical secrecy).
    pub min_count: f64,
    pub source: String,
    /// Its role in choosing peers, if any.
    pub peers: Option<PeerRole>,
    /// Drawn as a funnel plot in the report by default.
    pub funnel: bool,
    /// Its funnel among the EPCI of France widened for overdispersion (Spiegelhalter 2005)
    /// when the points vary beyond chance: true unless the catalogue says
    /// `overdispersion = false`.
    pub overdispersion: bool,
}

impl Indicator {
    /// Its terms: the numerator, then the denominator, the births and the deaths it has.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        std::iter::once(&self.numerator).chain(self.denominator.as_ref()).chain(self.births.as_ref()).chain(self.deaths.as_ref())
    }

    /// The provenance key of each term (numerator, then denominator): the measure, or its
    /// breakdown's key ([`crate::facts::breakdown_key`]) when the term reads it by sex or
    /// age (it names a sex or ages, or its method reads bands).
    pub fn provenance_keys(&self) -> Vec<String> {
        self.terms()
            .map(|t| {
                let by_breakdown = self.method.reads_bands() || t.sex().is_some() || t.age_min.is_some() || t.age_max.is_some();
                if by_breakdown {
                    crate::facts::breakdown_key(&t.measure)
                } else {
                    t.measure.clone()
                }
            })
            .collect()
    }
}

/// Read and validate a catalogue; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Indicator>> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        Error::input(
            Location { file: file.to_owned(), line, column: None },
            format!("invalid indicator catalogue: {}", e.message()),
            "each [[indicator]] needs id, label, theme, method, numerator, polarity and source; see data/indicators.toml",
        )
    })?;
    let mut seen = std::collections::HashSet::new();
    let indicators: Vec<Indicator> = raw
        .indicator
        .into_iter()
        .map(|r| {
            let bad = |what: String| Error::input(Location::file(file), format!("indicator «{}»: {what}", r.id), "fix the entry in the catalogue");
            // Ids name files (a funnel chart's `entonnoir-<id>.svg`) and columns: plain words only.
            if r.id.is_empty() || !r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(bad("the id must be lower-case letters, digits and _ (it names files and columns)".into()));
            }
            if !seen.insert(r.id.clone()) {
                return Err(bad("the id is used twice".into()));
            }
            let needs_denominator = r.method.needs_denominator();
            if needs_denominator != r.denominator.is_some() {
                return Err(bad(if needs_denominator { "a denominator is needed".into() } else { "a count has no denominator".into() }));
            }
            let needs_balance = r.method.needs_natural_balance();
            if needs_balance != (r.births.is_some() && r.deaths.is_some()) || (!needs_balance && (r.births.is_some() || r.deaths.is_some())) {
                return Err(bad(if needs_balance {
                    "`births` and `deaths` (between the two censuses) are needed".into()
                } else {
                    "`births` and `deaths` are only for natural_growth and migratory_growth".into()
                }));
            }
            for term in std::iter::once(&r.numerator).chain(r.denominator.as_ref()).chain(r.births.as_ref()).chain(r.deaths.as_ref()) {
                if let Some(s) = &term.sex {
                    if Sex::parse(s).is_none() {
                        return Err(bad(format!("sex «{s}» is not M, F or all")));
                    }
                }
                if let (Some(a), Some(z)) = (term.age_min, term.age_max) {
                    if z < a {
                        return Err(bad(format!("age_max {z} is below age_min {a}")));
                    }
                }
            }
            if r.funnel && r.method.funnel().is_none() {
                return Err(bad("`funnel = true` on a method without a funnel plot (proportion, crude_rate, dsr or icm)".into()));
            }
            let standard = match (r.method, r.standard) {
                (Method::Dsr, Some(s)) if crate::stats::standards::standard_by_name(&s).is_some() => Some(s),
                (Method::Dsr, Some(s)) => return Err(bad(format!("unknown standard «{s}» (esp2013 or france)"))),
                (Method::Dsr, None) => return Err(bad("a DSR needs `standard`".into())),
                (_, Some(_)) => return Err(bad("`standard` is only for a DSR".into())),
                (_, None) => None,
            };
            let multiplier = r.multiplier.unwrap_or(r.method.default_multiplier());
            if !(multiplier.is_finite() && multiplier > 0.0) {
                return Err(bad(format!("multiplier {multiplier} must be positive")));
            }
            Ok(Indicator {
                id: r.id,
                label: r.label,
                theme: r.theme,
                method: r.method,
                numerator: r.numerator,
                denominator: r.denominator,
                births: r.births,
                deaths: r.deaths,
                standard,
                multiplier,
                unit: r.unit.unwrap_or_default(),
                polarity: match r.polarity {
                    PolarityName::HighIsGood => Polarity::HighIsGood,
                    PolarityName::LowIsGood => Polarity::LowIsGood,
                    PolarityName::Neutral => Polarity::Neutral,
                },
                min_count: r.min_count.unwrap_or(0.0),
                source: r.source,
                peers: r.peers,
                funnel: r.funnel,
                overdispersion: r.overdispersion,
            })
        })
        .collect::<Result<_>>()?;
    Ok(harmonise_thresholds(indicators))
}

/// The catalogue in `path`, or the embedded one.
pub fn load(path: Option<&Path>) -> Result<Vec<Indicator>> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::read(p, e))?;
            parse(&text, &p.display().to_string())
        }
        None => parse(EMBEDDED, "data/indicators.toml"),
    }
}

/// Indicators sharing a numerator (the same deaths in a DSR and in an ICM) withhold it
/// under the same threshold, the highest of theirs: otherwise one row would show the count
/// another withholds.
fn harmonise_thresholds(mut indicators: Vec<Indicator>) -> Vec<Indicator> {
    let max_of = |term: &Term, all: &[Indicator]| all.iter().filter(|i| i.numerator == *term).map(|i| i.min_count).fold(0.0, f64::max);
    let thresholds: Vec<f64> = indicators.iter().map(|i| max_of(&i.numerator, &indicators)).collect();
    for (i, t) in indicators.iter_mut().zip(thresholds) {
        i.min_count = t;
    }
    indicators
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_is_valid_and_covers_the_documents() {
        let c = load(None).unwrap();
        for id in [
            "part_0_14",
            "croissance_solde_naturel",
            "croissance_solde_migratoire",
            "age_moyen_femmes",
            "age_moyen_hommes",
            "taille_moyenne_menages",
            "part_65_79",
            "part_75_plus",
            "chomage_15_64",
            "ald_diabete",
            "icm_mortalite_generale",
            "mortalite_prematuree",
            "esperance_vie_naissance",
            "sans_mt_17_plus",
            "depistage_sein",
            "vaccination_grippe_65",
            "densite_mg",
            "mg_60_plus",
        ] {
            assert!(c.iter().any(|i| i.id == id), "{id}");
        }
    }

    #[test]
    fn growth_components_need_births_and_deaths_and_only_they_take_them() {
        let entry = |method: &str, extra: &str| {
            format!(
                "[[indicator]]\nid = \"x\"\nlabel = \"X\"\ntheme = \"t\"\nmethod = \"{method}\"\nnumerator = {{ measure = \"population\" }}\n\
             denominator = {{ measure = \"population_base\" }}\npolarity = \"neutral\"\nsource = \"s\"\n{extra}"
            )
        };
        let both = "births = { measure = \"births\" }\ndeaths = { measure = \"deaths_all_causes\" }\n";
        assert!(parse(&entry("natural_growth", both), "c.toml").is_ok());
        let e = parse(&entry("migratory_growth", "births = { measure = \"births\" }\n"), "c.toml").unwrap_err().to_string();
        assert!(e.contains("`deaths`") && e.contains("needed"), "{e}");
        let e = parse(&entry("annual_growth", both), "c.toml").unwrap_err().to_string();
        assert!(e.contains("only for natural_growth"), "{e}");
        let c = load(None).unwrap();
        let natural = c.iter().find(|i| i.id == "croissance_solde_naturel").unwrap();
        assert_eq!(
            natural.terms().map(|t| t.measure.as_str()).collect::<Vec<_>>(),
            ["population", "population_base", "births_period", "deaths_period"]
        );
    }

    /// The facilities and the ages of the « Offre de soins » read the measures the FINESS, BPE
    /// and ameli readers write, at the commune and département levels they write them.
    #[test]
    fn the_facilities_and_ages_of_the_professions_read_the_readers_measures() {
        use crate::indicators::evaluate::{aggregate, compute, departement_rows, Geography};
        use polars::prelude::*;
        // Communes 30001 and 30002 (1,000 and 3,000 inhabitants, 100 and 200 aged 75+): an MSP
        // and an EHPAD in 30001 (FINESS établissements), 2 EHPAD and a laboratory in 30002;
        // ameli's nurses of the Gard by age class (400 in all, 60 aged 60-69 and 40 aged 70+),
        // 2 MRI of the Gard (FINESS matériels lourds, by département).
        type Row<'a> = (&'a str, &'a str, Option<u32>, Option<u32>, f64);
        let rows: [Row; 18] = [
            ("30001", "population", None, None, 1000.0),
            ("30001", "population", Some(0), Some(74), 900.0),
            ("30001", "population", Some(75), None, 100.0),
            ("30002", "population", None, None, 3000.0),
            ("30002", "population", Some(0), Some(74), 2800.0),
            ("30002", "population", Some(75), None, 200.0),
            ("30001", "facility_msp", None, None, 1.0),
            ("30001", "facility_ehpad", None, None, 1.0),
            ("30002", "facility_ehpad", None, None, 2.0),
            ("30002", "equipment_d302", None, None, 1.0),
            ("30", "heavy_equipment_06201", None, None, 2.0),
            ("30", "professionals_infirmier", None, None, 400.0),
            ("30", "professionals_infirmier", Some(0), Some(39), 100.0),
            ("30", "professionals_infirmier", Some(40), Some(49), 100.0),
            ("30", "professionals_infirmier", Some(50), Some(59), 100.0),
            ("30", "professionals_infirmier", Some(60), Some(69), 60.0),
            ("30", "professionals_infirmier", Some(70), None, 40.0),
            ("30", "professionals_sage_femme", None, None, 50.0),
        ];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; rows.len()]),
            Column::new("age_min".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>()),
        ])
        .unwrap();
        let g = |id: &str, units: &[&str]| Geography { id: id.into(), name: id.into(), units: units.iter().map(|u| u.to_string()).collect() };
        let geos = [g("t", &["30001"]), g("30", &["30001", "30002", &departement_rows("30")])];
        let agg = aggregate(&facts, &geos).unwrap();
        let c = load(None).unwrap();
        let value = |id: &str, geo: usize| {
            let i = c.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{id}"));
            compute(i, &agg, geo, 1).estimate.value
        };
        assert_eq!(value("nombre_msp", 0), Some(1.0));
        assert_eq!(value("densite_msp", 0), Some(100.0), "1 per 1,000 inhabitants");
        assert_eq!(value("nombre_ehpad", 1), Some(3.0));
        assert_eq!(value("densite_ehpad_75_plus", 1), Some(100.0), "3 per 300 aged 75+");
        assert_eq!(value("densite_ehpad_75_plus", 0), Some(100.0), "1 per 100 aged 75+");
        assert_eq!(value("nombre_laboratoires", 1), Some(1.0));
        // A real file's commune without a row is « not given », not 0: the readers write no zero
        // rows, so 30001's laboratories are unknown here (the demo's synthetic rows, all
        // synthetic, mean 0 when absent).
        assert_eq!(value("densite_laboratoires", 0), None);
        // The Gard reads its département row of MRI: 2 per 4,000 inhabitants.
        assert_eq!(value("densite_irm", 1), Some(50.0));
        assert_eq!(value("part_infirmiers_60_plus", 1), Some(25.0), "100 of 400");
        // Midwives of all ages only (the default data's ameli file): no share, never 0 %.
        assert_eq!(value("part_sages_femmes_60_plus", 1), None);
    }

    #[test]
    fn one_numerator_one_threshold() {
        let c = load(None).unwrap();
        let get = |id: &str| c.iter().find(|i| i.id == id).unwrap().min_count;
        assert_eq!(get("mortalite_prematuree"), get("icm_mortalite_prematuree"));
        assert_eq!(get("mortalite_generale"), get("esperance_vie_naissance"));
    }

    #[test]
    fn invalid_entries_are_named() {
        let entry = |extra: &str| {
            format!(
                "[[indicator]]\nid = \"x\"\nlabel = \"X\"\ntheme = \"t\"\nmethod = \"dsr\"\nnumerator = {{ measure = \"d\" }}\n\
             denominator = {{ measure = \"population\" }}\npolarity = \"neutral\"\nsource = \"s\"\n{extra}"
            )
        };
        let e = parse(&entry(""), "c.toml").unwrap_err().to_string();
        assert!(e.contains("«x»") && e.contains("standard"), "{e}");
        let e = parse(&entry("standard = \"world\""), "c.toml").unwrap_err().to_string();
        assert!(e.contains("world"), "{e}");
        assert!(parse(&entry("standard = \"esp2013\""), "c.toml").is_ok());
        let e = parse(&entry("standard = \"esp2013\"").replace("id = \"x\"", "id = \"../x\""), "c.toml").unwrap_err().to_string();
        assert!(e.contains("lower-case"), "{e}");
        let e = parse(&entry("standard = \"esp2013\"\ncolour = \"red\""), "c.toml").unwrap_err().to_string();
        assert!(e.contains("c.toml") && e.contains("colour"), "{e}");
    }

    #[test]
    fn terms_select_bands_inside_their_range() {
        let t = Term { measure: "population".into(), sex: None, age_min: Some(65), age_max: None };
        assert!(t.selects_band(Some(65), Some(69)) && t.selects_band(Some(95), None));
        assert!(!t.selects_band(Some(60), Some(64)) && !t.selects_band(None, None));
        let u = Term { measure: "population".into(), sex: None, age_min: None, age_max: Some(17) };
        assert!(u.selects_band(Some(15), Some(17)) && !u.selects_band(Some(15), Some(19)) && !u.selects_band(Some(90), None));
        let all = Term { measure: "population".into(), sex: None, age_min: None, age_max: None };
        assert!(all.selects_band(None, None) && all.selects_band(Some(0), Some(4)));
    }
}
