//! National synthetic demo dataset of commune-level health counts.
//!
//! Real commune-level health counts cannot be shipped, so the engine's embedded
//! default health data is **synthetic but realistic**: this module generates, for
//! every commune of a referential, a long fact table of **counts** (never rates) plus a
//! synthetic roster of general practitioners (GPs). Everything built from it must be
//! labelled [`DEMO_LABEL`].
//!
//! # Layout
//! * [`generate`], [`data`]: the national dataset of a referential, and the same as the
//!   diagnostics read it (from the cache);
//! * [`communes`]: the commune-level generator ([`communes::generate`]) and the measures the
//!   national dataset adds (15-17/18-19 split, `population_base`, `area_km2`);
//! * `roster`: the GPs; `context`: what a commune takes from its département;
//! * [`calibration`]: the real figures (data files of `data/demo/`, parsed once) and the
//!   hand-set parameters, each with its source;
//! * `rng`: every hash, stream and sampler, frozen;
//! * [`frames`]: the fact table and roster as data frames, the files, the cache.
//!
//! # Layering
//! `demo` is built on `facts` (the fact table's schema and parquet files) and `ingest`
//! (`ingest::load`'s reading of the roster and of the years); every row it writes is
//! [`crate::facts::Provenance::Synthetic`] and `ingest` knows nothing of it: reading real
//! data never pulls the generator in. The choice of the demo data when no `--data` folder is
//! given is made above both, by the command line (`cli::data`).
//!
//! # Determinism
//! The output is a pure function of `(communes, seed)`:
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
//!
//! Every commune gets exactly [`FACTS_PER_COMMUNE`] rows (zeros included) unless
//! [`DemoOptions::omit_zero_counts`] is set. The national dataset ([`generate`]) leaves
//! zeros out, splits the population's 15-19 band into 15-17 and 18-19, and adds each
//! commune's `population_base` ([`BASE_GAP`] years earlier) and `area_km2`.
//!
//! # Roster
//! GPs are placed so that each département's density per 100,000 matches the
//! ameli 2024 density of "Ensemble des médecins généralistes" (81.0 nationally),
//! preferentially in the larger communes. See [`communes::generate`] for the details.

pub mod calibration;
pub mod communes;
mod context;
pub mod frames;
mod rng;
mod roster;
#[cfg(test)]
mod tests;

use crate::error::Result;
use crate::facts::schema::complete;
use crate::facts::Origin;
use crate::geo::Referential;
use crate::ingest::load;

/// Label that every output built from this data must carry.
pub const DEMO_LABEL: &str = crate::facts::SYNTHETIC;
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
/// referential's fingerprint ([`frames::cache_dir`]): a cache is reused only by a binary that
/// would write the same files.
///
/// **Bump it by hand whenever the generated data changes**: a table of `data/demo/`, a
/// parameter of [`calibration`], a draw, the rows or their order, the roster, or the
/// département sums of the cache ([`frames::departement_aggregates`], which counts the GPs
/// through `ingest::load::roster_facts`). Editing a comment or refactoring without changing a
/// number needs no bump. The test `tests::the_generated_data_has_not_changed_silently` holds a
/// digest of the output for each version: when it fails, the data changed: bump this and add
/// the new `(version, digest)` line in the same commit.
pub const GENERATOR_VERSION: u32 = 2;

/// One current commune of the referential (given by the caller).
///
/// `population` is expected to be the légal (municipal) population of the
/// commune. `departement` is the INSEE département code ("01" … "95", "2A", "2B",
/// "971" … "976"); a one-digit code is zero-padded, case is ignored, and an empty
/// code is derived from the commune code. Unknown codes fall back to national
/// structures and rates.
#[derive(Debug, Clone)]
pub struct DemoCommune {
    pub code: String,
    pub departement: String,
    pub population: u64,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoOptions {
    /// Drop rows whose value is 0, except `population` rows (which always span
    /// the full sex × band grid, so a missing row of another measure means 0).
    /// Roughly halves the fact count. The values of the kept rows are unchanged.
    pub omit_zero_counts: bool,
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

/// Number of fact rows per commune of [`communes::generate`] (when zeros are kept): 12 sex ×
/// band measures × 2 sexes × 21 bands + 4 access + 8 prevention + 3 social rows.
pub const FACTS_PER_COMMUNE: usize = 12 * 2 * NB + 4 + 8 + 3;

/// Number of age bands (see [`AGE_BANDS`]).
const NB: usize = 21;
const MALE: usize = 0;
const FEMALE: usize = 1;

/// The units the demo data is generated for: every base unit of France (metropolitan
/// France and DROM: communes, and the arrondissements of Paris, Lyon and Marseille instead
/// of their commune) with its municipal population.
pub fn demo_communes(r: &Referential) -> Vec<DemoCommune> {
    r.communes()
        .filter(|c| c.in_france())
        .flat_map(|c| r.base_units(&c.code))
        .map(|u| DemoCommune { code: u.code.clone(), departement: u.departement.clone(), population: u.population.unwrap_or(0) })
        .collect()
}

/// The national demo dataset of a referential (see [`communes::dataset`]): zero counts
/// omitted (a missing row of a measure other than `population` means 0), with each
/// commune's population [`BASE_GAP`] years earlier and its area.
pub fn generate(r: &Referential, seed: u64) -> DemoData {
    communes::dataset(&demo_communes(r), seed)
}

/// The demo data as the diagnostics read it: the fact table and roster of the cache
/// (generated on first use, [`frames::cached`]), labelled [`DEMO_LABEL`].
pub fn data(r: &Referential, seed: u64) -> Result<load::Data> {
    let (facts, roster) = frames::cached(r, seed)?;
    let facts = complete(facts, &Origin::Synthetic, &frames::cache_dir(r, seed).join(frames::FACTS_FILE))?.select(load::LOAD_COLUMNS)?;
    load::from_frames(facts, Some((roster, Origin::Synthetic)), DEMO_LABEL.to_owned(), None)
}
