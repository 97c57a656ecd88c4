//! What the demo generator is calibrated on.
//!
//! * **Real figures** (tables re-entered from published data) live in data files under
//!   `data/demo/`, embedded in the binary and parsed once, each naming its source in its
//!   header (and in `data/README.md`): the départements' 2023 age pyramids
//!   ([`dep_pyramids`], France's as their sum: [`france_population_2023`]), their profiles
//!   ([`departements`]: GP density, mortality index, poverty, activity, unemployment) and
//!   France's 2022 death rates by sex and band ([`death_rate_per_100k`]).
//! * **Hand-set model parameters** (approximations of published orders of magnitude, and
//!   single national figures) stay here as constants, each with its source in its doc comment.
//!
//! Editing either changes the demo data: bump [`super::GENERATOR_VERSION`].

use std::sync::LazyLock;

use super::NB;

/// Number of five-year bands of the INSEE tables (0-4 … 90-94, 95+).
pub const NB_INSEE: usize = 20;

/// Population of a département on 1 January 2023 by sex and five-year band 0-4 … 90-94, 95+
/// (one département of `data/demo/departement_pyramids_2023.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct DepPyramid {
    pub code: &'static str,
    pub male: [u32; NB_INSEE],
    pub female: [u32; NB_INSEE],
}

/// Département profile (one row of `data/demo/departement_profiles.csv`, whose header gives
/// each column's source).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DepProfile {
    /// INSEE département code.
    pub code: &'static str,
    /// Département name.
    pub name: &'static str,
    /// Liberal GPs per 100,000 inhabitants, 2024: data.ameli.fr *Démographie des
    /// professionnels de santé*, "Ensemble des médecins généralistes".
    pub gp_density: f64,
    /// Indirectly standardised mortality ratio: deaths 2022 (INSEE état civil via the *base
    /// du comparateur de territoires*, rescaled to the 2023 population) ÷ deaths expected
    /// from [`death_rate_per_100k`] on the département's INSEE 2023 structure, normalised to
    /// 1 for France. Used as the département mortality multiplier.
    pub mortality_index: f64,
    /// Poverty rate 2021 (%) at 60 % of the national median: INSEE Filosofi 2021 (INSEE's
    /// last published estimates for Guadeloupe, Guyane and Mayotte).
    pub poverty_rate: f64,
    /// Active / population aged 15-64, RP 2021 (Mayotte: an assumption, see the file).
    pub activity_rate: f64,
    /// Unemployed / active aged 15-64, RP 2021 (Mayotte: INSEE labour-force survey 2022).
    pub unemployment_rate: f64,
}

/// The tables of `data/demo/`, parsed.
struct Tables {
    pyramids: Vec<DepPyramid>,
    profiles: Vec<DepProfile>,
    france: [[u64; NB_INSEE]; 2],
    death_rates: [[f64; NB]; 2],
}

const PYRAMIDS_CSV: &str = include_str!("../../data/demo/departement_pyramids_2023.csv");
const PROFILES_CSV: &str = include_str!("../../data/demo/departement_profiles.csv");
const DEATH_RATES_CSV: &str = include_str!("../../data/demo/death_rates_2022.csv");

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let pyramids = parse_pyramids();
    let profiles = parse_profiles();
    // One pyramid per profile, in the same order (sorted by code: binary search works).
    assert!(
        pyramids.iter().map(|p| p.code).eq(profiles.iter().map(|p| p.code)),
        "data/demo: the pyramids and the profiles must list the same départements in the same order"
    );
    assert!(profiles.windows(2).all(|w| w[0].code < w[1].code), "data/demo/departement_profiles.csv: codes must be sorted");
    let mut france = [[0u64; NB_INSEE]; 2];
    for p in &pyramids {
        for (sex, counts) in [&p.male, &p.female].into_iter().enumerate() {
            for (total, &n) in france[sex].iter_mut().zip(counts.iter()) {
                *total += u64::from(n);
            }
        }
    }
    Tables { pyramids, profiles, france, death_rates: parse_death_rates() }
});

/// The data rows of an embedded CSV (comment lines `#` and the header skipped), with their
/// line numbers; panics if the header is not `header` (the embedded files are tested).
fn rows(file: &'static str, text: &'static str, header: &str) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let first = lines.next().map(|(_, l)| l.trim_end());
    assert_eq!(first, Some(header), "data/demo/{file}: unexpected header");
    lines.map(|(i, l)| (i + 1, l.trim_end().split(',').collect()))
}

fn number<T: std::str::FromStr>(file: &str, line: usize, cell: &str) -> T {
    cell.trim().parse().unwrap_or_else(|_| panic!("data/demo/{file} line {line}: «{cell}» is not a number"))
}

fn parse_pyramids() -> Vec<DepPyramid> {
    const FILE: &str = "departement_pyramids_2023.csv";
    let header = "departement,sex,0-4,5-9,10-14,15-19,20-24,25-29,30-34,35-39,40-44,45-49,50-54,55-59,60-64,65-69,70-74,75-79,80-84,85-89,90-94,95+";
    let mut out: Vec<DepPyramid> = Vec::new();
    for (line, f) in rows(FILE, PYRAMIDS_CSV, header) {
        assert_eq!(f.len(), 2 + NB_INSEE, "data/demo/{FILE} line {line}: {} cells", f.len());
        let mut bands = [0u32; NB_INSEE];
        for (b, cell) in bands.iter_mut().zip(&f[2..]) {
            *b = number(FILE, line, cell);
        }
        match f[1] {
            "M" => out.push(DepPyramid { code: f[0], male: bands, female: [0; NB_INSEE] }),
            "F" => match out.last_mut() {
                Some(p) if p.code == f[0] => p.female = bands,
                _ => panic!("data/demo/{FILE} line {line}: the F row must follow the M row of {}", f[0]),
            },
            other => panic!("data/demo/{FILE} line {line}: sex «{other}» (M or F)"),
        }
    }
    out
}

fn parse_profiles() -> Vec<DepProfile> {
    const FILE: &str = "departement_profiles.csv";
    let header = "code,name,gp_density,mortality_index,poverty_rate,activity_rate,unemployment_rate";
    rows(FILE, PROFILES_CSV, header)
        .map(|(line, f)| {
            assert_eq!(f.len(), 7, "data/demo/{FILE} line {line}: {} cells", f.len());
            DepProfile {
                code: f[0],
                name: f[1],
                gp_density: number(FILE, line, f[2]),
                mortality_index: number(FILE, line, f[3]),
                poverty_rate: number(FILE, line, f[4]),
                activity_rate: number(FILE, line, f[5]),
                unemployment_rate: number(FILE, line, f[6]),
            }
        })
        .collect()
}

fn parse_death_rates() -> [[f64; NB]; 2] {
    const FILE: &str = "death_rates_2022.csv";
    let mut out = [[0.0; NB]; 2];
    let mut n = 0;
    for (line, f) in rows(FILE, DEATH_RATES_CSV, "age_min,age_max,male,female") {
        assert_eq!(f.len(), 4, "data/demo/{FILE} line {line}: {} cells", f.len());
        let band = (f[0], f[1]);
        let expected = super::AGE_BANDS.get(n).map(|(lo, hi)| (lo.to_string(), hi.map(|h| h.to_string()).unwrap_or_default()));
        assert_eq!(Some((band.0.to_owned(), band.1.to_owned())), expected, "data/demo/{FILE} line {line}: bands of AGE_BANDS, in order");
        out[0][n] = number(FILE, line, f[2]);
        out[1][n] = number(FILE, line, f[3]);
        n += 1;
    }
    assert_eq!(n, NB, "data/demo/{FILE}: one row per band of AGE_BANDS");
    out
}

/// Population on 1 January 2023 of each of the 101 départements by sex and five-year band,
/// sorted by code. A commune's age structure starts from its département's.
///
/// Source: INSEE, *Estimation de population au 1er janvier 2023, par département, sexe et
/// âge quinquennal*, Licence Ouverte / Etalab 2.0 (`data/demo/departement_pyramids_2023.csv`).
pub fn dep_pyramids() -> &'static [DepPyramid] {
    &TABLES.pyramids
}

/// Population of France (including the five DROM) on 1 January 2023 by sex (`[0]` males,
/// `[1]` females) and five-year age band 0-4, 5-9 … 90-94, 95+: the sum of
/// [`dep_pyramids`]. Total 68,042,591; share aged 65+ = 21.26 %.
pub fn france_population_2023() -> &'static [[u64; NB_INSEE]; 2] {
    &TABLES.france
}

/// Département profiles, sorted by code (same order as [`dep_pyramids`]); columns and
/// sources: see [`DepProfile`] and `data/demo/departement_profiles.csv`.
pub fn departements() -> &'static [DepProfile] {
    &TABLES.profiles
}

/// Death rates per 100,000 by sex (`[0]` males, `[1]` females) and band of
/// [`super::AGE_BANDS`], France 2022 (`data/demo/death_rates_2022.csv`, whose header tells
/// how they were derived from INSEE's single-year rates, split by sex with
/// [`MALE_FEMALE_MORTALITY_RATIO`]).
pub fn death_rate_per_100k() -> &'static [[f64; NB]; 2] {
    &TABLES.death_rates
}

/// Index of a département in [`departements`] (and [`dep_pyramids`]).
pub fn lookup_dep(code: &str) -> Option<usize> {
    departements().binary_search_by(|d| d.code.cmp(code)).ok()
}

// ============================================================================
// Hand-set parameters and single national figures
// ============================================================================

/// Share of age 0 in the 0-4 band (males, females), used to split 0-4 into 0-0
/// and 1-4. Source: INSEE, *Pyramide des âges au 1er janvier 2022*, France,
/// single years of age (0.1935 for both sexes).
pub const INFANT_SHARE_OF_0_4: [f64; 2] = [0.1935, 0.1935];

/// Male/female ratio of death rates by band used to build
/// [`death_rate_per_100k`]. Hand-set approximations (not an exact re-entry) of
/// the male/female ratio of death quotients in the INSEE life tables (*tables de
/// mortalité*, France, recent years): excess male mortality peaks at 20-29
/// (~2.8) and fades at the oldest ages (~1.15).
#[rustfmt::skip]
pub const MALE_FEMALE_MORTALITY_RATIO: [f64; NB] = [
    1.20, 1.20, 1.25, 1.30, 2.20, 2.80, 2.80, 2.50, 2.20, 1.90, 1.80, 1.80, 1.90, 2.00, 2.00, 1.90, 1.75, 1.55,
    1.40, 1.25, 1.15,
];

/// Share of all-cause deaths by underlying cause and band of [`super::AGE_BANDS`]
/// (rows: cancer, circulatory, respiratory, suicide), both sexes.
///
/// Hand-set approximations (not an exact re-entry) of the age profile published
/// by CépiDc-Inserm (causes of death, France, recent years): cancers are the first
/// cause from 35 to 84, circulatory diseases dominate at the oldest ages, suicide
/// is the first cause at 25-34.
/// Nationally these shares give about 26.6 % cancer, 21.4 % circulatory, 7.6 %
/// respiratory and 1.3 % suicide (with [`SUICIDE_SEX_FACTOR`]).
#[rustfmt::skip]
pub const CAUSE_SHARE: [[f64; NB]; 4] = [
    [0.01, 0.12, 0.21, 0.18, 0.09, 0.08, 0.11, 0.15, 0.23, 0.31, 0.39, 0.45, 0.48, 0.49, 0.47, 0.42, 0.35, 0.27, 0.19, 0.13, 0.08],
    [0.02, 0.03, 0.03, 0.03, 0.03, 0.04, 0.05, 0.07, 0.08, 0.10, 0.12, 0.13, 0.13, 0.14, 0.15, 0.17, 0.19, 0.22, 0.25, 0.27, 0.28],
    [0.02, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.03, 0.04, 0.04, 0.05, 0.05, 0.06, 0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.10],
    [0.0, 0.0, 0.005, 0.08, 0.14, 0.17, 0.17, 0.15, 0.13, 0.10, 0.08, 0.06, 0.04, 0.025, 0.015, 0.01, 0.008, 0.006, 0.005, 0.004, 0.003],
];

/// Multiplier of the suicide share by sex (males, females): about three suicides
/// in four are male (CépiDc), while all-cause deaths are split about evenly.
pub const SUICIDE_SEX_FACTOR: [f64; 2] = [1.25, 0.55];

/// The causes of death the ORS tables quote besides the four chapters above, each drawn as a
/// subset of all-cause deaths (they overlap the chapters and each other: a lung cancer is a
/// cancer and a tobacco-related death), in output order.
pub const GROUPED_CAUSES: [&str; 4] = ["deaths_road_traffic", "deaths_alcohol_related", "deaths_tobacco_related", "deaths_avoidable_prevention"];

/// Share of all-cause deaths by grouped cause ([`GROUPED_CAUSES`]) and band of
/// [`super::AGE_BANDS`], both sexes.
///
/// Hand-set age profiles (not an exact re-entry), calibrated so that the national rates
/// come close to those of France hexagonale in the ORS Nouvelle-Aquitaine table quoted by the
/// CPTS Aliénor Ô Poitou (`../shared/seeds/002`, L233-236, standardised per 100,000): road
/// traffic 4.5, alcohol-related 28.4, tobacco-related 123.8, avoidable premature deaths
/// (causes accessible to prevention, before 65) 63.5. Their shapes follow CépiDc's age
/// profiles: road deaths are the young adults' first cause; alcohol-related deaths peak at
/// 45-64; tobacco-related deaths (lung cancer, COPD, ischaemic heart disease) weigh from 45;
/// avoidable deaths are counted before 65 only (Fnors' definition), about a third of
/// premature deaths.
#[rustfmt::skip]
pub const GROUPED_CAUSE_SHARE: [[f64; NB]; 4] = [
    [0.0016, 0.024, 0.04, 0.048, 0.16, 0.136, 0.08, 0.048, 0.032, 0.024, 0.016, 0.0112, 0.008, 0.0064, 0.0048, 0.004, 0.0032, 0.0024, 0.0012, 0.00064, 0.00032],
    [0.0, 0.0, 0.0, 0.0, 0.0045, 0.009, 0.018, 0.036, 0.054, 0.072, 0.0855, 0.09, 0.081, 0.0675, 0.054, 0.0405, 0.027, 0.018, 0.0108, 0.0072, 0.0045],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.002, 0.01, 0.03, 0.06, 0.10, 0.15, 0.19, 0.21, 0.21, 0.20, 0.18, 0.16, 0.14, 0.12, 0.10, 0.08],
    [0.02, 0.15, 0.20, 0.25, 0.50, 0.50, 0.48, 0.45, 0.42, 0.40, 0.38, 0.36, 0.34, 0.32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];

/// Multiplier of each grouped cause's share by sex (males, females): about three road,
/// alcohol- and tobacco-related deaths in four are male (CépiDc), while all-cause deaths are
/// split about evenly; men die more from avoidable causes too.
pub const GROUPED_CAUSE_SEX_FACTOR: [[f64; 2]; 4] = [[1.45, 0.55], [1.4, 0.6], [1.35, 0.65], [1.15, 0.85]];

/// The ALD groups the ORS tables quote besides the types above, each a subset of `ald_all`,
/// in output order: the cardiovascular group (ALD 1, 3, 5, 13: stroke, arteriopathy, heart
/// failure and arrhythmia, coronary disease), asthma and COPD (both in ALD 14, chronic
/// respiratory failure, told apart by their diagnosis), Alzheimer's and other dementias
/// (ALD 15).
pub const ALD_GROUPS: [&str; 4] = ["ald_cardiovascular", "ald_asthma", "ald_copd", "ald_alzheimer"];

/// Prevalence (%) of the ALD groups ([`ALD_GROUPS`]) by sex (males, females) and band of
/// [`super::AGE_BANDS`].
///
/// Hand-set age profiles (not an exact re-entry) calibrated on the France hexagonale column
/// of the ORS Nouvelle-Aquitaine table quoted by the CPTS Aliénor Ô Poitou (`seeds/002`,
/// L213-218, standardised per 100,000): cardiovascular 5,288.8, asthma 135.3, COPD 113.7,
/// Alzheimer's 2,564.7 per 100,000 aged 65+. The cardiovascular group is at least the
/// coronary and heart-failure types in every cell (it holds both).
#[rustfmt::skip]
pub const ALD_GROUP_PREVALENCE_PCT: [[[f64; NB]; 2]; 4] = [
    [
        [0.195, 0.195, 0.195, 0.195, 0.195, 0.195, 0.26, 0.39, 0.585, 1.04, 2.08, 4.16, 7.28, 11.44, 16.25, 21.45, 27.3, 33.8, 40.3, 44.2, 45.5],
        [0.195, 0.195, 0.195, 0.195, 0.195, 0.195, 0.221, 0.286, 0.39, 0.585, 0.91, 1.56, 2.6, 4.16, 6.5, 10.14, 14.95, 21.45, 28.6, 34.45, 36.4],
    ],
    [
        [0.02, 0.15, 0.2, 0.18, 0.12, 0.08, 0.07, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.22, 0.2, 0.18, 0.15],
        [0.01, 0.1, 0.13, 0.13, 0.12, 0.11, 0.11, 0.12, 0.13, 0.15, 0.17, 0.2, 0.22, 0.24, 0.26, 0.28, 0.28, 0.26, 0.22, 0.18, 0.15],
    ],
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.008, 0.024, 0.056, 0.12, 0.224, 0.36, 0.496, 0.6, 0.656, 0.64, 0.56, 0.44, 0.36],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.008, 0.016, 0.04, 0.08, 0.136, 0.2, 0.256, 0.296, 0.304, 0.28, 0.24, 0.2, 0.16],
    ],
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.04, 0.1, 0.3, 0.8, 2.0, 3.9, 6.0, 7.6, 8.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.04, 0.1, 0.35, 0.95, 2.4, 4.8, 7.8, 10.0, 11.0],
    ],
];

/// Access to a médecin traitant in the groups Rezone tabulates (modelling assumptions, orders
/// of magnitude of the Rezone values the seeds quote for France, `seeds/002` L570 and Rezone's
/// national page): about 35 % of children under 16 have none declared (declaring one for a
/// child is optional), 3 % of the patients in ALD, 15 % of the patients covered by the C2S;
/// each follows the commune's share of the 17+ without one (its ratio to the national 11 %).
pub const WITHOUT_GP_UNDER_16_NATIONAL: f64 = 0.35;
/// See [`WITHOUT_GP_UNDER_16_NATIONAL`].
pub const WITHOUT_GP_ALD_NATIONAL: f64 = 0.03;
/// See [`WITHOUT_GP_UNDER_16_NATIONAL`].
pub const WITHOUT_GP_C2S_NATIONAL: f64 = 0.15;

/// Households paid benefits by the Caf (foyers allocataires, December), in output order:
/// (measure, national count per 100 people of the age band, the band). Orders of magnitude of
/// the Cnaf's statistics (data.caf.fr, recent years): about 13.8 million households paid a
/// benefit (≈ 20 per 100 inhabitants), 1.9 million the RSA (≈ 5.5 per 100 aged 25-64), 1.3
/// million the AAH (≈ 3.2 per 100 aged 20-59 as the ORS tables count them), 0.4 million the
/// AEEH (≈ 2.3 per 100 under 20). The benefits under means test follow the département's C2S
/// share (its ratio to the national one); the AEEH does not.
pub const CAF_BENEFITS: [(&str, f64, u32, Option<u32>); 4] = [
    ("caf_households", 20.0, 0, None),
    ("caf_rsa_households", 5.5, 25, Some(64)),
    ("caf_aah_households", 3.2, 20, Some(59)),
    ("caf_aeeh_households", 2.3, 0, Some(19)),
];

/// The prescription indicators Rezone gives (orders of magnitude of the France values the
/// seeds quote, `seeds/002` L278-290; modelling assumptions where they give none):
/// - continuous polypharmacy among the consuming patients aged 65+: 16.8 %;
/// - antibiotics that particularly drive antimicrobial resistance (amoxicillin + clavulanic
///   acid, 3rd- and 4th-generation cephalosporins, fluoroquinolones), as the ROSP counts them:
///   patients treated with one among the patients treated with antibiotics, 36.5 % at all
///   ages, 27.5 % under 4; about 40 % of the consuming patients (55 % under 4) are treated
///   with antibiotics in a year (assumption);
/// - children under 16 with at least one dental examination: about 70 % (the seed's 71.6 % is
///   « superposable » to France).
pub const POLYPHARMACY_65P_NATIONAL: f64 = 0.168;
/// See [`POLYPHARMACY_65P_NATIONAL`].
pub const ANTIBIOTICS_TREATED: [f64; 2] = [0.55, 0.40];
/// See [`POLYPHARMACY_65P_NATIONAL`]: under 4, from 4.
pub const ANTIBIOTICS_CRITICAL_SHARE: [f64; 2] = [0.275, 0.365];
/// See [`POLYPHARMACY_65P_NATIONAL`].
pub const DENTAL_EXAM_UNDER_16_NATIONAL: f64 = 0.70;

/// Measures of the ALD tables, in output order.
pub const ALD_MEASURES: [&str; 6] = ["ald_all", "ald_diabetes", "ald_cancer", "ald_coronary", "ald_heart_failure", "ald_psychiatric"];

/// Prevalence (%) of ALD by type (order of `ald_all`, `ald_diabetes`,
/// `ald_cancer`, `ald_coronary`, `ald_heart_failure`, `ald_psychiatric`), sex
/// (males, females) and band of [`super::AGE_BANDS`].
///
/// Hand-set age profiles (not an exact re-entry) calibrated to the orders of
/// magnitude of the Assurance Maladie ALD statistics (*effectifs de patients en
/// ALD au 31 décembre*, recent years): about 12 million persons in ALD (≈ 18 % of the
/// population, over 50 % from 75), ALD 8 diabetes ≈ 3 million (≈ 4.4 %, ~15 %
/// at 75+, more frequent in men), ALD 30 cancer ≈ 2.4 million (≈ 3.5 %, more
/// women before 60), ALD 13 coronary ≈ 1.3 million (mostly men), ALD 5 ≈ 1.5
/// million (steep rise after 75), ALD 23 psychiatric ≈ 1.6 million (young and
/// middle-aged adults). On the INSEE 2023 structure: ald_all 17.8 %, diabetes
/// 4.4 %, cancer 3.5 %, coronary 1.9 %, heart failure 2.2 %, psychiatric 2.4 %.
/// Every type is below `ald_all` in every cell.
#[rustfmt::skip]
pub const ALD_PREVALENCE_PCT: [[[f64; NB]; 2]; 6] = [
    [
        [1.0, 1.8, 2.6, 3.2, 3.8, 4.0, 4.6, 5.6, 6.8, 8.5, 11.5, 16.0, 22.0, 31.0, 40.0, 49.0, 57.0, 64.0, 69.0, 71.0, 70.0],
        [0.8, 1.4, 2.1, 2.8, 3.8, 4.5, 5.6, 6.8, 8.0, 9.8, 12.5, 16.0, 20.0, 25.5, 32.0, 39.0, 48.0, 56.0, 62.0, 65.0, 64.0],
    ],
    [
        [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.6, 2.8, 4.5, 7.0, 10.0, 13.0, 16.0, 18.0, 18.5, 17.0, 14.0, 11.0],
        [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.3, 2.0, 3.0, 4.5, 6.5, 8.5, 11.0, 13.0, 14.0, 13.0, 11.0, 9.0],
    ],
    [
        [0.05, 0.1, 0.1, 0.1, 0.2, 0.25, 0.35, 0.5, 0.6, 0.8, 1.2, 2.1, 3.6, 6.0, 9.0, 12.0, 14.0, 15.0, 14.5, 13.0, 11.0],
        [0.05, 0.1, 0.1, 0.1, 0.2, 0.35, 0.6, 1.0, 1.5, 2.2, 3.1, 4.2, 5.4, 6.6, 7.8, 9.0, 9.6, 9.6, 8.5, 7.0, 6.0],
    ],
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.02, 0.05, 0.1, 0.3, 0.8, 1.7, 3.1, 5.0, 7.2, 9.4, 11.5, 13.0, 13.5, 13.0, 11.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 0.4, 0.8, 1.3, 2.1, 3.1, 4.4, 6.0, 7.0, 7.0, 6.5],
    ],
    [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 1.0, 1.7, 2.8, 4.5, 7.0, 10.5, 15.0, 20.0, 24.0, 26.0],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.12, 0.15, 0.2, 0.3, 0.4, 0.6, 1.0, 1.6, 2.6, 4.3, 7.0, 11.0, 16.0, 21.0, 24.0],
    ],
    [
        [0.0, 0.3, 1.0, 1.5, 1.8, 2.3, 2.8, 3.0, 3.2, 3.3, 3.3, 3.2, 3.0, 2.6, 2.2, 1.9, 1.8, 2.0, 2.3, 2.5, 2.5],
        [0.0, 0.1, 0.4, 0.7, 1.5, 2.2, 2.5, 2.8, 3.1, 3.4, 3.6, 3.6, 3.4, 3.0, 2.6, 2.4, 2.5, 3.0, 3.6, 4.0, 4.0],
    ],
];

/// Extra multiplier of ALD 8 diabetes in the DROM (971-976): treated diabetes is
/// roughly twice as frequent there as in metropolitan France (order of magnitude
/// of Santé publique France's *prévalence du diabète traité*).
pub const DROM_DIABETES_FACTOR: f64 = 1.8;

/// Weight of the département mortality index in its ALD index:
/// `ald_index = clamp(1 + 0.6 × (mortality_index − 1), 0.8, 1.3)` (modelling
/// choice: ALD prevalence and standardised mortality are positively correlated).
pub const ALD_MORTALITY_ELASTICITY: f64 = 0.6;

/// National targets of the access indicators (modelling assumptions):
/// share of 17+ without a médecin traitant ≈ 11 % (order of magnitude reported
/// by the Assurance Maladie in 2023); 70+ ≈ 0.45 × the 17+ share (≈ 5 %).
pub const WITHOUT_GP_17P_NATIONAL: f64 = 0.11;
/// Ratio of the 70+ share without médecin traitant to the 17+ share.
pub const WITHOUT_GP_70P_RATIO: f64 = 0.45;
/// Elasticity of the share without médecin traitant to the GP density:
/// `share ∝ (81.0 / density)^0.8`, normalised to the national target and
/// clamped to 5-22 %.
pub const WITHOUT_GP_DENSITY_ELASTICITY: f64 = 0.8;

/// Organised programmes: (eligible measure, done measure, national participation
/// among the eligible, share of the target population that is eligible).
///
/// Participation: orders of magnitude published by Santé publique France
/// (breast ≈ 47 %, colorectal ≈ 34 %, cervical coverage ≈ 59 %, recent campaigns)
/// and by the Assurance Maladie for the flu campaign of the 65+ (≈ 54 %). Eligibility
/// after exclusions (previous cancer, high-risk follow-up, hysterectomy…) is a
/// modelling assumption; everyone aged 65+ is targeted by the flu campaign.
#[rustfmt::skip]
pub const PREVENTION: [(&str, &str, f64, f64); 4] = [
    ("breast_screening_eligible", "breast_screening_done", 0.47, 0.93),
    ("cervical_screening_eligible", "cervical_screening_done", 0.59, 0.90),
    ("colorectal_screening_eligible", "colorectal_screening_done", 0.34, 0.88),
    ("flu_vaccination_eligible", "flu_vaccination_done", 0.54, 1.0),
];

/// National share of C2S beneficiaries (≈ 11 %: about 7 million beneficiaries,
/// order of magnitude of the Fonds de la CSS reports, 2022-2023). Per département:
/// `0.11 × poverty_rate / poverty reference`, clamped to 2-40 %.
pub const C2S_NATIONAL: f64 = 0.11;

/// National GP density per 100,000 used for unknown départements: ameli 2024,
/// "Ensemble des médecins généralistes", France (55,546 GPs, 81.0).
pub const FRANCE_GP_DENSITY_2024: f64 = 81.0;

/// Activity and unemployment rates of France for unknown départements (RP 2021
/// aggregates of the commune table, see [`departements`]).
pub const FRANCE_ACTIVITY_RATE: f64 = 0.747;
/// See [`FRANCE_ACTIVITY_RATE`].
pub const FRANCE_UNEMPLOYMENT_RATE: f64 = 0.121;

/// National counts of the facilities the embedded real data does not give, which the demo
/// shares among the départements (by population; the EHPAD by population aged 75+, both from
/// [`dep_pyramids`]) and spreads over their communes (`supply::FACILITIES`): (measure, count
/// for France, shared by the 75+). **Orders of magnitude** of public national figures, rounded,
/// not exact counts of any year:
/// - `facility_msp` 2,500: the maisons de santé pluriprofessionnelles in operation in 2024, as
///   the Ministère de la Santé (DGOS) announced the mark of 2,500 MSP reached that year.
/// - `facility_health_centre` 2,500: the centres de santé (médicaux, polyvalents, dentaires,
///   infirmiers); the counts cited by the ministry's observatory of centres de santé and the
///   federations range from about 2,400 to about 3,000 with the year and the kinds counted.
/// - `facility_ehpad` 7,500: DREES, enquête EHPA 2019 (about 7,500 EHPAD, some 600,000 places).
/// - `equipment_d302` 4,000: the sites of medical biology laboratories (some 400 laboratories,
///   about 4,000 sites: order of magnitude cited by the profession and the ministry).
/// - `equipment_d101` 2,000: the short-stay (MCO) établissements; DREES, *Les établissements
///   de santé* (édition 2023) counts about 3,000 établissements de santé in all, of which
///   roughly two thirds with short-stay activity (an assumption of this table: the others are
///   rehabilitation or psychiatry only).
pub const FACILITIES_FRANCE: [(&str, u64, bool); 5] = [
    ("facility_msp", 2_500, false),
    ("facility_health_centre", 2_500, false),
    ("facility_ehpad", 7_500, true),
    ("equipment_d302", 4_000, false),
    ("equipment_d101", 2_000, false),
];

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::super::tests::{read_realdata, INSEE_SHARE_65P};
    use super::super::{FACTS_PER_COMMUNE, MEASURES};
    use super::*;

    #[test]
    fn tables_are_consistent() {
        let (deps, pyramids) = (departements(), dep_pyramids());
        assert_eq!(deps.len(), 101);
        assert_eq!(deps.len(), pyramids.len());
        for (d, p) in deps.iter().zip(pyramids) {
            assert_eq!(d.code, p.code);
            assert!(d.gp_density > 0.0 && d.mortality_index > 0.5 && d.mortality_index < 2.0);
            assert!(d.poverty_rate > 5.0 && d.poverty_rate < 80.0);
            assert!(d.activity_rate > 0.4 && d.activity_rate < 0.9);
            assert!(d.unemployment_rate > 0.03 && d.unemployment_rate < 0.5);
        }
        // Sorted by code: binary search works.
        assert!(deps.windows(2).all(|w| w[0].code < w[1].code));
        for d in deps {
            assert!(lookup_dep(d.code).is_some());
        }
        // France = sum of the départements: total 68,042,591.
        let france = france_population_2023();
        let total: u64 = france.iter().flatten().sum();
        assert_eq!(total, 68_042_591);
        let p65: u64 = france.iter().map(|v| v[13..].iter().sum::<u64>()).sum();
        assert!((p65 as f64 / total as f64 - INSEE_SHARE_65P).abs() < 0.0005);
        // Death rates reproduce the male/female ratios and increase after 10.
        let rates = death_rate_per_100k();
        for b in 0..NB {
            let r = rates[0][b] / rates[1][b];
            assert!((r - MALE_FEMALE_MORTALITY_RATIO[b]).abs() < 0.02, "band {b}: {r}");
        }
        for s in 0..2 {
            assert!(rates[s][3..].windows(2).all(|w| w[0] < w[1]));
        }
        // ALD: every type below ald_all; causes below 1.
        for t in 1..6 {
            for s in 0..2 {
                for b in 0..NB {
                    assert!(ALD_PREVALENCE_PCT[t][s][b] <= ALD_PREVALENCE_PCT[0][s][b], "type {t} {s} {b}");
                }
            }
        }
        for b in 0..NB {
            let total: f64 = (0..4).map(|k| CAUSE_SHARE[k][b] * if k == 3 { SUICIDE_SEX_FACTOR[0] } else { 1.0 }).sum();
            assert!(total < 1.0);
            for k in 0..4 {
                assert!(GROUPED_CAUSE_SHARE[k][b] * GROUPED_CAUSE_SEX_FACTOR[k][0].max(GROUPED_CAUSE_SEX_FACTOR[k][1]) < 1.0, "cause {k} band {b}");
            }
            // Avoidable deaths are counted before 65 only.
            assert_eq!(GROUPED_CAUSE_SHARE[3][b] == 0.0, b >= 14, "band {b}");
        }
        // ALD groups: below ald_all; the cardiovascular group holds the coronary and heart-failure types.
        for s in 0..2 {
            for b in 0..NB {
                for g in 0..4 {
                    assert!(ALD_GROUP_PREVALENCE_PCT[g][s][b] <= ALD_PREVALENCE_PCT[0][s][b], "group {g} {s} {b}");
                }
                assert!(ALD_GROUP_PREVALENCE_PCT[0][s][b] >= ALD_PREVALENCE_PCT[3][s][b].max(ALD_PREVALENCE_PCT[4][s][b]), "cardiovascular {s} {b}");
            }
        }
        // Vocabulary: unique names, same order as the output.
        let names: Vec<&str> = MEASURES.iter().map(|m| m.0).collect();
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len());
        assert_eq!(FACTS_PER_COMMUNE, 878);
    }

    /// The re-entered tables match the realdata files they come from.
    #[test]
    fn constants_match_the_realdata_files() {
        if let Some(text) = read_realdata("population/insee_estim_pop_dep_sexe_aq_2023_long.csv") {
            let mut n = 0;
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                let (Some(code), Some(sex), Some(age), Some(value)) = (f.first(), f.get(2), f.get(3), f.last()) else {
                    continue;
                };
                let i = lookup_dep(code).expect("département of the INSEE file");
                let b = age.parse::<usize>().unwrap() / 5;
                let p = &dep_pyramids()[i];
                let table = if *sex == "M" { &p.male } else { &p.female };
                assert_eq!(u64::from(table[b]), value.trim().parse::<u64>().unwrap(), "{line}");
                n += 1;
            }
            assert_eq!(n, 4040);
        }
        if let Some(text) = read_realdata("medical/ameli_demographie_ps_liberaux_dep_2024.csv") {
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
            let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
            let (ip, id, idens) = (col("profession_sante"), col("departement"), col("densite"));
            let mut n = 0;
            for line in lines {
                let f: Vec<&str> = line.split(',').collect();
                if f.get(ip) != Some(&"Ensemble des médecins généralistes") {
                    continue;
                }
                let dens: f64 = f[idens].parse().unwrap();
                if f[id] == "999" {
                    if line.contains(",99,FRANCE,") {
                        assert_eq!(dens, FRANCE_GP_DENSITY_2024);
                    }
                    continue;
                }
                let i = lookup_dep(f[id]).expect("département of the ameli file");
                assert_eq!(departements()[i].gp_density, dens, "{}", f[id]);
                n += 1;
            }
            assert_eq!(n, 101);
        }
    }
}
