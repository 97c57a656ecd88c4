//! What a commune takes from its département: the calibration tables turned into one
//! context per département of the input (age structure, indices, shares, rurality).

use std::collections::BTreeMap;

use super::calibration::{
    dep_pyramids, departements, france_population_2023, lookup_dep, ALD_MORTALITY_ELASTICITY, C2S_NATIONAL, DROM_DIABETES_FACTOR,
    FRANCE_ACTIVITY_RATE, FRANCE_GP_DENSITY_2024, FRANCE_UNEMPLOYMENT_RATE, INFANT_SHARE_OF_0_4, NB_INSEE, WITHOUT_GP_17P_NATIONAL,
    WITHOUT_GP_DENSITY_ELASTICITY,
};
use super::rng::unit_hash;
use super::{DemoCommune, FEMALE, MALE, NB};

/// Communes at or above this population get no rural ageing; at or below
/// [`RURAL_FLOOR`] they get the full ageing (modelling assumption).
pub(super) const RURAL_CEILING: f64 = 2000.0;
const RURAL_FLOOR: f64 = 50.0;

/// Everything a commune needs from its département.
#[derive(Debug, Clone)]
pub(super) struct DepContext {
    /// Base weights by sex × band (INSEE 2023 département structure, 0-4 split).
    pub(super) base: [[f64; NB]; 2],
    pub(super) mortality_index: f64,
    pub(super) ald_index: f64,
    pub(super) diabetes_factor: f64,
    pub(super) without_gp_17p: f64,
    pub(super) c2s_share: f64,
    pub(super) activity_rate: f64,
    pub(super) unemployment_rate: f64,
    /// Participation multiplier of each programme of [`super::calibration::PREVENTION`].
    pub(super) prevention_factor: [f64; 4],
    pub(super) gp_density: f64,
    /// Population-weighted mean rurality of the input communes of the département.
    pub(super) rural_mean: f64,
    /// Share of the population living in communes under 2,000 inhabitants.
    pub(super) rural_share: f64,
}

/// National references computed from the calibration tables (input-independent).
struct NationalRefs {
    poverty_ref: f64,
    without_gp_scale: f64,
}

fn national_refs() -> NationalRefs {
    let mut w = 0.0;
    let mut pov = 0.0;
    let mut raw = 0.0;
    for (d, p) in departements().iter().zip(dep_pyramids()) {
        let p: f64 = p.male.iter().chain(p.female.iter()).map(|&x| x as f64).sum();
        w += p;
        pov += p * d.poverty_rate;
        raw += p * without_gp_raw(d.gp_density);
    }
    let poverty_ref = if w > 0.0 { pov / w } else { 15.0 };
    let without_gp_scale = if raw > 0.0 { WITHOUT_GP_17P_NATIONAL * w / raw } else { WITHOUT_GP_17P_NATIONAL };
    NationalRefs { poverty_ref, without_gp_scale }
}

fn without_gp_raw(density: f64) -> f64 {
    let d = if density.is_finite() && density > 1.0 { density } else { 1.0 };
    (FRANCE_GP_DENSITY_2024 / d).powf(WITHOUT_GP_DENSITY_ELASTICITY)
}

fn split_infants(bands20: &[f64; NB_INSEE], sex: usize) -> [f64; NB] {
    let mut out = [0.0; NB];
    out[0] = bands20[0] * INFANT_SHARE_OF_0_4[sex];
    out[1] = bands20[0] * (1.0 - INFANT_SHARE_OF_0_4[sex]);
    out[2..].copy_from_slice(&bands20[1..]);
    out
}

impl DepContext {
    fn from_profile(profile: Option<usize>, refs: &NationalRefs) -> DepContext {
        let (m20, f20, d) = match profile {
            Some(i) => {
                let p = &dep_pyramids()[i];
                (p.male.map(|x| x as f64), p.female.map(|x| x as f64), Some(departements()[i]))
            }
            None => (france_population_2023()[MALE].map(|x| x as f64), france_population_2023()[FEMALE].map(|x| x as f64), None),
        };
        let base = [split_infants(&m20, MALE), split_infants(&f20, FEMALE)];
        let (code, mortality_index, gp_density, poverty, activity_rate, unemployment_rate) = match d {
            Some(d) => (d.code, d.mortality_index, d.gp_density, d.poverty_rate, d.activity_rate, d.unemployment_rate),
            None => ("", 1.0, FRANCE_GP_DENSITY_2024, refs.poverty_ref, FRANCE_ACTIVITY_RATE, FRANCE_UNEMPLOYMENT_RATE),
        };
        let ald_index = (1.0 + ALD_MORTALITY_ELASTICITY * (mortality_index - 1.0)).clamp(0.8, 1.3);
        let diabetes_factor = if code.starts_with("97") { DROM_DIABETES_FACTOR } else { 1.0 };
        let without_gp_17p = (refs.without_gp_scale * without_gp_raw(gp_density)).clamp(0.05, 0.22);
        let c2s_share = (C2S_NATIONAL * poverty / refs.poverty_ref).clamp(0.02, 0.40);
        // Participation: lower where poverty is higher, times a fixed
        // département-specific factor in [0.9, 1.1] hashed from the code.
        let mut prevention_factor = [1.0; 4];
        for (k, f) in prevention_factor.iter_mut().enumerate() {
            let h = unit_hash(&format!("prevention:{k}:{code}"));
            let social = 1.0 - 0.9 * (poverty - refs.poverty_ref) / 100.0;
            *f = (social * (0.9 + 0.2 * h)).clamp(0.5, 1.3);
        }
        DepContext {
            base,
            mortality_index,
            ald_index,
            diabetes_factor,
            without_gp_17p,
            c2s_share,
            activity_rate,
            unemployment_rate,
            prevention_factor,
            gp_density,
            rural_mean: 0.0,
            rural_share: 0.0,
        }
    }

    /// The context of a commune of an unknown département: France's structures and rates.
    pub(super) fn national() -> DepContext {
        DepContext::from_profile(None, &national_refs())
    }
}

/// Rurality in [0, 1] of a commune: 1 at or below 50 inhabitants, 0 at or above
/// 2,000, log-linear in between.
pub(super) fn rurality(population: u64) -> f64 {
    let p = (population as f64).max(1.0);
    ((RURAL_CEILING.ln() - p.ln()) / (RURAL_CEILING.ln() - RURAL_FLOOR.ln())).clamp(0.0, 1.0)
}

/// INSEE département code of a commune, normalised.
pub(super) fn normalized_departement(c: &DemoCommune) -> String {
    let mut d = c.departement.trim().to_ascii_uppercase();
    if d.is_empty() {
        let code = c.code.trim().to_ascii_uppercase();
        let n = if code.starts_with("97") { 3 } else { 2 };
        d = code.chars().take(n).collect();
    }
    if d.len() == 1 && d.chars().all(|ch| ch.is_ascii_digit()) {
        d.insert(0, '0');
    }
    d
}

/// The context of each département of the input (`deps`: the communes' normalised codes).
pub(super) fn build_contexts(communes: &[DemoCommune], deps: &[String]) -> BTreeMap<String, DepContext> {
    let refs = national_refs();
    // Sums in a fixed order (sorted département, then input order).
    let mut sums: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
    for (c, d) in communes.iter().zip(deps) {
        let p = c.population as f64;
        let e = sums.entry(d.as_str()).or_insert((0.0, 0.0, 0.0));
        e.0 += p;
        e.1 += p * rurality(c.population);
        if c.population < RURAL_CEILING as u64 {
            e.2 += p;
        }
    }
    sums.into_iter()
        .map(|(d, (pop, rur, small))| {
            let mut ctx = DepContext::from_profile(lookup_dep(d), &refs);
            if pop > 0.0 {
                ctx.rural_mean = rur / pop;
                ctx.rural_share = small / pop;
            }
            (d.to_string(), ctx)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::commune;
    use super::*;

    #[test]
    fn departement_codes_are_normalised() {
        let norm = |code: &str, dep: &str| normalized_departement(&commune(code, dep, 1));
        assert_eq!(norm("01001", "1"), "01");
        assert_eq!(norm("2B033", " 2b "), "2B");
        assert_eq!(norm("97411", ""), "974");
        assert_eq!(norm("2A004", ""), "2A");
        assert_eq!(norm("", ""), "");
        assert!(lookup_dep("ZZ").is_none() && lookup_dep("").is_none());
    }
}
