//! Benchmarking: every indicator for every EPCI, département and région of France at once
//! (the national table), and a territory set against the territories of one kind — rank,
//! quintile, funnel plot (Spiegelhalter 2005) and a peer group of similar territories.

use polars::prelude::*;

use super::diagnose::french;
use crate::error::{Error, Location, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::evaluate::{self, Aggregated, Geography, Value};
use crate::indicators::{Indicator, Method};
use crate::stats::compare::{compare, Comparison};
use crate::stats::funnel;

/// The kinds of territories of the national table.
pub const KINDS: [&str; 4] = ["epci", "departement", "region", "france"];

/// Every EPCI (kind 0), département (1), région (2) of France, and France (3).
pub fn national_geographies(r: &Referential) -> [Vec<Geography>; 4] {
    let units = |v: Vec<&crate::geo::Unit>| v.into_iter().filter(|u| u.in_france()).map(|u| u.code.clone()).collect::<Vec<_>>();
    let epci: Vec<Geography> = r
        .epcis
        .values()
        .map(|e| Geography { id: e.code.clone(), name: e.name.clone(), units: units(r.base_units_of_epci(&e.code)) })
        .filter(|g| !g.units.is_empty())
        .collect();
    let deps: Vec<Geography> = r
        .departements
        .values()
        .filter(|d| d.zone != "com")
        .map(|d| Geography { id: d.code.clone(), name: d.name.clone(), units: units(r.base_units_of_departement(&d.code)) })
        .collect();
    let regs: Vec<Geography> = r
        .regions
        .values()
        .filter(|g| g.zone != "com")
        .map(|g| Geography { id: g.code.clone(), name: g.name.clone(), units: units(r.base_units_of_region(&g.code)) })
        .collect();
    let france = vec![Geography {
        id: "FR".into(),
        name: "France".into(),
        units: r.communes().filter(|c| c.in_france()).flat_map(|c| r.base_units(&c.code)).map(|u| u.code.clone()).collect(),
    }];
    let whole = |gs: Vec<Geography>| {
        gs.into_iter().map(|g| Geography { units: super::diagnose::with_whole_communes(g.units, r), ..g }).collect::<Vec<_>>()
    };
    [whole(epci), whole(deps), whole(regs), whole(france)]
}

/// Indicators × geographies, with France's value beside each.
pub struct National {
    /// (kind, geography) in the order of the layers.
    pub geographies: Vec<(&'static str, Geography)>,
    pub indicators: Vec<Indicator>,
    /// `values[i][g]`: indicator `i` in geography `g`.
    pub values: Vec<Vec<Value>>,
}

/// Compute every indicator for every geography of the layers; France must be the last
/// geography (it is the reference of the ICM). `progress` is told each indicator done.
/// `missing_means_zero`: see [`Aggregated::missing_means_zero`] (true for the demo data).
pub fn compute_all(
    facts: &DataFrame,
    layers: Vec<(&'static str, Vec<Geography>)>,
    indicators: &[Indicator],
    missing_means_zero: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<National> {
    let refs: Vec<&[Geography]> = layers.iter().map(|(_, g)| g.as_slice()).collect();
    let mut agg = Aggregated::by_layers(facts, &refs)?;
    agg.missing_means_zero = missing_means_zero;
    let geographies: Vec<(&'static str, Geography)> =
        layers.into_iter().flat_map(|(kind, gs)| gs.into_iter().map(move |g| (kind, g))).collect();
    let france = geographies.len() - 1;
    let mut values = Vec::with_capacity(indicators.len());
    for (i, ind) in indicators.iter().enumerate() {
        values.push(compute_row(ind, &agg, geographies.len(), france));
        progress(i + 1, indicators.len());
    }
    Ok(National { geographies, indicators: indicators.to_vec(), values })
}

/// One indicator over all geographies, in parallel.
fn compute_row(ind: &Indicator, agg: &Aggregated, n: usize, france: usize) -> Vec<Value> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(|g| evaluate::compute(ind, agg, g, france)).collect()
}

impl National {
    /// Secondary suppression: in each partition of France (all EPCI, all départements, all
    /// régions), an indicator withheld in exactly one part could be recovered by subtracting
    /// the others from France; the smallest other part is then withheld too.
    pub fn suppress_complements(&mut self) {
        let secret = |v: &Value| v.estimate.note.as_deref().is_some_and(|n| n.starts_with("secret statistique"));
        for values in &mut self.values {
            for kind in &KINDS[..3] {
                let members: Vec<usize> = (0..self.geographies.len()).filter(|&g| self.geographies[g].0 == *kind).collect();
                if members.iter().filter(|&&g| secret(&values[g])).count() != 1 || members.len() < 2 {
                    continue;
                }
                let smallest = members
                    .iter()
                    .copied()
                    .filter(|&g| !secret(&values[g]) && values[g].count.is_some())
                    .min_by(|&a, &b| values[a].count.unwrap_or(0.0).total_cmp(&values[b].count.unwrap_or(0.0)));
                if let Some(g) = smallest {
                    let v = &mut values[g];
                    v.count = None;
                    v.denominator = None;
                    v.estimate.value = None;
                    v.estimate.limits.iter_mut().for_each(|l| *l = None);
                    v.estimate.note = Some("secret statistique (secondaire : protège une autre valeur du même niveau)".into());
                }
            }
        }
    }

    /// The long table: one row per geography × indicator, with France's value and the
    /// comparison against it at 95 % and 99.8 %.
    pub fn frame(&self, data_label: &str) -> Result<DataFrame> {
        let france = self.geographies.len() - 1;
        let (mut kind, mut code, mut name, mut id, mut count, mut value) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut lo95, mut up95, mut lo998, mut up998, mut fr, mut c95, mut c998, mut note) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for (i, ind) in self.indicators.iter().enumerate() {
            let fv = self.values[i][france].estimate.value;
            for (g, (k, geo)) in self.geographies.iter().enumerate() {
                let v = &self.values[i][g];
                let e = &v.estimate;
                kind.push(*k);
                code.push(geo.id.clone());
                name.push(geo.name.clone());
                id.push(ind.id.clone());
                count.push(v.count);
                value.push(e.value);
                let lim = |l: usize| e.limits.get(l).copied().flatten();
                lo95.push(lim(0).map(|l| l.lower));
                up95.push(lim(0).map(|l| l.upper));
                lo998.push(lim(1).map(|l| l.lower));
                up998.push(lim(1).map(|l| l.upper));
                fr.push(fv);
                let cmp = |l| match fv {
                    Some(f) if ind.method != Method::Count && g != france => french(compare(e, l, f, ind.polarity)),
                    _ => "",
                };
                c95.push(cmp(0));
                c998.push(cmp(1));
                note.push(e.note.clone());
            }
        }
        let n = kind.len();
        Ok(DataFrame::new_infer_height(vec![
            Column::new("kind".into(), kind),
            Column::new("code".into(), code),
            Column::new("name".into(), name),
            Column::new("indicator".into(), id),
            Column::new("count".into(), count),
            Column::new("value".into(), value),
            Column::new("lower_95".into(), lo95),
            Column::new("upper_95".into(), up95),
            Column::new("lower_99_8".into(), lo998),
            Column::new("upper_99_8".into(), up998),
            Column::new("france_value".into(), fr),
            Column::new("comparison_france_95".into(), c95),
            Column::new("comparison_france_99_8".into(), c998),
            Column::new("note".into(), note),
            Column::new("data".into(), vec![data_label; n]),
        ])?)
    }
}

/// What a territory is benchmarked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Against {
    /// All EPCI of France (or of --region).
    Epci,
    /// All départements of France (or of --region).
    Departements,
    /// The k EPCI most similar to the territory by socio-demographic profile.
    Peers,
}

/// One indicator of a benchmark: the territory's place in the set and against its peers.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub indicator: Indicator,
    pub value: Option<f64>,
    /// 1 for the highest value; out of `among + 1` (the territory and the others).
    pub rank: Option<u32>,
    /// How many other territories of the set have a value.
    pub among: u32,
    /// 1 = among the lowest 20 % of values, 5 = the highest.
    pub quintile: Option<u32>,
    /// The peers' pooled value, and the territory against it at 95 % and 99.8 %.
    pub peers_value: Option<f64>,
    pub against_peers: [Comparison; 2],
}

impl Ranked {
    /// « 12 / 1 255 »-style rank, or « — ».
    pub fn rank_text(&self) -> String {
        self.rank.map_or("—".to_owned(), |r| format!("{r} / {}", self.among + 1))
    }
}

/// The result of a benchmark.
pub struct Benchmark {
    /// One row per indicator, in catalogue order.
    pub ranks: Vec<Ranked>,
    /// The same as a frame (`benchmark.csv`).
    pub summary: DataFrame,
    /// Funnel-plot points: every territory of the set × indicator, with significance.
    pub funnel_points: DataFrame,
    /// Funnel control limits (100 points per indicator).
    pub funnel_limits: DataFrame,
    /// The same funnels, typed: one per indicator that has one, in catalogue order.
    pub funnels: Vec<Funnel>,
    /// The peer group with the profile it was chosen on.
    pub peers: DataFrame,
    /// Each indicator's values over the set (members overlapping the territory left out),
    /// in catalogue order: the range a spine chart draws.
    pub set_values: Vec<Vec<f64>>,
}

/// The funnel plot of one indicator, on the indicator's scale (an ICM as O/E × 100, a
/// proportion times its multiplier).
#[derive(Debug, Clone)]
pub struct Funnel {
    pub indicator: String,
    /// France's value, the limits' centre.
    pub target: f64,
    /// The set's territories and the benchmarked one.
    pub points: Vec<FunnelPoint>,
    /// The control limits, by increasing denominator.
    pub limits: Vec<funnel::FunnelLimit>,
}

/// One territory of a funnel plot.
#[derive(Debug, Clone)]
pub struct FunnelPoint {
    pub code: String,
    pub name: String,
    pub numerator: f64,
    /// Where the point sits: the denominator its significance was judged on (a rate's
    /// implied denominator).
    pub denominator: f64,
    pub value: f64,
    pub significance: funnel::Significance,
    pub is_territory: bool,
}

impl Benchmark {
    /// The funnel of indicator `id`, if it has one.
    pub fn funnel(&self, id: &str) -> Option<&Funnel> {
        self.funnels.iter().find(|f| f.indicator == id)
    }

    /// Say in every table what data it comes from (a `data` column), as the other outputs do.
    pub fn label(&mut self, data_label: &str) -> Result<()> {
        for df in [&mut self.summary, &mut self.funnel_points, &mut self.funnel_limits, &mut self.peers] {
            let n = df.height();
            df.with_column(Column::new("data".into(), vec![data_label; n]))?;
        }
        Ok(())
    }
}

/// The profile peers are chosen on (as z-scores): shares of the under-15s and the 65+,
/// unemployment, C2S share, and the order of magnitude (log10) of the density — of the
/// population where the data has no areas.
const PROFILE: [&str; 4] = ["part_0_14", "part_65_plus", "chomage_15_64", "part_c2s"];

/// Benchmark territory `t` against a set of territories.
#[allow(clippy::too_many_arguments)]
pub fn benchmark(
    t: &Territory,
    r: &Referential,
    facts: &DataFrame,
    indicators: &[Indicator],
    against: Against,
    region: Option<&str>,
    k: usize,
    missing_means_zero: bool,
) -> Result<Benchmark> {
    let [epci, deps, _, france] = national_geographies(r);
    let in_region = |g: &Geography| {
        region.is_none_or(|reg| g.units.first().and_then(|u| r.unit(u)).is_some_and(|u| u.region == reg))
    };
    if let Some(reg) = region {
        if !r.regions.contains_key(reg) {
            return Err(Error::input(Location::file("--region"), format!("unknown région «{reg}»"), "give an INSEE région code such as 76"));
        }
    }
    let set: Vec<Geography> = match against {
        Against::Departements => deps.into_iter().filter(in_region).collect(),
        Against::Epci | Against::Peers => epci.into_iter().filter(in_region).collect(),
    };
    let me = Geography { id: t.id.clone(), name: t.name.clone(), units: super::diagnose::with_whole_communes(t.units.clone(), r) };
    let n_set = set.len();
    // Layers: the set, the territory, (later) the peers pooled, France.
    let national = compute_all(facts, vec![("set", set), ("territory", vec![me.clone()]), ("france", france.clone())], indicators, missing_means_zero, |_, _| {})?;
    let territory = n_set;
    // A member of the set sharing communes with the territory (its own EPCI for an
    // EPCI-wide CLS, an EPCI inside a CPTS) would count the same people twice: it is left
    // out of ranks, funnels and peers.
    let mine_units: std::collections::HashSet<&str> = me.units.iter().map(String::as_str).collect();
    let overlaps: Vec<bool> =
        (0..n_set).map(|g| national.geographies[g].1.units.iter().any(|u| mine_units.contains(u.as_str()))).collect();

    // Peers: nearest by profile among the set (the territory itself excluded).
    let value = |id: &str, g: usize| indicators.iter().position(|i| i.id == id).and_then(|i| national.values[i][g].estimate.value);
    // Density when the territory and nearly all of the set have one, from real areas (the
    // demo's areas are synthetic, drawn from the population: no information of their own).
    let with_density = (0..n_set).filter(|&g| value("densite_population", g).is_some()).count();
    let size = if !missing_means_zero && value("densite_population", territory).is_some() && with_density * 20 >= n_set * 19 {
        "densite_population"
    } else {
        "population"
    };
    let profile_of = |g: usize| -> Option<Vec<f64>> {
        let mut p: Vec<f64> = PROFILE.iter().map(|id| value(id, g)).collect::<Option<_>>()?;
        p.push(value(size, g)?.max(1e-3).log10());
        Some(p)
    };
    let profiles: Vec<Option<Vec<f64>>> = (0..=n_set).map(profile_of).collect();
    let dims = PROFILE.len() + 1;
    let known: Vec<&Vec<f64>> = profiles.iter().flatten().collect();
    let mean: Vec<f64> = (0..dims).map(|d| known.iter().map(|p| p[d]).sum::<f64>() / known.len().max(1) as f64).collect();
    let sd: Vec<f64> = (0..dims)
        .map(|d| (known.iter().map(|p| (p[d] - mean[d]).powi(2)).sum::<f64>() / known.len().max(1) as f64).sqrt().max(1e-12))
        .collect();
    let distance = |a: &[f64], b: &[f64]| (0..dims).map(|d| ((a[d] - b[d]) / sd[d]).powi(2)).sum::<f64>().sqrt();
    let Some(mine) = profiles[territory].clone() else {
        return Err(Error::input(Location::file(&t.id), "the territory's profile (age structure, unemployment, C2S share, density or population) is not available", "check the data"));
    };
    let mut ranked: Vec<(usize, f64)> = (0..n_set)
        .filter(|&g| !overlaps[g])
        .filter_map(|g| profiles[g].as_ref().map(|p| (g, distance(p, &mine))))
        .collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    ranked.truncate(k);
    let pooled = Geography {
        id: "peers".into(),
        name: format!("{} territoires voisins par le profil", ranked.len()),
        units: ranked.iter().flat_map(|(g, _)| national.geographies[*g].1.units.clone()).collect(),
    };
    // The set ranks and funnels are drawn in: all non-overlapping members, or the peers.
    let excluded: Vec<bool> = match against {
        Against::Peers => (0..n_set).map(|g| !ranked.iter().any(|(p, _)| *p == g)).collect(),
        _ => overlaps.clone(),
    };
    let peers_values = compute_all(facts, vec![("territory", vec![me]), ("peers", vec![pooled]), ("france", france)], indicators, missing_means_zero, |_, _| {})?;

    // Summary: rank and quintile within the set, peers' pooled value and comparison.
    let mut ranks = Vec::with_capacity(indicators.len());
    let mut set_values = Vec::with_capacity(indicators.len());
    for (i, ind) in indicators.iter().enumerate() {
        let mine = national.values[i][territory].estimate.value;
        let others: Vec<f64> = (0..n_set).filter(|&g| !excluded[g]).filter_map(|g| national.values[i][g].estimate.value).collect();
        let (rank, quintile) = match mine {
            Some(v) if !others.is_empty() => {
                let above = others.iter().filter(|&&o| o > v).count();
                let below = others.iter().filter(|&&o| o < v).count();
                // Quintile of the territory's position (1 = lowest values, 5 = highest).
                let q = (1 + (5 * below) / (others.len() + 1)).min(5) as u32;
                (Some(above as u32 + 1), Some(q))
            }
            _ => (None, None),
        };
        let peers_value = peers_values.values[i][1].estimate.value;
        let against = |l| match peers_value {
            Some(p) if ind.method != Method::Count => compare(&peers_values.values[i][0].estimate, l, p, ind.polarity),
            _ => Comparison::NotCompared,
        };
        ranks.push(Ranked { indicator: ind.clone(), value: mine, rank, among: others.len() as u32, quintile, peers_value, against_peers: [against(0), against(1)] });
        set_values.push(others);
    }
    let summary = DataFrame::new_infer_height(vec![
        Column::new("indicator".into(), ranks.iter().map(|r| r.indicator.id.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), ranks.iter().map(|r| r.indicator.label.clone()).collect::<Vec<_>>()),
        Column::new("value".into(), ranks.iter().map(|r| r.value).collect::<Vec<_>>()),
        Column::new("rank".into(), ranks.iter().map(|r| r.rank).collect::<Vec<_>>()),
        Column::new("among".into(), ranks.iter().map(|r| r.among).collect::<Vec<_>>()),
        Column::new("quintile".into(), ranks.iter().map(|r| r.quintile).collect::<Vec<_>>()),
        Column::new("peers_value".into(), ranks.iter().map(|r| r.peers_value).collect::<Vec<_>>()),
        Column::new("comparison_peers_95".into(), ranks.iter().map(|r| french(r.against_peers[0])).collect::<Vec<_>>()),
        Column::new("comparison_peers_99_8".into(), ranks.iter().map(|r| french(r.against_peers[1])).collect::<Vec<_>>()),
    ])?;
    let funnels = funnels(&national, indicators, &excluded, territory);
    let (funnel_points, funnel_limits) = funnel_frames(&funnels)?;
    let peers = DataFrame::new_infer_height(vec![
        Column::new("code".into(), ranked.iter().map(|(g, _)| national.geographies[*g].1.id.clone()).collect::<Vec<_>>()),
        Column::new("name".into(), ranked.iter().map(|(g, _)| national.geographies[*g].1.name.clone()).collect::<Vec<_>>()),
        Column::new("distance".into(), ranked.iter().map(|(_, d)| *d).collect::<Vec<_>>()),
    ])?;
    Ok(Benchmark { ranks, summary, funnel_points, funnel_limits, funnels, peers, set_values })
}

/// Funnel-plot data of every indicator with a denominator: the set's territories and the
/// benchmarked one (`is_territory`), with their significance, and the control limits.
fn funnels(national: &National, indicators: &[Indicator], excluded: &[bool], territory: usize) -> Vec<Funnel> {
    let n_set = excluded.len();
    let mut funnels = Vec::new();
    for (i, ind) in indicators.iter().enumerate() {
        let points: Vec<usize> = (0..=n_set)
            .filter(|&g| g == n_set || !excluded[g])
            .filter(|&g| {
                let v = &national.values[i][g];
                v.count.is_some() && v.denominator.is_some_and(|d| d > 0.0) && v.estimate.value.is_some()
            })
            .collect();
        let x: Vec<f64> = points.iter().map(|&g| national.values[i][g].count.unwrap_or(0.0)).collect();
        let d: Vec<f64> = points.iter().map(|&g| national.values[i][g].denominator.unwrap_or(0.0)).collect();
        let v: Vec<f64> = points.iter().map(|&g| national.values[i][g].estimate.value.unwrap_or(0.0)).collect();
        let result = match ind.method {
            Method::Proportion => funnel::proportion_funnel(&x, &d),
            Method::Icm => funnel::ratio_funnel(&x, &d),
            Method::CrudeRate => funnel::rate_funnel(&x, &v, ind.multiplier, false),
            Method::Dsr => funnel::rate_funnel(&x, &v, ind.multiplier, true),
            Method::Count | Method::LifeExpectancy | Method::AnnualGrowth | Method::Ratio => continue,
        };
        let Ok(result) = result else { continue };
        // A ratio funnel is drawn as O/E; the ICM is O/E × 100.
        let scale = if ind.method == Method::Icm { 100.0 } else if ind.method == Method::Proportion { ind.multiplier } else { 1.0 };
        let points = points
            .iter()
            .enumerate()
            .map(|(k, &g)| FunnelPoint {
                code: national.geographies[g].1.id.clone(),
                name: national.geographies[g].1.name.clone(),
                numerator: x[k],
                // Points sit where their significance was judged: a rate's implied denominator.
                denominator: match ind.method {
                    Method::Dsr | Method::CrudeRate if v[k] > 0.0 => ind.multiplier * x[k] / v[k],
                    _ => d[k],
                },
                value: v[k],
                significance: result.significance[k],
                is_territory: g == territory,
            })
            .collect();
        let limits = result
            .limits_table
            .iter()
            .map(|l| funnel::FunnelLimit {
                denominator: l.denominator,
                lower_95: l.lower_95 * scale,
                upper_95: l.upper_95 * scale,
                lower_99_8: l.lower_99_8 * scale,
                upper_99_8: l.upper_99_8 * scale,
            })
            .collect();
        funnels.push(Funnel { indicator: ind.id.clone(), target: result.target * scale, points, limits });
    }
    funnels
}

/// The funnels as two long tables (`funnel-points`, `funnel-limits`).
fn funnel_frames(funnels: &[Funnel]) -> Result<(DataFrame, DataFrame)> {
    let all_points = || funnels.iter().flat_map(|f| f.points.iter().map(move |p| (f, p)));
    let all_limits = || funnels.iter().flat_map(|f| f.limits.iter().map(move |l| (f, l)));
    let points = DataFrame::new_infer_height(vec![
        Column::new("indicator".into(), all_points().map(|(f, _)| f.indicator.clone()).collect::<Vec<_>>()),
        Column::new("code".into(), all_points().map(|(_, p)| p.code.clone()).collect::<Vec<_>>()),
        Column::new("name".into(), all_points().map(|(_, p)| p.name.clone()).collect::<Vec<_>>()),
        Column::new("numerator".into(), all_points().map(|(_, p)| p.numerator).collect::<Vec<_>>()),
        Column::new("denominator".into(), all_points().map(|(_, p)| p.denominator).collect::<Vec<_>>()),
        Column::new("value".into(), all_points().map(|(_, p)| p.value).collect::<Vec<_>>()),
        Column::new("significance".into(), all_points().map(|(_, p)| p.significance.to_string()).collect::<Vec<_>>()),
        Column::new("is_territory".into(), all_points().map(|(_, p)| p.is_territory).collect::<Vec<_>>()),
    ])?;
    let limits = DataFrame::new_infer_height(vec![
        Column::new("indicator".into(), all_limits().map(|(f, _)| f.indicator.clone()).collect::<Vec<_>>()),
        Column::new("denominator".into(), all_limits().map(|(_, l)| l.denominator).collect::<Vec<_>>()),
        Column::new("target".into(), all_limits().map(|(f, _)| f.target).collect::<Vec<_>>()),
        Column::new("lower_95".into(), all_limits().map(|(_, l)| l.lower_95).collect::<Vec<_>>()),
        Column::new("upper_95".into(), all_limits().map(|(_, l)| l.upper_95).collect::<Vec<_>>()),
        Column::new("lower_99_8".into(), all_limits().map(|(_, l)| l.lower_99_8).collect::<Vec<_>>()),
        Column::new("upper_99_8".into(), all_limits().map(|(_, l)| l.upper_99_8).collect::<Vec<_>>()),
    ])?;
    Ok((points, limits))
}
