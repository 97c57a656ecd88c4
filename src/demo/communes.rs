//! The commune-level generator: every commune's counts, drawn from its own stream, plus the
//! GP roster (`roster`); and the measures the national dataset adds to them
//! ([`split_15_19`], [`base_population`], [`area`]).

use rayon::prelude::*;

use super::calibration::{
    death_rate_per_100k, ALD_GROUPS, ALD_GROUP_PREVALENCE_PCT, ALD_MEASURES, ALD_PREVALENCE_PCT, ANTIBIOTICS_CRITICAL_SHARE, ANTIBIOTICS_TREATED,
    C2S_NATIONAL, CAF_BENEFITS, CAUSE_SHARE, DENTAL_EXAM_UNDER_16_NATIONAL, GROUPED_CAUSES, GROUPED_CAUSE_SEX_FACTOR, GROUPED_CAUSE_SHARE,
    POLYPHARMACY_65P_NATIONAL, PREVENTION, SUICIDE_SEX_FACTOR, WITHOUT_GP_17P_NATIONAL, WITHOUT_GP_70P_RATIO, WITHOUT_GP_ALD_NATIONAL,
    WITHOUT_GP_C2S_NATIONAL, WITHOUT_GP_UNDER_16_NATIONAL,
};
use super::context::{build_contexts, normalized_departement, rurality, DepContext};
use super::rng::{keyed_normals, Rng};
use super::{DemoCommune, DemoData, DemoOptions, Fact, Sex, AGE_BANDS, BASE_GAP, DEMO_YEAR, FACTS_PER_COMMUNE, FEMALE, MALE, NB};

/// Strength of the log-linear ageing tilt of small communes (modelling assumption): the
/// weight of band b is multiplied by `exp(AGE_TILT × (r − r̄) × (mid_b − 40) / 40)` where r is
/// the commune's rurality in [0, 1] and r̄ its département's population-weighted
/// mean (so the département's structure is kept on average).
const AGE_TILT: f64 = 0.30;

/// Middle age of each band, for the ageing tilt.
const BAND_MID: [f64; NB] =
    [0.5, 3.0, 7.5, 12.5, 17.5, 22.5, 27.5, 32.5, 37.5, 42.5, 47.5, 52.5, 57.5, 62.5, 67.5, 72.5, 77.5, 82.5, 87.5, 92.5, 97.0];

/// Generate the demo dataset for `communes` with `seed` (zeros kept).
///
/// Facts are sorted by commune code (stable for duplicated codes, which get
/// identical rows), then by measure in [`super::MEASURES`] order, then sex (M, F, or
/// All), then band in [`AGE_BANDS`] order.
///
/// Roster: for each département present in the input, the number of GPs is
/// `round(density × population of its communes / 100,000)` with the ameli 2024
/// density (`calibration::DepProfile::gp_density`). Each GP is placed in a commune of the
/// département drawn with probability ∝ population^1.3 (× 0.05 below 300
/// inhabitants). Ages: a share `clamp(0.22 + 0.25 × rural share, 0.20, 0.40)` of
/// the département's GPs is aged 60-72 (rural share = share of its population
/// living in communes under 2,000 inhabitants: about a third in rural
/// départements, about a fifth in Paris), the others 30-59; probability of being
/// a woman falls with age from 0.68 (< 35) to 0.18 (65+), about 45 % overall;
/// consultations per year ~ Normal(4,500, 1,500) clamped to 500-12,000;
/// installation at an age drawn uniformly in 30..=min(40, age). Ids `GP000001`…
/// follow the order (commune code, draw order).
pub fn generate(communes: &[DemoCommune], seed: u64) -> DemoData {
    generate_with_options(communes, seed, &DemoOptions::default())
}

/// [`generate`] with options.
pub fn generate_with_options(communes: &[DemoCommune], seed: u64, options: &DemoOptions) -> DemoData {
    // Order: commune code, then input position (stable sort).
    let mut order: Vec<usize> = (0..communes.len()).collect();
    order.sort_by(|&a, &b| communes[a].code.cmp(&communes[b].code));

    let deps: Vec<String> = communes.iter().map(normalized_departement).collect();
    let contexts = build_contexts(communes, &deps);
    let national = DepContext::national();

    // Generate by blocks so that the peak memory stays close to the final vector.
    const BLOCK: usize = 2048;
    let mut facts: Vec<Fact> = Vec::new();
    if !options.omit_zero_counts {
        facts.reserve_exact(communes.len().saturating_mul(FACTS_PER_COMMUNE));
    }
    for block in order.chunks(BLOCK) {
        let parts: Vec<Vec<Fact>> = block
            .par_iter()
            .map(|&i| {
                let ctx = contexts.get(&deps[i]).unwrap_or(&national);
                commune_facts(&communes[i], ctx, seed, options)
            })
            .collect();
        for part in parts {
            facts.extend(part);
        }
    }

    let roster = super::roster::build_roster(communes, &deps, &contexts, seed);
    DemoData { facts, roster }
}

/// The rows of one commune: the measures `options` lets the generator write (see
/// [`DemoOptions::writes`]), each at its year ([`DemoOptions::year_of`]).
struct FactSink<'a> {
    geo: &'a str,
    options: &'a DemoOptions,
    out: Vec<Fact>,
}

impl FactSink<'_> {
    fn push(&mut self, measure: &'static str, sex: Sex, age_min: Option<u32>, age_max: Option<u32>, value: u64) {
        if self.options.omit_zero_counts && value == 0 && measure != "population" || !self.options.writes(measure) {
            return;
        }
        let year = self.options.year_of(measure);
        self.out.push(Fact { geo: self.geo.to_string(), year, measure, sex, age_min, age_max, value: value as f64 });
    }

    fn push_grid(&mut self, measure: &'static str, grid: &[[u64; NB]; 2]) {
        for (s, sex) in [(MALE, Sex::Male), (FEMALE, Sex::Female)] {
            for (b, &(lo, hi)) in AGE_BANDS.iter().enumerate() {
                self.push(measure, sex, Some(lo), hi, grid[s][b]);
            }
        }
    }
}

/// `total` spread over cells in proportion to `expected`, none above its `room` (its
/// population): sequential binomial draws (a multinomial), then what full cells could not
/// take (or all of it, when nothing is expected) to the cells with room, oldest bands first
/// (where deaths are). Sums to `total`, or to the room when `total` exceeds it.
fn spread(total: u64, expected: &[f64], room: &[u64], rng: &mut Rng) -> Vec<u64> {
    let n = expected.len();
    let mut out = vec![0u64; n];
    let mut left = total.min(room.iter().sum());
    let weight = |i: usize| if room[i] > 0 && expected[i].is_finite() { expected[i].max(0.0) } else { 0.0 };
    let mut mass: f64 = (0..n).map(weight).sum();
    for i in 0..n {
        if left == 0 {
            break;
        }
        let w = weight(i);
        let p = if w <= 0.0 {
            0.0
        } else if mass > w {
            (w / mass).min(1.0)
        } else {
            1.0
        };
        let x = rng.binomial(left, p).min(room[i]);
        out[i] = x;
        left -= x;
        mass -= w;
    }
    // Oldest bands first, both sexes (cells are sex-major: [s * NB + b]).
    for b in (0..NB).rev() {
        for s in [MALE, FEMALE] {
            let i = s * NB + b;
            if i < n && left > 0 {
                let add = left.min(room[i] - out[i]);
                out[i] += add;
                left -= add;
            }
        }
    }
    out
}

fn sum_bands(grid: &[[u64; NB]; 2], sexes: &[usize], bands: std::ops::RangeInclusive<usize>) -> u64 {
    let mut t = 0u64;
    for &s in sexes {
        for b in bands.clone() {
            t = t.saturating_add(grid[s][b]);
        }
    }
    t
}

/// Standard deviation of a commune-level lognormal perturbation: `large` for
/// very large communes, `small` for the smallest, half-way at 5,000 inhabitants
/// (small communes depart more from their département).
fn size_sd(population: u64, large: f64, small: f64) -> f64 {
    let n = population as f64;
    large + (small - large) * 5000.0 / (5000.0 + n)
}

/// Round `x × share` to the nearest integer, in u64 (no panic, no overflow).
fn part(x: u64, share: f64) -> u64 {
    ((x as f64) * share).round().clamp(0.0, x as f64) as u64
}

fn commune_facts(c: &DemoCommune, ctx: &DepContext, seed: u64, options: &DemoOptions) -> Vec<Fact> {
    let mut rng = Rng::for_key(seed, "commune", &c.code);
    let n = c.population;
    let mut sink =
        FactSink { geo: &c.code, options, out: Vec::with_capacity(if options.omit_zero_counts { FACTS_PER_COMMUNE / 2 } else { FACTS_PER_COMMUNE }) };

    // ---- population: département structure, ageing tilt, size-dependent noise
    let tilt = AGE_TILT * (rurality(n) - ctx.rural_mean);
    let sigma = 0.02 + 0.6 / ((n as f64) + 10.0).sqrt();
    let mut weights = [0.0f64; 2 * NB];
    for s in 0..2 {
        for b in 0..NB {
            let g = (BAND_MID[b] - 40.0) / 40.0;
            let z = rng.normal();
            weights[s * NB + b] = ctx.base[s][b] * (tilt * g + sigma * z - 0.5 * sigma * sigma).exp();
        }
    }
    // With the commune's real 15-64 (at most its population), the bands 15-19 … 60-64 add up
    // to it and the others to the rest.
    let cells = match c.real.population_15_64.filter(|&w| w <= n) {
        None => largest_remainder(n, &weights),
        Some(working) => {
            let inside = |k: &usize| (4..=13).contains(&(k % NB));
            let (ins, outs): (Vec<usize>, Vec<usize>) = (0..2 * NB).partition(inside);
            let a = largest_remainder(working, &ins.iter().map(|&k| weights[k]).collect::<Vec<_>>());
            let z = largest_remainder(n - working, &outs.iter().map(|&k| weights[k]).collect::<Vec<_>>());
            let mut cells = vec![0u64; 2 * NB];
            for (k, v) in ins.into_iter().zip(a).chain(outs.into_iter().zip(z)) {
                cells[k] = v;
            }
            cells
        }
    };
    let mut pop = [[0u64; NB]; 2];
    for s in 0..2 {
        pop[s].copy_from_slice(&cells[s * NB..(s + 1) * NB]);
    }
    sink.push_grid("population", &pop);

    // ---- deaths: Poisson on national rates × département index × commune factor
    let commune_mortality = rng.lognormal_factor(size_sd(n, 0.03, 0.08));
    let death_rates = death_rate_per_100k();
    let mut deaths = [[0u64; NB]; 2];
    let mut causes = [[[0u64; NB]; 2]; 4];
    let lambda = |s: usize, b: usize| pop[s][b] as f64 * death_rates[s][b] / 1e5 * ctx.mortality_index * commune_mortality;
    // With the commune's real deaths, their split by sex and age: in proportion to the
    // expected deaths of each cell.
    let real_deaths = c.real.deaths.map(|total| {
        let expected: Vec<f64> = (0..2 * NB).map(|k| lambda(k / NB, k % NB)).collect();
        let room: Vec<u64> = (0..2 * NB).map(|k| pop[k / NB][k % NB]).collect();
        spread(total, &expected, &room, &mut rng)
    });
    for s in 0..2 {
        for b in 0..NB {
            let d = match &real_deaths {
                Some(split) => split[s * NB + b],
                None => rng.poisson(lambda(s, b)).min(pop[s][b]),
            };
            deaths[s][b] = d;
            // Sequential binomial thinning: the causes never exceed all causes.
            let mut remaining = d;
            let mut left = 1.0;
            for k in 0..4 {
                let mut share = CAUSE_SHARE[k][b];
                if k == 3 {
                    share *= SUICIDE_SEX_FACTOR[s];
                }
                let p = if left > 1e-12 { share / left } else { 0.0 };
                let x = rng.binomial(remaining, p);
                causes[k][s][b] = x;
                remaining -= x;
                left -= share;
            }
        }
    }
    sink.push_grid("deaths_all_causes", &deaths);
    for (k, name) in ["deaths_cancer", "deaths_circulatory", "deaths_respiratory", "deaths_suicide"].iter().enumerate() {
        sink.push_grid(name, &causes[k]);
    }

    // ---- ALD: ald_all ~ Bin(pop, prevalence), each type thinned from ald_all
    let commune_ald = rng.lognormal_factor(size_sd(n, 0.04, 0.10));
    let mut ald = [[[0u64; NB]; 2]; 6];
    for s in 0..2 {
        for b in 0..NB {
            let p_all = ALD_PREVALENCE_PCT[0][s][b] / 100.0;
            let all = rng.binomial(pop[s][b], (p_all * ctx.ald_index * commune_ald).min(0.97));
            ald[0][s][b] = all;
            for t in 1..6 {
                let f = if t == 1 { ctx.diabetes_factor } else { 1.0 };
                let q = if p_all > 0.0 { ALD_PREVALENCE_PCT[t][s][b] * f / 100.0 / p_all } else { 0.0 };
                ald[t][s][b] = rng.binomial(all, q.min(1.0));
            }
        }
    }
    for (t, name) in ALD_MEASURES.iter().enumerate() {
        sink.push_grid(name, &ald[t]);
    }

    // ---- access to a médecin traitant
    let both = [MALE, FEMALE];
    let pop_15_19 = sum_bands(&pop, &both, 4..=4);
    let pop_17p = sum_bands(&pop, &both, 5..=20).saturating_add(part(pop_15_19, 0.6));
    let pop_70p = sum_bands(&pop, &both, 15..=20);
    let consumers_17p = 0.955 + 0.04 * rng.uniform();
    let patients_17p = rng.binomial(pop_17p, consumers_17p);
    let share_17 = (ctx.without_gp_17p * rng.lognormal_factor(size_sd(n, 0.08, 0.25))).min(0.6);
    let without_17 = rng.binomial(patients_17p, share_17);
    let consumers_70p = 0.975 + 0.02 * rng.uniform();
    let patients_70p = rng.binomial(pop_70p, consumers_70p);
    let share_70 = (ctx.without_gp_17p * WITHOUT_GP_70P_RATIO * rng.lognormal_factor(size_sd(n, 0.08, 0.25))).min(0.6);
    let without_70 = rng.binomial(patients_70p, share_70);
    sink.push("patients_17p", Sex::All, Some(17), None, patients_17p);
    sink.push("patients_17p_without_gp", Sex::All, Some(17), None, without_17);
    sink.push("patients_70p", Sex::All, Some(70), None, patients_70p);
    sink.push("patients_70p_without_gp", Sex::All, Some(70), None, without_70);

    // ---- prevention
    let targets: [(u64, Sex, u32, Option<u32>); 4] = [
        (sum_bands(&pop, &[FEMALE], 11..=15), Sex::Female, 50, Some(74)),
        (sum_bands(&pop, &[FEMALE], 6..=13).saturating_add(part(pop[FEMALE][14], 0.2)), Sex::Female, 25, Some(65)),
        (sum_bands(&pop, &both, 11..=15), Sex::All, 50, Some(74)),
        (sum_bands(&pop, &both, 14..=20), Sex::All, 65, None),
    ];
    for (k, &(target, sex, lo, hi)) in targets.iter().enumerate() {
        let (eligible_name, done_name, rate, eligibility) = PREVENTION[k];
        let eligible = rng.binomial(target, eligibility);
        let p = (rate * ctx.prevention_factor[k] * rng.lognormal_factor(size_sd(n, 0.04, 0.10))).clamp(0.0, 0.95);
        let done = rng.binomial(eligible, p);
        sink.push(eligible_name, sex, Some(lo), hi, eligible);
        sink.push(done_name, sex, Some(lo), hi, done);
    }

    // ---- social
    let p_c2s = (ctx.c2s_share * rng.lognormal_factor(size_sd(n, 0.10, 0.30))).min(0.6);
    let c2s = rng.binomial(n, p_c2s);
    let pop_15_64 = sum_bands(&pop, &both, 4..=13);
    let p_active = (ctx.activity_rate * rng.lognormal_factor(size_sd(n, 0.015, 0.04))).min(0.98);
    let active = rng.binomial(pop_15_64, p_active);
    let p_unemployed = (ctx.unemployment_rate * rng.lognormal_factor(size_sd(n, 0.08, 0.25))).min(0.8);
    let unemployed = rng.binomial(active, p_unemployed);
    sink.push("c2s_beneficiaries", Sex::All, None, None, c2s);
    sink.push("active_15_64", Sex::All, Some(15), Some(64), active);
    sink.push("unemployed_15_64", Sex::All, Some(15), Some(64), unemployed);

    // Drawn after everything above, so that adding them left the earlier draws (and the
    // numbers they give) as they were.
    // ---- grouped causes of death: each a binomial subset of the cell's deaths
    for (k, name) in GROUPED_CAUSES.iter().enumerate() {
        let mut grid = [[0u64; NB]; 2];
        for s in 0..2 {
            for b in 0..NB {
                grid[s][b] = rng.binomial(deaths[s][b], (GROUPED_CAUSE_SHARE[k][b] * GROUPED_CAUSE_SEX_FACTOR[k][s]).min(1.0));
            }
        }
        sink.push_grid(name, &grid);
    }

    // ---- ALD groups: subsets of ald_all; the cardiovascular group holds the coronary and
    // heart-failure types (their larger count, then more among the other persons in ALD).
    for (g, name) in ALD_GROUPS.iter().enumerate() {
        let mut grid = [[0u64; NB]; 2];
        for s in 0..2 {
            for b in 0..NB {
                let (all, p_all, p) = (ald[0][s][b], ALD_PREVALENCE_PCT[0][s][b], ALD_GROUP_PREVALENCE_PCT[g][s][b]);
                grid[s][b] = if g == 0 {
                    let held = ald[3][s][b].max(ald[4][s][b]);
                    let p_held = ALD_PREVALENCE_PCT[3][s][b].max(ALD_PREVALENCE_PCT[4][s][b]);
                    let q = if p_all > p_held { ((p - p_held) / (p_all - p_held)).clamp(0.0, 1.0) } else { 0.0 };
                    held + rng.binomial(all - held, q)
                } else {
                    rng.binomial(all, if p_all > 0.0 { (p / p_all).min(1.0) } else { 0.0 })
                };
            }
        }
        sink.push_grid(name, &grid);
    }

    // ---- patients by age band and in the groups Rezone tabulates, with and without a
    // médecin traitant. The 17-69 and 70+ are the 17+ and 70+ drawn above (the 70+ without
    // one at most the 17+ without one), so that the bands add up to them.
    let relative = share_17 / WITHOUT_GP_17P_NATIONAL;
    let pop_0_15 = sum_bands(&pop, &both, 0..=3).saturating_add(part(pop_15_19, 0.2));
    let pop_16 = part(pop_15_19, 0.2);
    let consumers_0_15 = 0.97 + 0.02 * rng.uniform();
    let patients_0_15 = rng.binomial(pop_0_15, consumers_0_15);
    let share_0_15 = (WITHOUT_GP_UNDER_16_NATIONAL * relative * rng.lognormal_factor(size_sd(n, 0.05, 0.15))).min(0.9);
    let without_0_15 = rng.binomial(patients_0_15, share_0_15);
    let patients_16 = rng.binomial(pop_16, consumers_17p);
    let without_16 = rng.binomial(patients_16, share_17);
    let without_70_band = without_70.min(without_17);
    let patients_17_69 = patients_17p.saturating_sub(patients_70p);
    let without_17_69 = (without_17 - without_70_band).min(patients_17_69);
    let bands = [
        (0, Some(15), patients_0_15, without_0_15),
        (16, Some(16), patients_16, without_16),
        (17, Some(69), patients_17_69, without_17_69),
        (70, None, patients_70p, without_70_band),
    ];
    for &(lo, hi, patients, _) in &bands {
        sink.push("patients", Sex::All, Some(lo), hi, patients);
    }
    for &(lo, hi, _, without) in &bands {
        sink.push("patients_without_gp", Sex::All, Some(lo), hi, without);
    }
    let ald_persons: u64 = ald[0].iter().flatten().sum();
    let patients_ald = rng.binomial(ald_persons, 0.99);
    let patients_c2s = rng.binomial(c2s, 0.92);
    for (group, without_name, patients, national) in [
        ("patients_ald", "patients_ald_without_gp", patients_ald, WITHOUT_GP_ALD_NATIONAL),
        ("patients_c2s", "patients_c2s_without_gp", patients_c2s, WITHOUT_GP_C2S_NATIONAL),
    ] {
        let share = (national * relative * rng.lognormal_factor(size_sd(n, 0.05, 0.15))).min(0.9);
        let without = rng.binomial(patients, share);
        sink.push(group, Sex::All, None, None, patients);
        sink.push(without_name, Sex::All, None, None, without);
    }

    // ---- households paid a benefit by the Caf: each benefit a subset of all of them
    let means_tested = (ctx.c2s_share / C2S_NATIONAL) * rng.lognormal_factor(size_sd(n, 0.05, 0.2));
    let mut all_households = 0;
    for (k, &(measure, per_100, lo, hi)) in CAF_BENEFITS.iter().enumerate() {
        let band = |b: &usize| AGE_BANDS[*b].0 >= lo && hi.is_none_or(|h| AGE_BANDS[*b].1.is_some_and(|m| m <= h));
        let people: u64 = (0..NB).filter(band).map(|b| pop[MALE][b] + pop[FEMALE][b]).sum();
        let factor = match measure {
            "caf_rsa_households" | "caf_aah_households" => means_tested,
            _ => 1.0,
        };
        let count = if k == 0 {
            rng.binomial(people, (per_100 / 100.0 * factor.sqrt()).min(0.6))
        } else {
            rng.binomial(people, (per_100 / 100.0 * factor).min(0.5)).min(all_households)
        };
        if k == 0 {
            all_households = count;
        }
        sink.push(measure, Sex::All, None, None, count);
    }

    // ---- prescriptions and dental care, as Rezone gives them
    let pop_65p = sum_bands(&pop, &both, 14..=20);
    let patients_65p = rng.binomial(pop_65p, consumers_70p);
    let share_polypharmacy = (POLYPHARMACY_65P_NATIONAL * ctx.ald_index * rng.lognormal_factor(size_sd(n, 0.04, 0.12))).min(0.6);
    let polypharmacy = rng.binomial(patients_65p, share_polypharmacy);
    sink.push("patients_65p", Sex::All, Some(65), None, patients_65p);
    sink.push("patients_65p_polypharmacy", Sex::All, Some(65), None, polypharmacy);
    // Under 4 (0 and three quarters of 1-4) and from 4, among the patients of those ages.
    let pop_0_3 = sum_bands(&pop, &both, 0..=0).saturating_add(part(sum_bands(&pop, &both, 1..=1), 0.75));
    let patients_0_3 = rng.binomial(pop_0_3, consumers_0_15).min(patients_0_15);
    let patients_4p = (patients_0_15 - patients_0_3) + patients_16 + patients_17p;
    let prescribing = rng.lognormal_factor(size_sd(n, 0.04, 0.12));
    let mut treated = [0u64; 2];
    let mut critical = [0u64; 2];
    for (k, patients) in [patients_0_3, patients_4p].into_iter().enumerate() {
        treated[k] = rng.binomial(patients, (ANTIBIOTICS_TREATED[k] * prescribing).min(0.9));
        critical[k] = rng.binomial(treated[k], (ANTIBIOTICS_CRITICAL_SHARE[k] * prescribing).min(0.9));
    }
    for (measure, counts) in [("patients_antibiotics", treated), ("patients_antibiotics_critical", critical)] {
        sink.push(measure, Sex::All, Some(0), Some(3), counts[0]);
        sink.push(measure, Sex::All, Some(4), None, counts[1]);
    }
    let share_dental = (DENTAL_EXAM_UNDER_16_NATIONAL * rng.lognormal_factor(size_sd(n, 0.04, 0.12))).min(0.95);
    let dental = rng.binomial(patients_0_15, share_dental);
    sink.push("patients_dental_exam", Sex::All, Some(0), Some(15), dental);

    sink.out
}

/// Integers summing exactly to `total`, proportional to `weights`
/// (largest-remainder method; ties go to the lower index). Non-finite or
/// negative weights count as 0; all-zero weights are treated as equal.
pub(super) fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let k = weights.len();
    if k == 0 {
        return Vec::new();
    }
    let clean: Vec<f64> = weights.iter().map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 }).collect();
    let sum: f64 = clean.iter().sum();
    let shares: Vec<f64> = if sum > 0.0 && sum.is_finite() { clean.iter().map(|w| w / sum).collect() } else { vec![1.0 / k as f64; k] };
    let t = total as f64;
    let mut out: Vec<u64> = Vec::with_capacity(k);
    let mut frac: Vec<(f64, usize)> = Vec::with_capacity(k);
    let mut assigned: u128 = 0;
    for (i, s) in shares.iter().enumerate() {
        let exact = t * s;
        let fl = exact.floor().clamp(0.0, t);
        let v = fl as u64;
        out.push(v);
        assigned += v as u128;
        frac.push((exact - fl, i));
    }
    // Largest fractional parts first, lower index first on ties.
    frac.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)));
    if assigned <= total as u128 {
        let mut missing = (total as u128 - assigned) as u64;
        // Float rounding could leave more than k units in extreme cases: loop.
        while missing > 0 {
            let mut progressed = false;
            for &(_, i) in &frac {
                if missing == 0 {
                    break;
                }
                if shares[i] > 0.0 || sum <= 0.0 {
                    out[i] += 1;
                    missing -= 1;
                    progressed = true;
                }
            }
            if !progressed {
                out[0] += missing;
                missing = 0;
            }
        }
    } else {
        // Floating-point excess: take units back from the largest cells.
        let mut excess = assigned - total as u128;
        while excess > 0 {
            let (imax, _) = out.iter().enumerate().max_by_key(|&(i, &v)| (v, std::cmp::Reverse(i))).unwrap_or((0, &0));
            let take = excess.min(out[imax] as u128) as u64;
            if take == 0 {
                break;
            }
            out[imax] -= take;
            excess -= take as u128;
        }
    }
    out
}

// ============================================================================
// The national dataset: what the pipeline reads
// ============================================================================

/// The rows of the national dataset for `communes`: the generator's counts without zeros (a
/// missing row of a measure other than `population` means 0), the population's 15-19 band
/// split ([`split_15_19`]), each commune's population [`BASE_GAP`] years earlier
/// ([`base_population`]) and area ([`area`]) unless the real data gives them (`options`),
/// sorted by commune code.
pub fn dataset(communes: &[DemoCommune], seed: u64, options: &DemoOptions) -> DemoData {
    let options = DemoOptions { omit_zero_counts: true, ..options.clone() };
    let mut data = generate_with_options(communes, seed, &options);
    data.facts = data.facts.into_iter().flat_map(split_15_19).collect();
    // The real data's own earlier census is the base of a real population.
    let base = options.writes("population_base") && !options.held.contains("population");
    data.facts.extend(communes.iter().flat_map(|c| {
        let mut draw = keyed_normals(seed, &c.code);
        let (b, a) = (base_population(c, draw()), area(c, draw()));
        [base.then_some(b), options.writes("area_km2").then_some(a)].into_iter().flatten()
    }));
    let mut earlier = earlier_years(&data.facts, seed, &options);
    data.facts.extend(super::supply::facts(communes, seed, &options.supply, DEMO_YEAR));
    // The facilities the real data lacks, after every other draw (own streams: nothing above changes).
    data.facts.extend(super::supply::facility_facts(communes, seed, |m| options.writes(m), DEMO_YEAR));
    data.facts.sort_by(|a, b| a.geo.cmp(&b.geo));
    // The earlier years after every commune's rows of the year read, in one block: loading
    // keeps the rows of the latest year and those of the series apart (long runs filter fast).
    earlier.sort_by(|a, b| a.geo.cmp(&b.geo));
    data.facts.extend(earlier);
    data
}

/// The measures given for the years before [`DEMO_YEAR`] too (a time series for the trend
/// test and charts, see `indicators::series`): (denominator, numerator, the drift of the
/// share a year in points of %, the growth of the denominator a year). Only these pairs (the
/// indicators that trend: access to a médecin traitant, screening, flu vaccination), so
/// that the data is not every measure times the years.
///
/// Drifts: orders of magnitude of the recent years' published trends, synthetic here: the
/// patients without médecin traitant rising (Assurance Maladie, 2019-2023: about +0.3 point a
/// year among the 17+, +0.2 among the 70+), breast screening slowly falling (Santé publique
/// France, about −0.5 point a year since 2015), colorectal screening rising after the 2020
/// dip (+1 point), cervical coverage about flat, the 65+'s flu vaccination falling since the
/// 2020-2021 peak (−1 point); the ageing of the targets of the 65+ and 70+ (+2 % a year) and of
/// the 50-74 (+0.5 %).
pub const SERIES: [(&str, &str, f64, f64); 6] = [
    ("patients_17p", "patients_17p_without_gp", 0.3, 0.003),
    ("patients_70p", "patients_70p_without_gp", 0.2, 0.02),
    ("breast_screening_eligible", "breast_screening_done", -0.5, 0.005),
    ("cervical_screening_eligible", "cervical_screening_done", 0.0, 0.0),
    ("colorectal_screening_eligible", "colorectal_screening_done", 1.0, 0.005),
    ("flu_vaccination_eligible", "flu_vaccination_done", -1.0, 0.02),
];

/// How many years before [`DEMO_YEAR`] the pairs of [`SERIES`] are given for: the five
/// points (2019-2023) the trend test reads, no more (each year adds about a third of a million
/// rows).
pub const SERIES_BEFORE: i32 = 4;

/// The earlier years of the pairs of [`SERIES`], from each commune's rows of [`DEMO_YEAR`]
/// (`facts`, zero counts left out): going back a year, the denominator shrinks by its growth
/// and the share by its drift, plus a drift of the commune's own (sd 0.3 point a year) and
/// the sampling noise of a binomial count (its normal approximation), from a keyed stream of
/// their own (the other draws do not change). Zero counts are left out as in the rest.
fn earlier_years(facts: &[Fact], seed: u64, options: &DemoOptions) -> Vec<Fact> {
    use std::collections::BTreeMap;
    // Per commune and pair: (denominator, numerator) of the demo year, with their cell.
    let mut now: BTreeMap<(&str, usize), (Option<&Fact>, f64)> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.year == DEMO_YEAR) {
        for (k, (den, num, _, _)) in SERIES.iter().enumerate() {
            if f.measure == *den {
                now.entry((f.geo.as_str(), k)).or_insert((None, 0.0)).0 = Some(f);
            } else if f.measure == *num {
                now.entry((f.geo.as_str(), k)).or_insert((None, 0.0)).1 = f.value;
            }
        }
    }
    let mut out = Vec::new();
    for ((geo, k), (den, num)) in now {
        let (Some(den), (_, numerator, drift, growth)) = (den, SERIES[k]) else { continue };
        if !options.writes(numerator) || den.value <= 0.0 {
            continue;
        }
        let mut normal = keyed_normals(seed, &format!("{geo}/series/{numerator}"));
        let own = 0.003 * normal();
        let share = num / den.value;
        for back in 1..=SERIES_BEFORE {
            let d = f64::from(back);
            let n = (den.value / (1.0 + growth).powi(back)).round();
            let p = (share - d * (drift / 100.0 + own)).clamp(0.0, 0.95);
            let x = (n * p + (n * p * (1.0 - p)).sqrt() * normal()).round().clamp(0.0, n);
            let year = DEMO_YEAR - back;
            for (measure, value) in [(den.measure, n), (numerator, x)] {
                if value > 0.0 {
                    out.push(Fact { geo: geo.to_owned(), year, measure, value, ..den.clone() });
                }
            }
        }
    }
    out
}

/// The population's 15-19 band as 15-17 and 18-19 (three fifths and two fifths, rounded), so
/// that the shares of the 0-17 and the 18-39 that the diagnostics quote can be computed; the
/// other measures keep 15-19 (the standardisations group bands that nest in theirs).
pub fn split_15_19(f: Fact) -> Vec<Fact> {
    if f.measure != "population" || f.age_min != Some(15) || f.age_max != Some(19) {
        return vec![f];
    }
    let young = (f.value * 0.6).round();
    let older = Fact { age_min: Some(18), age_max: Some(19), value: f.value - young, ..f.clone() };
    vec![Fact { age_max: Some(17), value: young, ..f }, older]
}

/// A commune's area (`area_km2`, synthetic like the rest of the demo data): its density
/// follows its size, log10(density) = −0.6 + 0.8 × log10(population) ± 0.25 (about 10
/// inhabitants per km² for 100 inhabitants, 400 for 10,000, 2,500 for 100,000: orders of
/// magnitude of INSEE's comparateur de territoires), so that France's communes cover about
/// 600,000 km² (INSEE: 632,000 with the DROM; the demo has no large empty communes); at least
/// 0.5 km². Peers are not chosen on these areas (see `compare::benchmark`). `normal`: a
/// standard normal draw.
pub fn area(c: &DemoCommune, normal: f64) -> Fact {
    let n = (c.population as f64).max(20.0);
    let density = 10f64.powf(-0.6 + 0.8 * n.log10() + 0.25 * normal);
    Fact {
        geo: c.code.clone(),
        year: DEMO_YEAR,
        measure: "area_km2",
        sex: Sex::All,
        age_min: None,
        age_max: None,
        value: ((n / density).max(0.5) * 100.0).round() / 100.0,
    }
}

/// A commune's population [`BASE_GAP`] years before the demo year (`population_base`, all
/// sexes and ages), for the annual growth rate: growth around France's +0.3 % a year (INSEE,
/// 2015-2021), wider in small communes (sd from 0.4 to 1.2 points), clamped to −3 / +4 %.
/// `normal`: a standard normal draw.
pub fn base_population(c: &DemoCommune, normal: f64) -> Fact {
    let n = c.population as f64;
    let sd = 0.004 + 0.008 * 5000.0 / (5000.0 + n);
    let g = (0.003 + sd * normal).clamp(-0.03, 0.04);
    Fact {
        geo: c.code.clone(),
        year: DEMO_YEAR - BASE_GAP,
        measure: "population_base",
        sex: Sex::All,
        age_min: None,
        age_max: None,
        value: (n / (1.0 + g).powi(BASE_GAP)).round(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_is_exact() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(largest_remainder(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(largest_remainder(5, &[f64::NAN, 1.0, -1.0]), vec![0, 5, 0]);
        assert!(largest_remainder(3, &[]).is_empty());
        let mut r = Rng::new(3);
        for _ in 0..2000 {
            let total = r.below(10_000_000);
            let w: Vec<f64> = (0..42).map(|_| r.uniform() * r.uniform()).collect();
            assert_eq!(largest_remainder(total, &w).iter().sum::<u64>(), total);
        }
        for total in [u64::MAX, u64::MAX / 3, 1 << 60] {
            assert_eq!(largest_remainder(total, &[0.3, 0.3, 0.4]).iter().sum::<u64>(), total);
        }
    }
}
