//! The synthetic roster of general practitioners: each département's GPs drawn from its
//! own stream, placed preferentially in the larger communes (see
//! [`super::communes::generate`] for the model).

use std::collections::BTreeMap;

use super::context::DepContext;
use super::rng::Rng;
use super::{DemoCommune, Gp, Sex, DEMO_YEAR};

/// Probability weight of a commune for placing a GP.
fn gp_weight(population: u64) -> f64 {
    let p = population as f64;
    let w = p.powf(1.3);
    if population < 300 {
        0.05 * w
    } else {
        w
    }
}

/// Probability that a GP of this age is a woman (hand-set approximation of the
/// DREES/RPPS pattern: women are the majority of GPs under 50, a small minority
/// over 65).
fn gp_female_probability(age: i32) -> f64 {
    match age {
        ..=34 => 0.68,
        35..=44 => 0.60,
        45..=54 => 0.46,
        55..=59 => 0.36,
        60..=64 => 0.27,
        _ => 0.18,
    }
}

/// Age of a GP: 60-72 with probability `p60` (60-64 most, tail to 72), else 30-59
/// (30-32 less frequent: installation in liberal practice comes after years of
/// replacements).
fn gp_age(rng: &mut Rng, p60: f64) -> i32 {
    if rng.uniform() < p60 {
        const W: [(i32, f64); 13] = [
            (60, 1.0),
            (61, 1.0),
            (62, 1.0),
            (63, 1.0),
            (64, 1.0),
            (65, 0.55),
            (66, 0.55),
            (67, 0.55),
            (68, 0.25),
            (69, 0.25),
            (70, 0.25),
            (71, 0.1),
            (72, 0.1),
        ];
        let total: f64 = W.iter().map(|w| w.1).sum();
        let mut u = rng.uniform() * total;
        for &(a, w) in &W {
            if u < w {
                return a;
            }
            u -= w;
        }
        72
    } else {
        // 30, 31, 32 weight 0.6; 33-59 weight 1.
        let total = 3.0 * 0.6 + 27.0;
        let u = rng.uniform() * total;
        if u < 1.8 {
            30 + (u / 0.6).floor().min(2.0) as i32
        } else {
            33 + ((u - 1.8).floor() as i32).min(26)
        }
    }
}

/// The GPs of the communes' départements (`deps`: each commune's normalised code), from
/// one stream per département.
pub(super) fn build_roster(communes: &[DemoCommune], deps: &[String], contexts: &BTreeMap<String, DepContext>, seed: u64) -> Vec<Gp> {
    // Communes of each département, sorted by code (stable on input order).
    let mut by_dep: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in deps.iter().enumerate() {
        by_dep.entry(d.as_str()).or_default().push(i);
    }
    // (commune index, GP without id)
    let mut gps: Vec<(usize, Gp)> = Vec::new();
    for (d, mut idx) in by_dep {
        let Some(ctx) = contexts.get(d) else { continue };
        idx.sort_by(|&a, &b| communes[a].code.cmp(&communes[b].code));
        let pop: f64 = idx.iter().map(|&i| communes[i].population as f64).sum();
        let count = (ctx.gp_density * pop / 1e5).round();
        if count.is_nan() || count < 1.0 {
            continue;
        }
        let mut cumulative = Vec::with_capacity(idx.len());
        let mut acc = 0.0;
        for &i in &idx {
            acc += gp_weight(communes[i].population);
            cumulative.push(acc);
        }
        if !acc.is_finite() || acc <= 0.0 {
            continue;
        }
        let p60 = (0.22 + 0.25 * ctx.rural_share).clamp(0.20, 0.40);
        let mut rng = Rng::for_key(seed, "roster", d);
        let count = count.min(1e8) as u64;
        for _ in 0..count {
            let u = rng.uniform() * acc;
            let pos = cumulative.partition_point(|&c| c <= u).min(idx.len() - 1);
            let ci = idx[pos];
            let age = gp_age(&mut rng, p60);
            let sex = if rng.uniform() < gp_female_probability(age) { Sex::Female } else { Sex::Male };
            let consultations = (4500.0 + 1500.0 * rng.normal()).round().clamp(500.0, 12000.0) as u32;
            let latest = age.min(40);
            let install_age = 30 + rng.below((latest - 30 + 1).max(1) as u64) as i32;
            let birth_year = DEMO_YEAR - age;
            gps.push((
                ci,
                Gp {
                    id: String::new(),
                    commune: communes[ci].code.clone(),
                    birth_year,
                    sex,
                    consultations_per_year: consultations,
                    installation_year: birth_year + install_age,
                },
            ));
        }
    }
    gps.sort_by(|a, b| a.1.commune.cmp(&b.1.commune));
    gps.into_iter()
        .enumerate()
        .map(|(k, (_, mut g))| {
            g.id = format!("GP{:06}", k + 1);
            g
        })
        .collect()
}
