//! Synthetic commune headcounts of the health professions and facilities that the real data
//! gives by département only (ameli's liberal professionals, the pharmacies and emergency
//! units of INSEE's base permanente des équipements in the statistiques locales): each
//! département's real count is spread over its communes, so that the communes of a département
//! add up to its real total. A territory's synthetic headcount is then a plausible share of
//! its département's real one, at the département's real density.
//!
//! The facilities the real data does not give at all (MSP, centres de santé, EHPAD, medical
//! laboratories, short-stay hospitals: [`FACILITIES`]) are spread the same way from synthetic
//! département counts, national orders of magnitude shared by population
//! ([`super::calibration::FACILITIES_FRANCE`]).

use std::collections::BTreeMap;

use super::calibration::{dep_pyramids, FACILITIES_FRANCE};
use super::context::normalized_departement;
use super::rng::Rng;
use super::{DemoCommune, Fact, Sex};

/// One measure spread over the communes: a commune's weight is `population ^ exponent`,
/// × `small_factor` below `small` inhabitants (hand-set: nurses and physiotherapists are in
/// most bourgs, specialists and emergency units in towns, a pharmacy rarely below a few
/// hundred inhabitants).
#[derive(Debug, Clone, Copy)]
pub struct Supply {
    pub measure: &'static str,
    pub exponent: f64,
    pub small: u64,
    pub small_factor: f64,
}

const fn supply(measure: &'static str, exponent: f64, small: u64, small_factor: f64) -> Supply {
    Supply { measure, exponent, small, small_factor }
}

/// The measures generated: the real data's measure names (ameli's `professionals_<slug>`,
/// statistiques locales' `bpe_<equipment>`), so that the département rows of the real data and
/// the synthetic communes are the same measure.
pub const SUPPLY: &[Supply] = &[
    supply("professionals_chirurgien_dentiste", 1.2, 500, 0.1),
    supply("professionals_infirmier", 1.05, 200, 0.3),
    supply("professionals_masseur_kinesitherapeute", 1.15, 300, 0.2),
    supply("professionals_sage_femme", 1.3, 1000, 0.1),
    supply("bpe_pharmacy", 1.0, 800, 0.05),
    supply("professionals_orthophoniste", 1.2, 500, 0.1),
    supply("professionals_orthoptiste", 1.5, 2000, 0.05),
    supply("professionals_pedicure_podologue", 1.2, 500, 0.1),
    supply("professionals_medecin_specialiste", 1.6, 2000, 0.02),
    supply("professionals_cardiologue", 1.6, 5000, 0.02),
    supply("professionals_dermatologue", 1.6, 5000, 0.02),
    supply("professionals_gynecologue", 1.6, 5000, 0.02),
    supply("professionals_ophtalmologue", 1.6, 5000, 0.02),
    supply("professionals_pediatre", 1.6, 5000, 0.02),
    supply("professionals_psychiatre", 1.6, 5000, 0.02),
    supply("professionals_radiologue", 1.6, 5000, 0.02),
    supply("bpe_emergency", 1.5, 10_000, 0.0),
];

/// The real département totals the generator spreads: measure → département → count.
pub type Totals = BTreeMap<String, BTreeMap<String, u64>>;

/// A row of `measure` for every commune of a département with a real total, zeros included
/// (a commune without a row would be "not given": the real département rows of the same
/// measure make it real), at `year`. Each (measure, département) draws from its own stream:
/// each of its `total` units goes to a commune with probability ∝ its weight ([`Supply`]); a
/// département whose communes all weigh nothing (no town large enough) weighs them by
/// population alone.
pub fn facts(communes: &[DemoCommune], seed: u64, totals: &Totals, year: i32) -> Vec<Fact> {
    spread_all(communes, seed, SUPPLY, totals, year, true)
}

/// The facilities the embedded real data does not give (no real row at any level), with
/// their weights: MSP in bourgs and small towns (a weight below proportional to the
/// population), centres de santé, laboratories and short-stay hospitals in towns, EHPAD in
/// most bourgs (hand-set, as [`SUPPLY`]'s). The measures are those a user's FINESS
/// établissements file (`facility_<category>`) or BPE (`equipment_<typequ>`) gives.
pub const FACILITIES: &[Supply] = &[
    supply("facility_msp", 0.7, 1_500, 0.3),
    supply("facility_health_centre", 1.3, 5_000, 0.05),
    supply("facility_ehpad", 0.9, 800, 0.2),
    supply("equipment_d302", 1.1, 2_000, 0.05),
    supply("equipment_d101", 1.5, 10_000, 0.02),
];

/// The synthetic département counts of [`FACILITIES`]: each national count of
/// [`FACILITIES_FRANCE`] shared among the départements of [`dep_pyramids`] in proportion to
/// their population (the EHPAD's to their population aged 75+), by largest remainder so that
/// they add up to it.
pub fn facility_totals() -> Totals {
    let pyramids = dep_pyramids();
    let mut totals = Totals::new();
    for &(measure, france, by_75_plus) in &FACILITIES_FRANCE {
        let from = if by_75_plus { 15 } else { 0 };
        let weights: Vec<f64> = pyramids.iter().map(|p| p.male[from..].iter().chain(&p.female[from..]).map(|&n| n as f64).sum()).collect();
        let counts = super::communes::largest_remainder(france, &weights);
        totals.insert(measure.to_owned(), pyramids.iter().zip(counts).map(|(p, n)| (p.code.to_owned(), n)).collect());
    }
    totals
}

/// Synthetic commune counts of the [`FACILITIES`] that `writes` (the measures the real data
/// does not hold): [`facility_totals`] spread over the communes as [`facts`] spreads the real
/// headcounts, each (measure, département) from its own stream. Zero counts are left out:
/// every row of these measures is synthetic, so a missing row means 0.
pub fn facility_facts(communes: &[DemoCommune], seed: u64, writes: impl Fn(&str) -> bool, year: i32) -> Vec<Fact> {
    let chosen: Vec<Supply> = FACILITIES.iter().filter(|s| writes(s.measure)).copied().collect();
    spread_all(communes, seed, &chosen, &facility_totals(), year, false)
}

/// Each of `supplies` with a département total spread over that département's communes (see
/// [`facts`]); `zeros`: write the communes that get none.
fn spread_all(communes: &[DemoCommune], seed: u64, supplies: &[Supply], totals: &Totals, year: i32, zeros: bool) -> Vec<Fact> {
    let mut by_dep: BTreeMap<String, Vec<&DemoCommune>> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.population > 0) {
        by_dep.entry(normalized_departement(c)).or_default().push(c);
    }
    for list in by_dep.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    let mut out = Vec::new();
    for s in supplies {
        let Some(deps) = totals.get(s.measure) else { continue };
        for (dep, list) in &by_dep {
            let Some(&total) = deps.get(dep) else { continue };
            let weight = |c: &DemoCommune, thresholds: bool| {
                let w = (c.population as f64).powf(s.exponent);
                if thresholds && c.population < s.small {
                    w * s.small_factor
                } else {
                    w
                }
            };
            let mut weights: Vec<f64> = list.iter().map(|c| weight(c, true)).collect();
            if weights.iter().all(|&w| w <= 0.0) {
                weights = list.iter().map(|c| weight(c, false)).collect();
            }
            let counts = spread(total, &weights, &mut Rng::for_key(seed, "supply", &format!("{}/{dep}", s.measure)));
            out.extend(list.iter().zip(counts).filter(|&(_, n)| zeros || n > 0).map(|(c, n)| Fact {
                geo: c.code.clone(),
                year,
                measure: s.measure,
                sex: Sex::All,
                age_min: None,
                age_max: None,
                value: n as f64,
            }));
        }
    }
    out
}

/// `total` units drawn one by one into the slots, with probability ∝ `weights`.
fn spread(total: u64, weights: &[f64], rng: &mut Rng) -> Vec<u64> {
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut sum = 0.0;
    for w in weights {
        sum += w.max(0.0);
        cumulative.push(sum);
    }
    let mut counts = vec![0u64; weights.len()];
    if sum <= 0.0 {
        return counts;
    }
    for _ in 0..total {
        let u = rng.uniform() * sum;
        let i = cumulative.partition_point(|&c| c <= u).min(weights.len() - 1);
        counts[i] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune(code: &str, dep: &str, population: u64) -> DemoCommune {
        DemoCommune { code: code.into(), departement: dep.into(), population, real: Default::default() }
    }

    #[test]
    fn communes_add_up_to_the_real_totals() {
        let communes = [commune("30001", "30", 150), commune("30002", "30", 45_000), commune("30003", "30", 3_000), commune("48001", "48", 500)];
        let mut totals = Totals::new();
        totals.insert("professionals_infirmier".into(), [("30".to_owned(), 120), ("48".to_owned(), 7)].into_iter().collect());
        totals.insert("bpe_emergency".into(), [("30".to_owned(), 2), ("48".to_owned(), 1)].into_iter().collect());
        let facts = facts(&communes, 1, &totals, 2023);
        let sum = |m: &str, dep: &str| facts.iter().filter(|f| f.measure == m && f.geo.starts_with(dep)).map(|f| f.value).sum::<f64>();
        assert_eq!(sum("professionals_infirmier", "30"), 120.0);
        assert_eq!(sum("professionals_infirmier", "48"), 7.0);
        // Emergency units go to towns of 10,000 or more; Lozère's only commune is too small:
        // weighed by population alone, it gets Lozère's unit.
        assert_eq!(facts.iter().find(|f| f.measure == "bpe_emergency" && f.geo == "30002").map(|f| f.value), Some(2.0));
        assert_eq!(sum("bpe_emergency", "48"), 1.0);
        // Every commune has its row, zeros included; measures without totals have none.
        assert_eq!(facts.len(), 8);
        assert!(facts.iter().all(|f| f.measure != "professionals_sage_femme"));
        // Deterministic.
        assert_eq!(super::facts(&communes, 1, &totals, 2023), facts);
    }

    #[test]
    fn facilities_add_up_to_their_national_counts() {
        let totals = facility_totals();
        for (measure, france, _) in FACILITIES_FRANCE {
            assert_eq!(totals[measure].values().sum::<u64>(), france, "{measure}");
            assert_eq!(totals[measure].len(), 101, "{measure}");
            assert!(FACILITIES.iter().any(|s| s.measure == measure), "{measure} has its weights");
            // The measure a reader writes, so that a user's file replaces the synthetic counts.
            assert!(crate::ingest::facts::MEASURES.iter().any(|(m, _)| *m == measure), "{measure} is a reader's measure");
        }
        // Shared by population: Paris (2.1 million of 68.0) gets about 3 % of the MSP (77 of
        // 2,500); by the 75+, Paris's share of the EHPAD is smaller than its share of the people.
        let paris = |m: &str| totals[m]["75"] as f64 / FACILITIES_FRANCE.iter().find(|f| f.0 == m).unwrap().1 as f64;
        assert!((0.028..0.034).contains(&paris("facility_msp")), "{}", paris("facility_msp"));
        assert!(paris("facility_ehpad") < paris("facility_msp"));
        // Spread over a département's communes, zeros left out; the Creuse (23) gets its share.
        let communes = [commune("23001", "23", 400), commune("23096", "23", 13_000), commune("23002", "23", 2_000)];
        let facts = facility_facts(&communes, 1, |_| true, 2023);
        for measure in FACILITIES.iter().map(|s| s.measure) {
            let sum: f64 = facts.iter().filter(|f| f.measure == measure).map(|f| f.value).sum();
            assert_eq!(sum, totals[measure]["23"] as f64, "{measure}");
        }
        assert!(facts.iter().all(|f| f.value > 0.0));
        // A measure the real data holds is not written; the others' numbers do not change.
        let without = facility_facts(&communes, 1, |m| m != "facility_msp", 2023);
        assert!(without.iter().all(|f| f.measure != "facility_msp"));
        assert_eq!(without, facts.iter().filter(|f| f.measure != "facility_msp").cloned().collect::<Vec<_>>());
    }
}
