//! Synthetic commune headcounts of the health professions and facilities that the real data
//! gives by département only (ameli's liberal professionals, the pharmacies and emergency
//! units of INSEE's base permanente des équipements in the statistiques locales): each
//! département's real count is spread over its communes, so that the communes of a département
//! add up to its real total. A territory's synthetic headcount is then a plausible share of
//! its département's real one, at the département's real density.

use std::collections::BTreeMap;

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
    let mut by_dep: BTreeMap<String, Vec<&DemoCommune>> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.population > 0) {
        by_dep.entry(normalized_departement(c)).or_default().push(c);
    }
    for list in by_dep.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    let mut out = Vec::new();
    for s in SUPPLY {
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
            out.extend(list.iter().zip(counts).map(|(c, n)| Fact {
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
}
