//! The default data: the embedded real open data, completed by a national synthetic
//! dataset of commune-level health counts.
//!
//! Every command run without `--data` reads [`data`]: the real facts of `data/real/`
//! ([`real`]: INSEE's census populations 2021 and 2015, areas, households, births and deaths
//! 2022, activity and unemployment, Filosofi's income, DREES's APL 2022-2023, per commune;
//! INSEE's estimates by sex and age, statistiques locales and ameli's professions, per
//! département; converted by `scripts/embed-real-data.sh`),
//! and, for what they do not hold, synthetic but realistic counts generated here for every
//! commune (a long fact table of **counts**, never rates) plus a synthetic roster of general
//! practitioners (GPs). Real commune-level health counts (deaths by age and cause, ALD,
//! patients without médecin traitant, screening, the GP roster) cannot be shipped: those are
//! synthetic. Every value says which it is: each measure carries its provenance, and a value
//! computed from synthetic rows is labelled [`DEMO_LABEL`] (« données synthétiques de
//! démonstration ») per row of every table and on every chart.
//!
//! # Real and synthetic together
//! The generator never produces a measure the real data holds (same measure, commune level:
//! [`DemoOptions::writes`]), so that nothing competes in `ingest::load::by_period` (which reads
//! one source per measure). Where an indicator needs more detail than the real data gives, the
//! synthetic data completes it, **calibrated on the real totals**:
//! * population: the real data gives each commune's total (and its 15-64) for 2021; the
//!   generator writes only its split by sex and age for that year, which adds up exactly to the
//!   real total (and its bands 15-19 … 60-64 to the real 15-64). `by_period` reads both: the
//!   total from INSEE, the split as the measure's breakdown, with its own provenance
//!   ([`crate::facts::breakdown_key`]): the population says « INSEE … 2021 », the share of the
//!   65+ both sources, a standardised rate « données synthétiques ». The earlier census (2015)
//!   is the base of the growth rate: no synthetic `population_base`.
//! * deaths: the real data gives each commune's deaths of 2022 (all causes); the generator
//!   writes their split by sex and age for 2022, in proportion to each cell's expected deaths
//!   (national rates × département index × the commune's synthetic factor), never above the
//!   cell's population, adding up to the real total; the causes are thinned from it as before.
//!   The years differ from the population's (deaths 2022 over the population 2021), as
//!   INSEE's comparateur pairs them.
//! * unemployment, activity, area: real; not generated. The peers are chosen on the real
//!   density.
//! * a commune without a real population (the 17 of Mayotte, whose census is not in the
//!   commune file; 5 communes restored in 2025 from communes nouvelles of the file's 2024
//!   geography, counted there in their former commune) gets no synthetic data at all: its
//!   figures are missing (and said so), not invented next to real ones.
//! * everything else (ALD, deaths by cause, access, screening, C2S, the GP roster) is drawn as
//!   before from the commune's real population and its split, at [`DEMO_YEAR`].
//!
//! # Layout
//! * [`generate`], [`data`]: the national dataset of a referential completing the real data,
//!   and the default data as the diagnostics read it (real facts and the cache);
//! * [`real`]: the embedded real facts and what they hold ([`real::Held`]);
//! * [`communes`]: the commune-level generator ([`communes::generate`]) and the measures the
//!   national dataset adds (15-17/18-19 split, `population_base`, `area_km2` when the real data
//!   does not give them);
//! * `roster`: the GPs; `context`: what a commune takes from its département;
//! * [`calibration`]: the real figures (data files of `data/demo/`, parsed once) and the
//!   hand-set parameters, each with its source;
//! * `rng`: every hash, stream and sampler, frozen;
//! * [`frames`]: the fact table and roster as data frames, the files, the cache.
//!
//! # Layering
//! `demo` is built on `facts` (the fact table's schema and parquet files) and `ingest`
//! (`ingest::load`'s reading of fact files, of the roster and of the years); every row it
//! generates is [`crate::facts::Provenance::Synthetic`] and `ingest` knows nothing of it:
//! reading real data never pulls the generator in. The choice of the default data when no
//! `--data` folder is given is made above both, by the command line (`cli::data`).
//!
//! # Determinism
//! The output is a pure function of `(communes, seed, options)` (the communes carrying their
//! real totals):
//! * every commune draws from its own pseudo-random stream, seeded from the seed
//!   and the commune code (never from its position in the input, nor from a thread);
//! * the roster draws from one stream per département;
//! * communes are processed in parallel with rayon but collected in order, so the
//!   result does not depend on the number of threads;
//! * the generator (SplitMix64 + xoshiro256**, `rng`) is written here, so the stream never
//!   changes with a crate version.
//!
//! The samplers use `f64::ln`, `exp`, `sqrt`, `cos` from std; on one platform the
//! output is bit-identical run after run. A different libm could in principle round
//! a transcendental function differently by one ulp, which may change a rare draw.
//! Any change of the output is a new [`GENERATOR_VERSION`].
//!
//! # What is generated (per commune, in this order)
//! Age bands ([`AGE_BANDS`], 21 bands): `0-0, 1-4, 5-9, …, 90-94, 95+` (`age_max`
//! `None` for 95+). `0-0` and `1-4` together make the usual `0-4` band: there is
//! no separate `0-4` row. Aggregate `0-0 + 1-4` for DSRs on the ESP 2013 19-band
//! layout (0-4 … 85-89, 90+ = `90-94 + 95+`); life tables use the bands as given
//! (`90+` = `90-94 + 95+`).
//!
//! 1. `population` by sex (M, F) × band; M + F over the bands equals the input
//!    population exactly (largest-remainder rounding).
//! 2. `deaths_all_causes`, `deaths_cancer`, `deaths_circulatory`,
//!    `deaths_respiratory`, `deaths_suicide` by sex × band (Poisson draw, then
//!    sequential binomial thinning: the four causes sum to at most all causes).
//!    No `deaths_premature` row: premature deaths (< 65) are the sum of the bands
//!    below 65.
//! 3. `ald_all`, `ald_diabetes`, `ald_cancer`, `ald_coronary`, `ald_heart_failure`,
//!    `ald_psychiatric` by sex × band (each type is a binomial thinning of
//!    `ald_all`, so every type ≤ `ald_all` ≤ population; a person may hold several
//!    ALD types, so the types may sum to more than `ald_all`).
//! 4. Access: `patients_17p`, `patients_17p_without_gp` (sex All, 17+),
//!    `patients_70p`, `patients_70p_without_gp` (sex All, 70+).
//! 5. Prevention: breast (F 50-74), cervical (F 25-65), colorectal (All 50-74)
//!    screening and flu vaccination (All 65+): `*_eligible` and `*_done`.
//! 6. Social: `c2s_beneficiaries` (All, all ages), `active_15_64`,
//!    `unemployed_15_64` (All, 15-64).
//! 7. Grouped causes of death (`deaths_road_traffic`, `deaths_alcohol_related`,
//!    `deaths_tobacco_related`, `deaths_avoidable_prevention`) and ALD groups
//!    (`ald_cardiovascular`, `ald_asthma`, `ald_copd`, `ald_alzheimer`) by sex × band, each a
//!    binomial subset of all-cause deaths or of `ald_all` (they overlap the four causes and
//!    the six types: a lung cancer death is a cancer and a tobacco-related death).
//! 8. `patients` and `patients_without_gp` by band 0-15, 16, 17-69, 70+ (adding up to the
//!    17+ and 70+ of 4), and the patients in ALD and covered by the C2S with and without a
//!    médecin traitant (`patients_ald[_without_gp]`, `patients_c2s[_without_gp]`).
//! 9. Households paid benefits by the Caf: all (`caf_households`) and the RSA, AAH and AEEH
//!    among them (`caf_<benefit>_households`), all ages.
//! 10. Prescriptions and dental care as Rezone gives them: the patients aged 65+ and those in
//!     continuous polypharmacy, the patients treated with antibiotics and with those that drive
//!     resistance (under 4 and from 4), the under-16s with a dental examination.
//!
//! Every commune gets exactly [`FACTS_PER_COMMUNE`] rows (zeros included) unless
//! [`DemoOptions::omit_zero_counts`] is set or the real data holds some of the measures
//! ([`DemoOptions::held`]). The national dataset ([`generate`]) leaves zeros out, splits the
//! population's 15-19 band into 15-17 and 18-19, and adds each commune's `population_base`
//! ([`BASE_GAP`] years earlier) and `area_km2` when the real data does not give them.
//!
//! # Roster
//! GPs are placed so that each département's density per 100,000 matches the
//! ameli 2024 density of "Ensemble des médecins généralistes" (81.0 nationally),
//! preferentially in the larger communes. See [`communes::generate`] for the details.

pub mod calibration;
pub mod communes;
mod context;
pub mod frames;
pub mod real;
mod rng;
mod roster;
pub mod supply;
#[cfg(test)]
mod tests;

use crate::error::Result;
use crate::facts::schema::complete;
use crate::facts::Origin;
use crate::geo::Referential;
use crate::ingest::load;

/// Label that every output built from synthetic data alone must carry.
pub const DEMO_LABEL: &str = crate::facts::SYNTHETIC;
/// Label of the default data: the embedded real data completed by synthetic data (each row
/// says which: see [`crate::facts::Provenance`]).
pub const DATA_LABEL: &str = "données publiques réelles complétées de données synthétiques de démonstration";
/// Source string for the facts produced here.
pub const DEMO_SOURCE: &str = "diagsante demo (synthetic)";
/// Default seed of the embedded demo dataset.
pub const DEFAULT_SEED: u64 = 20260101;
/// Reference year of every fact (population on 1 January / events of the year).
pub const DEMO_YEAR: i32 = 2023;
/// Years between `population_base` and `population`: six, as between the two censuses of an
/// INSEE evolution base (P21_POP and P15_POP).
pub const BASE_GAP: i32 = 6;

/// Version of the generated data, in the name of the cache folder beside the seed and the
/// fingerprint of the referential and of the embedded real data ([`frames::cache_dir`]): a
/// cache is reused only by a binary that would write the same files (new real data in
/// `data/real/` changes the fingerprint by itself).
///
/// **Bump it by hand whenever the generated data changes**: a table of `data/demo/`, a
/// parameter of [`calibration`], a draw, the rows or their order, the roster, or the
/// département sums of the cache ([`frames::departement_aggregates`], which counts the GPs
/// through `ingest::load::roster_facts`). Editing a comment or refactoring without changing a
/// number needs no bump. The test `tests::the_generated_data_has_not_changed_silently` holds a
/// digest of the output for each version: when it fails, the data changed: bump this and add
/// the new `(version, digest)` line in the same commit.
pub const GENERATOR_VERSION: u32 = 9;

/// One current commune of the referential (given by the caller).
///
/// `population` is the commune's real population: its census population when the real data
/// gives it (the split by sex and age adds up to it), else its légal (municipal) population.
/// `departement` is the INSEE département code ("01" … "95", "2A", "2B",
/// "971" … "976"); a one-digit code is zero-padded, case is ignored, and an empty
/// code is derived from the commune code. Unknown codes fall back to national
/// structures and rates.
#[derive(Debug, Clone)]
pub struct DemoCommune {
    pub code: String,
    pub departement: String,
    pub population: u64,
    /// The commune's other real totals the synthetic breakdowns add up to.
    pub real: RealTotals,
}

/// A commune's real totals (from the real data, [`real::Held`]) that its synthetic split by
/// sex and age adds up to; `None`: drawn as before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RealTotals {
    /// The population aged 15-64 (census): the bands 15-19 … 60-64 add up to it (when it is
    /// not above the population).
    pub population_15_64: Option<u64>,
    /// The deaths of the year (all causes): the deaths by sex and age add up to them (spread
    /// in proportion to each cell's expected deaths, never above its population).
    pub deaths: Option<u64>,
}

/// Sex of a fact or of a GP (the fact table's own type).
pub use crate::ingest::Sex;

/// One row of the long commune-level fact table (counts only).
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub geo: String,
    pub year: i32,
    pub measure: &'static str,
    pub sex: Sex,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
    pub value: f64,
}

/// One GP of the synthetic roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Gp {
    pub id: String,
    pub commune: String,
    pub birth_year: i32,
    pub sex: Sex,
    pub consultations_per_year: u32,
    pub installation_year: i32,
}

/// Generated dataset: the commune fact table and the GP roster.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub facts: Vec<Fact>,
    pub roster: Vec<Gp>,
}

/// Options of [`communes::generate_with_options`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Drop rows whose value is 0, except `population` rows (which always span
    /// the full sex × band grid, so a missing row of another measure means 0).
    /// Roughly halves the fact count. The values of the kept rows are unchanged.
    pub omit_zero_counts: bool,
    /// The measures the real data gives ([`real::Held::measures`]): not written, but
    /// `population` and `deaths_all_causes`, whose split by sex and age (the only rows the
    /// generator writes for them) completes the real totals, unless the real data gives them
    /// by sex too (`by_sex`). The draws are the same whatever is written.
    pub held: std::collections::BTreeSet<String>,
    pub by_sex: std::collections::BTreeSet<String>,
    /// The year of the population split, and of the deaths (by cause too): the real data's
    /// when it gives them, else [`DEMO_YEAR`] like every other measure.
    pub population_year: i32,
    pub deaths_year: i32,
    /// The real département headcounts of professions and facilities that the national
    /// dataset spreads over the communes ([`supply`]); empty: none generated.
    pub supply: supply::Totals,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            omit_zero_counts: false,
            held: Default::default(),
            by_sex: Default::default(),
            population_year: DEMO_YEAR,
            deaths_year: DEMO_YEAR,
            supply: Default::default(),
        }
    }
}

impl DemoOptions {
    /// The options that complete the real data `held`: its measures left out, the split of
    /// its population and deaths at their years.
    pub fn completing(held: &real::Held) -> DemoOptions {
        let split = |m: &str| held.measures.contains(m) && !held.by_sex.contains(m);
        DemoOptions {
            omit_zero_counts: false,
            held: held.measures.clone(),
            by_sex: held.by_sex.clone(),
            population_year: held.population_year.filter(|_| split("population")).unwrap_or(DEMO_YEAR),
            deaths_year: held.deaths_year.filter(|_| split("deaths_all_causes")).unwrap_or(DEMO_YEAR),
            supply: held.supply.clone(),
        }
    }

    /// Whether the generator writes `measure` (see [`DemoOptions::held`]).
    pub fn writes(&self, measure: &str) -> bool {
        match measure {
            "population" | "deaths_all_causes" => !self.by_sex.contains(measure),
            m => !self.held.contains(m),
        }
    }

    /// The year of `measure`'s rows.
    pub fn year_of(&self, measure: &str) -> i32 {
        if measure == "population" {
            self.population_year
        } else if measure.starts_with("deaths_") {
            self.deaths_year
        } else {
            DEMO_YEAR
        }
    }
}

/// Documented measure vocabulary: (measure name, meaning in English with its
/// unit in brackets) for every measure produced, in output order.
#[rustfmt::skip]
pub const MEASURES: &[(&str, &str)] = &[
    ("population", "Resident population on 1 January, by sex (M, F) and age band 0-0, 1-4, 5-9 … 90-94, 95+ (0-0 + 1-4 = 0-4) [persons]"),
    ("deaths_all_causes", "Deaths from all causes during the year, by sex and age band [deaths]"),
    ("deaths_cancer", "Deaths whose underlying cause is a malignant neoplasm (ICD-10 C00-C97), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_circulatory", "Deaths whose underlying cause is a disease of the circulatory system (ICD-10 I00-I99), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_respiratory", "Deaths whose underlying cause is a disease of the respiratory system (ICD-10 J00-J99), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_suicide", "Deaths by intentional self-harm (ICD-10 X60-X84), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("ald_all", "Persons with at least one long-term illness (affection de longue durée, ALD) on 31 December, by sex and age band [persons]"),
    ("ald_diabetes", "Persons in ALD 8 (type 1 and type 2 diabetes), by sex and age band; subset of ald_all [persons]"),
    ("ald_cancer", "Persons in ALD 30 (malignant tumours), by sex and age band; subset of ald_all [persons]"),
    ("ald_coronary", "Persons in ALD 13 (coronary artery disease), by sex and age band; subset of ald_all [persons]"),
    ("ald_heart_failure", "Persons in ALD 5 (severe heart failure, severe arrhythmia, severe valvular or congenital heart disease), by sex and age band; subset of ald_all [persons]"),
    ("ald_psychiatric", "Persons in ALD 23 (long-lasting psychiatric disorders), by sex and age band; subset of ald_all [persons]"),
    ("patients_17p", "Patients aged 17 or over who consumed reimbursed care during the year (sex all, age_min 17, age_max none) [persons]"),
    ("patients_17p_without_gp", "Patients aged 17 or over without a declared médecin traitant; subset of patients_17p [persons]"),
    ("patients_70p", "Patients aged 70 or over who consumed reimbursed care during the year (sex all, age_min 70, age_max none) [persons]"),
    ("patients_70p_without_gp", "Patients aged 70 or over without a declared médecin traitant; subset of patients_70p [persons]"),
    ("breast_screening_eligible", "Women aged 50-74 targeted by organised breast cancer screening, after exclusions (sex F, ages 50-74) [persons]"),
    ("breast_screening_done", "Eligible women screened (mammography) over the two-year campaign; subset of breast_screening_eligible [persons]"),
    ("cervical_screening_eligible", "Women aged 25-65 targeted by cervical cancer screening, after exclusions (sex F, ages 25-65) [persons]"),
    ("cervical_screening_done", "Eligible women screened (cytology or HPV test) within the recommended interval (3 years under 30, 5 years from 30); subset of cervical_screening_eligible [persons]"),
    ("colorectal_screening_eligible", "Persons aged 50-74 targeted by organised colorectal cancer screening, after exclusions (sex all, ages 50-74) [persons]"),
    ("colorectal_screening_done", "Eligible persons screened (faecal immunochemical test) over the two-year campaign; subset of colorectal_screening_eligible [persons]"),
    ("flu_vaccination_eligible", "Persons aged 65 or over targeted by the seasonal flu vaccination campaign (sex all, age_min 65) [persons]"),
    ("flu_vaccination_done", "Targeted persons vaccinated during the season; subset of flu_vaccination_eligible [persons]"),
    ("c2s_beneficiaries", "Beneficiaries of the Complémentaire santé solidaire (C2S, free or with a contribution), all ages (sex all, no age bounds) [persons]"),
    ("active_15_64", "Economically active persons aged 15-64 (employed or unemployed, census definition) (sex all, ages 15-64) [persons]"),
    ("unemployed_15_64", "Unemployed persons aged 15-64 (census definition, self-declared); subset of active_15_64 [persons]"),
    ("deaths_road_traffic", "Deaths in road traffic accidents (ICD-10 V01-V89), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_alcohol_related", "Deaths from causes attributable to alcohol (Fnors: cancers of the upper aerodigestive tract and oesophagus, alcoholic liver disease, mental disorders due to alcohol), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_tobacco_related", "Deaths from causes attributable to tobacco (Fnors: cancers of the trachea, bronchus and lung, COPD, ischaemic heart disease), by sex and age band; subset of deaths_all_causes [deaths]"),
    ("deaths_avoidable_prevention", "Deaths before 65 from causes avoidable through primary prevention (Fnors: lung and upper aerodigestive cancers, alcoholic psychosis and cirrhosis, road accidents, falls, suicides, AIDS), by sex and age band, none from 65; subset of deaths_all_causes [deaths]"),
    ("ald_cardiovascular", "Persons in ALD 1, 3, 5 or 13 (stroke, arteriopathy, heart failure and arrhythmia, coronary disease), by sex and age band; subset of ald_all, holds ald_coronary and ald_heart_failure [persons]"),
    ("ald_asthma", "Persons in ALD 14 for asthma, by sex and age band; subset of ald_all [persons]"),
    ("ald_copd", "Persons in ALD 14 for chronic obstructive pulmonary disease, by sex and age band; subset of ald_all [persons]"),
    ("ald_alzheimer", "Persons in ALD 15 (Alzheimer's disease and other dementias), by sex and age band; subset of ald_all [persons]"),
    ("patients", "Patients who consumed reimbursed care during the year, by age band 0-15, 16-16, 17-69, 70+ (sex all); 17-69 + 70+ = patients_17p [persons]"),
    ("patients_without_gp", "Patients without a declared médecin traitant, by the age bands of patients; subset of patients [persons]"),
    ("patients_ald", "Patients in ALD, all ages (sex all, no age bounds) [persons]"),
    ("patients_ald_without_gp", "Patients in ALD without a declared médecin traitant; subset of patients_ald [persons]"),
    ("patients_c2s", "Patients covered by the C2S, all ages (sex all, no age bounds) [persons]"),
    ("patients_c2s_without_gp", "Patients covered by the C2S without a declared médecin traitant; subset of patients_c2s [persons]"),
    ("caf_households", "Households paid at least one benefit by the Caf for December (foyers allocataires), all ages (sex all, no age bounds) [households]"),
    ("caf_rsa_households", "Households paid the revenu de solidarité active (RSA); subset of caf_households [households]"),
    ("caf_aah_households", "Households paid the allocation aux adultes handicapés (AAH); subset of caf_households [households]"),
    ("caf_aeeh_households", "Households paid the allocation d'éducation de l'enfant handicapé (AEEH); subset of caf_households [households]"),
    ("patients_65p", "Patients aged 65 or over who consumed reimbursed care during the year (sex all, age_min 65) [persons]"),
    ("patients_65p_polypharmacy", "Patients aged 65 or over in continuous polypharmacy (Rezone); subset of patients_65p [persons]"),
    ("patients_antibiotics", "Patients treated with antibiotics during the year, by band 0-3 and 4+ (sex all) [persons]"),
    ("patients_antibiotics_critical", "Patients treated with antibiotics that particularly drive antimicrobial resistance (amoxicillin + clavulanic acid, 3rd- and 4th-generation cephalosporins, fluoroquinolones; ROSP), by band 0-3 and 4+; subset of patients_antibiotics [persons]"),
    ("patients_dental_exam", "Patients under 16 (0-15) with at least one dental examination; subset of patients 0-15 [persons]"),
];

/// Age bands of every sex × band measure: (age_min, age_max), `None` = open band.
pub const AGE_BANDS: [(u32, Option<u32>); NB] = [
    (0, Some(0)),
    (1, Some(4)),
    (5, Some(9)),
    (10, Some(14)),
    (15, Some(19)),
    (20, Some(24)),
    (25, Some(29)),
    (30, Some(34)),
    (35, Some(39)),
    (40, Some(44)),
    (45, Some(49)),
    (50, Some(54)),
    (55, Some(59)),
    (60, Some(64)),
    (65, Some(69)),
    (70, Some(74)),
    (75, Some(79)),
    (80, Some(84)),
    (85, Some(89)),
    (90, Some(94)),
    (95, None),
];

/// Number of fact rows per commune of [`communes::generate`] (when zeros are kept): 20 sex ×
/// band measures × 2 sexes × 21 bands + 4 access + 8 prevention + 3 social rows + 8 patients
/// by age band + 4 patients in ALD and C2S + 4 households paid benefits by the Caf + 7 rows of
/// prescriptions and dental care.
pub const FACTS_PER_COMMUNE: usize = 20 * 2 * NB + 4 + 8 + 3 + 8 + 4 + 4 + 7;

/// Number of age bands (see [`AGE_BANDS`]).
const NB: usize = 21;
const MALE: usize = 0;
const FEMALE: usize = 1;

/// The units the demo data is generated for: every base unit of France (metropolitan
/// France and DROM: communes, and the arrondissements of Paris, Lyon and Marseille instead
/// of their commune) with its real population (`held`): its census population when the real
/// data gives populations (a unit it has none for, such as Mayotte's communes, gets no
/// synthetic data either: its figures are missing, not invented), else its municipal
/// population; and its real totals ([`RealTotals`]).
pub fn demo_communes(r: &Referential, held: &real::Held) -> Vec<DemoCommune> {
    let census = !held.population.is_empty();
    r.communes()
        .filter(|c| c.in_france())
        .flat_map(|c| r.base_units(&c.code))
        .filter_map(|u| {
            let (population, working) = if census { *held.population.get(&u.code)? } else { (u.population.unwrap_or(0), None) };
            let real = RealTotals { population_15_64: working, deaths: held.deaths.get(&u.code).copied() };
            Some(DemoCommune { code: u.code.clone(), departement: u.departement.clone(), population, real })
        })
        .collect()
}

/// What the embedded real data holds ([`real::Held`]; nothing when none is embedded).
pub fn held() -> Result<real::Held> {
    real::facts()?.map_or_else(|| Ok(real::Held::default()), |f| real::Held::of(&f))
}

/// The national demo dataset of a referential (see [`communes::dataset`]), completing the
/// embedded real data: zero counts omitted (a missing row of a measure other than
/// `population` means 0), with each commune's population [`BASE_GAP`] years earlier and its
/// area unless the real data gives them.
pub fn generate(r: &Referential, seed: u64) -> Result<DemoData> {
    let held = held()?;
    Ok(communes::dataset(&demo_communes(r, &held), seed, &DemoOptions::completing(&held)))
}

/// The data every command reads without `--data`: the embedded real facts ([`real`]) and the
/// synthetic data completing them, from the cache (generated on first use,
/// [`frames::cached`]), labelled [`DATA_LABEL`] ([`DEMO_LABEL`] when no real data is
/// embedded). Each measure's provenance says which is which.
pub fn data(r: &Referential, seed: u64) -> Result<load::Data> {
    // The columns the diagnostics read: the others of the synthetic facts are constants
    // (`frames::facts_frame`), the ones `complete` gives a synthetic table.
    let (facts, roster) = frames::cached_columns(r, seed, Some(&load::COLUMNS))?;
    crate::timing::mark("demo facts read");
    let synthetic = complete(facts, &Origin::Synthetic, &frames::cache_dir(r, seed).join(frames::FACTS_FILE))?.select(load::LOAD_COLUMNS)?;
    crate::timing::mark("demo facts completed");
    // Frames side by side, not stacked: each one's provenance columns stay constant.
    let (facts, label) = match real::parts()? {
        Some(mut real) => {
            real.push(synthetic);
            (real, DATA_LABEL)
        }
        None => (vec![synthetic], DEMO_LABEL),
    };
    crate::timing::mark("real facts read");
    load::from_frames(facts, Some((roster, Origin::Synthetic)), label.to_owned(), None)
}
