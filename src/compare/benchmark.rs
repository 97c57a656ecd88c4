//! Benchmarking: every indicator for every EPCI, département and région of France at once
//! (the national table), and a territory set against the territories of one kind — rank,
//! quintile, funnel plot (Spiegelhalter 2005) and a peer group of similar territories.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::diagnose::{departement_data, french, provenance_of};
use super::secrecy;
use crate::error::{Error, Location, Result};
use crate::facts::Provenance;
use crate::geo::{ComparatorOptions, France, Referential, Territory};
use crate::indicators::catalogue::PeerRole;
use crate::indicators::evaluate::{self, departement_rows, Aggregated, Geography, Interned, Value};
use crate::indicators::Withheld;
use crate::indicators::{series, FunnelStatistic, Indicator};
use crate::stats::compare::{compare, Comparison};
use crate::stats::funnel;
use crate::stats::trend::Trend;

/// The kinds of territories of the national table.
pub const KINDS: [&str; 4] = ["epci", "departement", "region", "france"];

/// Every EPCI (kind 0), département (1), région (2) of France, and France (3).
pub fn national_geographies(r: &Referential) -> [Vec<Geography>; 4] {
    // The base units of France grouped by EPCI, département and région in one pass over the
    // units (in their order, as `Referential::base_units_of_epci` and the others list them).
    let mut by_epci: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    let mut by_dep: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    let mut by_reg: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for u in r.units().iter().filter(|u| u.in_france() && !r.has_arrondissements(&u.code)) {
        if let Some(e) = u.epci.as_deref() {
            by_epci.entry(e).or_default().push(u.code.clone());
        }
        by_dep.entry(u.departement.as_str()).or_default().push(u.code.clone());
        by_reg.entry(u.region.as_str()).or_default().push(u.code.clone());
    }
    let units = |m: &mut std::collections::HashMap<&str, Vec<String>>, code: &str| m.remove(code).unwrap_or_default();
    let epci: Vec<Geography> = r
        .epcis
        .values()
        .map(|e| Geography { id: e.code.clone(), name: e.name.clone(), units: units(&mut by_epci, &e.code) })
        .filter(|g| !g.units.is_empty())
        .collect();
    let deps: Vec<Geography> = r
        .departements
        .values()
        .filter(|d| d.zone != "com")
        .map(|d| Geography { id: d.code.clone(), name: d.name.clone(), units: units(&mut by_dep, &d.code) })
        .collect();
    let regs: Vec<Geography> = r
        .regions
        .values()
        .filter(|g| g.zone != "com")
        .map(|g| Geography { id: g.code.clone(), name: g.name.clone(), units: units(&mut by_reg, &g.code) })
        .collect();
    let whole =
        |gs: Vec<Geography>| gs.into_iter().map(|g| Geography { units: super::diagnose::with_whole_communes(g.units, r), ..g }).collect::<Vec<_>>();
    // Départements and régions read the département rows of the measures given by département
    // only (see `indicators::evaluate::Geography`), as a diagnostic's comparators do.
    let rows = |gs: Vec<Geography>, of: &dyn Fn(&str) -> Vec<String>| {
        gs.into_iter()
            .map(|g| {
                let units = g.units.into_iter().chain(of(&g.id).iter().map(|d| departement_rows(d))).collect();
                Geography { units, ..g }
            })
            .collect::<Vec<_>>()
    };
    let deps = rows(whole(deps), &|d| vec![d.to_owned()]);
    let regs = rows(whole(regs), &|g| r.departements.values().filter(|d| d.region == g && d.zone != "com").map(|d| d.code.clone()).collect());
    [whole(epci), deps, regs, vec![france_geography(France::Entiere, r)]]
}

/// France entière (`FR`, « France ») or France hexagonale (`FM`) as a geography of base units,
/// and of its départements' rows (see `indicators::evaluate::Geography`).
pub fn france_geography(france: France, r: &Referential) -> Geography {
    let mut units = super::diagnose::with_whole_communes(france.units(r), r);
    units.extend(france.departements(r).iter().map(|d| departement_rows(d)));
    Geography { id: france.code().into(), name: france.name().into(), units }
}

/// The last layers of a national table: the Frances of `frances` (kind `france`), then, when
/// the reference of the ICM is not among them, that reference (kind `reference`, computed but
/// not shown); and the index of the reference among these geographies.
pub fn france_layers(frances: &[France], icm_reference: France, r: &Referential) -> (Vec<(&'static str, Vec<Geography>)>, usize) {
    let mut layers = vec![(KINDS[3], frances.iter().map(|&f| france_geography(f, r)).collect::<Vec<_>>())];
    let reference = match frances.iter().position(|&f| f == icm_reference) {
        Some(k) => k,
        None => {
            layers.push(("reference", vec![france_geography(icm_reference, r)]));
            frances.len()
        }
    };
    (layers, reference)
}

/// Indicators × geographies, with France's value beside each.
pub struct National {
    /// (kind, geography) in the order of the layers.
    pub geographies: Vec<(&'static str, Geography)>,
    pub indicators: Vec<Indicator>,
    /// `values[i][g]`: indicator `i` in geography `g`.
    pub values: Vec<Vec<Value>>,
    /// `covered[i][g]`: the base units of geography `g` with data for indicator `i`'s
    /// numerator (see [`Aggregated::covered`]).
    pub covered: Vec<Vec<usize>>,
    /// `synthetic[i]`: whether indicator `i` reads a synthetic measure (see
    /// [`Aggregated::missing_means_zero`]).
    pub synthetic: Vec<bool>,
    /// `from_departements[i][g]`: whether geography `g` read indicator `i`'s numerator from
    /// its départements' rows (see [`Aggregated::from_departements`]).
    pub from_departements: Vec<Vec<bool>>,
    /// The Frances every geography is compared with in [`National::frame`]: the geographies
    /// of kind `france` coded as one ([`France::code`]), with their index.
    pub frances: Vec<(France, usize)>,
    /// `series[i]`: indicator `i` at each year of its series (see `indicators::series`),
    /// over all geographies as `values[i]`; empty when it has none (its values are then its
    /// only points, at `latest[i]`).
    pub series: Vec<Vec<(i32, Vec<Value>)>>,
    pub latest: Vec<i32>,
}

/// Compute every indicator for every geography of the layers; France must be the last
/// geography (it is the reference of the ICM). `progress` is told each indicator done.
/// Whether a missing row means 0 follows each measure's provenance (the facts' `synthetic`
/// column, see [`Aggregated::missing_means_zero`]).
pub fn compute_all(
    facts: &Interned,
    layers: Vec<(&'static str, Vec<Geography>)>,
    indicators: &[Indicator],
    progress: impl FnMut(usize, usize),
) -> Result<National> {
    let n: usize = layers.iter().map(|(_, g)| g.len()).sum();
    compute_all_with_reference(facts, layers, indicators, n - 1, progress)
}

/// The same, geography `reference` (an index over all the layers' geographies) being the
/// reference of the ICM.
pub fn compute_all_with_reference(
    facts: &Interned,
    layers: Vec<(&'static str, Vec<Geography>)>,
    indicators: &[Indicator],
    reference: usize,
    mut progress: impl FnMut(usize, usize),
) -> Result<National> {
    let refs: Vec<&[Geography]> = layers.iter().map(|(_, g)| g.as_slice()).collect();
    let agg = Aggregated::by_layers(facts, &refs)?;
    crate::timing::mark("aggregated");
    let geographies: Vec<(&'static str, Geography)> = layers.into_iter().flat_map(|(kind, gs)| gs.into_iter().map(move |g| (kind, g))).collect();
    let mut values = Vec::with_capacity(indicators.len());
    for (i, ind) in indicators.iter().enumerate() {
        values.push(compute_row(ind, &agg, geographies.len(), reference));
        progress(i + 1, indicators.len());
    }
    crate::timing::mark("indicators computed");
    // The series: only the indicators whose measures are given for several years.
    let series: Vec<Vec<(i32, Vec<Value>)>> = indicators
        .iter()
        .map(|ind| series::at_years(ind, &agg).iter().map(|(y, at)| (*y, compute_series_row(at, &agg, geographies.len(), reference))).collect())
        .collect();
    let latest = indicators.iter().map(|ind| ind.terms().filter_map(|t| agg.years.get(&t.measure).copied()).max().unwrap_or(0)).collect();
    crate::timing::mark("series computed");
    let covered = indicators.iter().map(|ind| (0..geographies.len()).map(|g| agg.covered(g, &ind.numerator.measure)).collect()).collect();
    let synthetic = indicators.iter().map(|ind| ind.terms().any(|t| agg.missing_means_zero(&t.measure))).collect();
    let from_departements =
        indicators.iter().map(|ind| (0..geographies.len()).map(|g| agg.from_departements(g, &ind.numerator.measure)).collect()).collect();
    let frances =
        France::ALL.iter().filter_map(|&f| geographies.iter().position(|(kind, g)| *kind == KINDS[3] && g.id == f.code()).map(|g| (f, g))).collect();
    Ok(National { geographies, indicators: indicators.to_vec(), values, covered, synthetic, from_departements, frances, series, latest })
}

/// One indicator over all geographies, in parallel.
fn compute_row(ind: &Indicator, agg: &Aggregated, n: usize, france: usize) -> Vec<Value> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(|g| evaluate::compute(ind, agg, g, france)).collect()
}

/// One point of a series over all geographies, each as it reads the series
/// ([`Aggregated::series_for`]).
fn compute_series_row(at: &Indicator, agg: &Aggregated, n: usize, france: usize) -> Vec<Value> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(|g| evaluate::compute(&agg.series_for(at, g), agg, g, france)).collect()
}

impl National {
    /// The first `first` geographies of this table followed by the first `then` of `other`
    /// (computed on the same facts and units, see `set_layers`: the same years and series).
    fn joined(&self, other: National, first: usize, then: usize) -> National {
        let join = |a: &[Value], b: &[Value]| a[..first].iter().chain(&b[..then]).cloned().collect::<Vec<Value>>();
        let geographies: Vec<(&'static str, Geography)> =
            self.geographies[..first].iter().cloned().chain(other.geographies.into_iter().take(then)).collect();
        let frances = France::ALL
            .iter()
            .filter_map(|&f| geographies.iter().position(|(kind, g)| *kind == KINDS[3] && g.id == f.code()).map(|g| (f, g)))
            .collect();
        National {
            values: self.values.iter().zip(&other.values).map(|(a, b)| join(a, b)).collect(),
            covered: self.covered.iter().zip(&other.covered).map(|(a, b)| a[..first].iter().chain(&b[..then]).copied().collect()).collect(),
            from_departements: self
                .from_departements
                .iter()
                .zip(&other.from_departements)
                .map(|(a, b)| a[..first].iter().chain(&b[..then]).copied().collect())
                .collect(),
            series: self
                .series
                .iter()
                .zip(&other.series)
                .map(|(a, b)| a.iter().zip(b).map(|((year, a), (_, b))| (*year, join(a, b))).collect())
                .collect(),
            geographies,
            indicators: other.indicators,
            synthetic: other.synthetic,
            frances,
            latest: other.latest,
        }
    }

    /// Secondary suppression (see [`secrecy::suppress_partitions`]) over the partitions
    /// this table publishes with their totals: all EPCI, all départements and all régions of
    /// France, and the départements of each région.
    pub fn suppress_complements(&mut self, r: &Referential) {
        let of_kind = |kind: &str| (0..self.geographies.len()).filter(|&g| self.geographies[g].0 == kind).collect::<Vec<usize>>();
        let mut partitions: Vec<Vec<usize>> = KINDS[..3].iter().map(|k| of_kind(k)).collect();
        for region in of_kind("region") {
            let code = &self.geographies[region].1.id;
            let deps = of_kind("departement")
                .into_iter()
                .filter(|&g| r.departements.get(&self.geographies[g].1.id).is_some_and(|d| &d.region == code))
                .collect();
            partitions.push(deps);
        }
        for values in &mut self.values {
            secrecy::suppress_partitions(values, &partitions);
        }
        for values in self.series.iter_mut().flatten() {
            secrecy::suppress_partitions(&mut values.1, &partitions);
        }
    }

    /// The recent trend of indicator `i` in geography `g` (Fingertips' test on its series).
    pub fn trend(&self, i: usize, g: usize) -> Trend {
        let ind = &self.indicators[i];
        if self.series[i].is_empty() {
            return series::trend_of(ind, &[(self.latest[i], self.values[i][g].clone())]);
        }
        let points: Vec<(i32, Value)> = self.series[i].iter().map(|(y, v)| (*y, v[g].clone())).collect();
        series::trend_of(ind, &points)
    }

    /// The long table: one row per geography × indicator, with the value of each France of
    /// [`National::frances`] and the comparison against it at 95 % and 99.8 %, and where each
    /// row's values come from (the `provenance` of its indicator's measures, else
    /// `data_label`; a geography reading the département rows of its numerator: theirs, see
    /// [`departement_data`]). A geography of kind `reference` (the ICM's reference, when it is
    /// not one of the Frances compared with) is not shown.
    pub fn frame(
        &self,
        data_label: &str,
        provenance: &BTreeMap<String, Provenance>,
        departement_provenance: &BTreeMap<String, Provenance>,
    ) -> Result<DataFrame> {
        let shown: Vec<usize> = (0..self.geographies.len()).filter(|&g| self.geographies[g].0 != "reference").collect();
        let (mut kind, mut code, mut name, mut id, mut count, mut value): (Vec<&str>, Vec<&str>, Vec<&str>, Vec<&str>, _, _) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut lo95, mut up95, mut lo998, mut up998, mut status, mut note) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        // Per France: its value, the comparison at 95 % and at 99.8 %.
        type Against = (Vec<Option<f64>>, Vec<&'static str>, Vec<&'static str>);
        let mut against: Vec<Against> = self.frances.iter().map(|_| (vec![], vec![], vec![])).collect();
        let mut data: Vec<&str> = Vec::new();
        let mut trends = series::Columns::new();
        // Each indicator's sources, once: the rows borrow them.
        let sources: Vec<(String, Option<String>)> = self
            .indicators
            .iter()
            .map(|ind| {
                (provenance_of(ind, provenance).unwrap_or_else(|| data_label.to_owned()), departement_data(ind, provenance, departement_provenance))
            })
            .collect();
        for (i, ind) in self.indicators.iter().enumerate() {
            let (origin, of_departements) = &sources[i];
            for &g in &shown {
                let (k, geo) = &self.geographies[g];
                let v = &self.values[i][g];
                let e = &v.estimate;
                kind.push(k);
                code.push(&geo.id);
                name.push(&geo.name);
                id.push(&ind.id);
                count.push(v.count);
                value.push(e.value);
                let lim = |l: usize| e.limits.get(l).copied().flatten();
                lo95.push(lim(0).map(|l| l.lower));
                up95.push(lim(0).map(|l| l.upper));
                lo998.push(lim(1).map(|l| l.lower));
                up998.push(lim(1).map(|l| l.upper));
                for ((_, france), (fr, c95, c998)) in self.frances.iter().zip(&mut against) {
                    let fv = self.values[i][*france].estimate.value;
                    fr.push(fv);
                    let cmp = |l| match fv {
                        Some(f) if ind.method.is_compared() && g != *france => french(compare(e, l, f, ind.polarity)),
                        _ => "",
                    };
                    c95.push(cmp(0));
                    c998.push(cmp(1));
                }
                status.push(v.status());
                note.push(v.note());
                data.push(match of_departements {
                    Some(theirs) if self.from_departements.get(i).and_then(|f| f.get(g)).copied().unwrap_or(false) => theirs.as_str(),
                    _ => origin.as_str(),
                });
                trends.push(ind, &self.trend(i, g));
            }
        }
        let mut columns = vec![
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
        ];
        for ((france, _), (fr, c95, c998)) in self.frances.iter().zip(against) {
            let c = france.column();
            columns.push(Column::new(format!("{c}_value").into(), fr));
            columns.push(Column::new(format!("comparison_{c}_95").into(), c95));
            columns.push(Column::new(format!("comparison_{c}_99_8").into(), c998));
        }
        columns.push(Column::new("status".into(), status));
        columns.push(Column::new("note".into(), note));
        columns.push(Column::new("data".into(), data));
        columns.extend(trends.into_columns());
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// What a territory is benchmarked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// All EPCI of France (or of the chosen région).
    Epci,
    /// All départements of France (or of the chosen région).
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
    /// The territory's recent trend (Fingertips' test on its series, see `indicators::series`).
    pub trend: Trend,
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
    /// What the funnel tests, which says what its horizontal axis is.
    pub statistic: FunnelStatistic,
    /// The pooled value of the points, the limits' centre.
    pub target: f64,
    /// The set's territories and the benchmarked one.
    pub points: Vec<FunnelPoint>,
    /// The control limits, by increasing denominator.
    pub limits: Vec<funnel::FunnelLimit>,
    /// φ and τ² when the funnel was tested for overdispersion (among the EPCI of France,
    /// unless the catalogue says otherwise); the limits are widened when τ² > 0.
    pub dispersion: Option<funnel::Overdispersion>,
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

    /// Say in every table what data it comes from (a `data` column), as the other outputs do:
    /// per indicator, the provenance of the measures it reads (see
    /// [`super::diagnose::provenance_of`]), else `data_label`; the peers table, which is about
    /// territories, says `data_label`.
    pub fn label(&mut self, data_label: &str, provenance: &BTreeMap<String, Provenance>) -> Result<()> {
        let of = |id: &str| {
            self.ranks
                .iter()
                .find(|r| r.indicator.id == id)
                .and_then(|r| provenance_of(&r.indicator, provenance))
                .unwrap_or_else(|| data_label.to_owned())
        };
        let by_indicator = |df: &DataFrame| -> Result<Vec<String>> {
            let ids = df.column("indicator")?.str()?;
            Ok(ids.iter().map(|id| of(id.unwrap_or_default())).collect())
        };
        let data = [by_indicator(&self.summary)?, by_indicator(&self.funnel_points)?, by_indicator(&self.funnel_limits)?];
        for (df, data) in [&mut self.summary, &mut self.funnel_points, &mut self.funnel_limits].into_iter().zip(data) {
            df.with_column(Column::new("data".into(), data))?;
        }
        let n = self.peers.height();
        self.peers.with_column(Column::new("data".into(), vec![data_label; n]))?;
        Ok(())
    }
}

/// The part of a benchmark that is the same for every territory: every member of the set (all
/// EPCI or all départements of France) computed once, beside the France(s) compared with.
/// The reports of a run share it ([`Set::fits`]).
pub struct Set {
    against: Against,
    options: ComparatorOptions,
    /// The catalogue, the ICM's reference set (see `diagnose::with_icm_reference`).
    indicators: Vec<Indicator>,
    /// The set's members, then the Frances (see [`france_layers`]) and France entière.
    table: National,
    n_set: usize,
}

impl Set {
    /// Compute every member of the set `against` (see [`benchmark`]).
    pub fn new(r: &Referential, facts: &Interned, indicators: &[Indicator], against: Against, options: &ComparatorOptions) -> Result<Set> {
        let indicators = super::diagnose::with_icm_reference(indicators, options);
        let [epci, deps, _, _] = national_geographies(r);
        // The whole kind is computed, so that secondary suppression is the national table's
        // (it spans France); the région only restricts what is ranked and drawn.
        let set = match against {
            Against::Departements => deps,
            Against::Epci | Against::Peers => epci,
        };
        let n_set = set.len();
        let (mut layers, reference) = set_layers(r, options);
        layers.insert(0, ("set", set));
        let table = compute_all_with_reference(facts, layers, &indicators, n_set + reference, |_, _| {})?;
        Ok(Set { against, options: *options, indicators, table, n_set })
    }

    /// Whether this set is the one a benchmark against `against` with `options` and
    /// `indicators` computes.
    pub fn fits(&self, against: Against, options: &ComparatorOptions, indicators: &[Indicator]) -> bool {
        let kind = |a: Against| a == Against::Departements;
        kind(self.against) == kind(against)
            && self.options.france == options.france
            && self.options.icm_reference == options.icm_reference
            && self.indicators.len() == indicators.len()
            && self.indicators.iter().zip(indicators).all(|(a, b)| a.id == b.id)
    }
}

/// The layers computed beside a benchmark's set and beside its territory: the Frances of
/// `options` (see [`france_layers`]), then France entière, so that both aggregations read the
/// same units (which measures are synthetic, their years and grids are decided over the units
/// read) and a territory's values are those it would have computed with the set; and the
/// index of the ICM's reference among them.
fn set_layers(r: &Referential, options: &ComparatorOptions) -> (Vec<(&'static str, Vec<Geography>)>, usize) {
    let (mut layers, reference) = france_layers(&[options.france], options.icm_reference, r);
    layers.push(("all", vec![france_geography(France::Entiere, r)]));
    (layers, reference)
}

/// Benchmark territory `t` against a set of territories. Whether a missing row means 0 follows
/// each measure's provenance (the facts' `synthetic` column).
///
/// `options`: the territories ranked are those of `options.france` (France hexagonale leaves
/// out the EPCI and départements of the DROM), and the ICM's reference is
/// `options.icm_reference`.
#[allow(clippy::too_many_arguments)]
pub fn benchmark(
    t: &Territory,
    r: &Referential,
    facts: &Interned,
    indicators: &[Indicator],
    against: Against,
    region: Option<&str>,
    k: usize,
    options: &ComparatorOptions,
) -> Result<Benchmark> {
    let set = Set::new(r, facts, indicators, against, options)?;
    benchmark_in(t, r, facts, &set, against, region, k)
}

/// [`benchmark`] against a set computed already (the options and catalogue are the set's).
pub fn benchmark_in(
    t: &Territory,
    r: &Referential,
    facts: &Interned,
    shared: &Set,
    against: Against,
    region: Option<&str>,
    k: usize,
) -> Result<Benchmark> {
    let (indicators, options) = (&shared.indicators, &shared.options);
    if let Some(reg) = region {
        if !r.regions.contains_key(reg) {
            return Err(Error::input(Location::file("région"), format!("unknown région «{reg}»"), "give an INSEE région code such as 76"));
        }
    }
    let kind = match against {
        Against::Departements => "departement",
        Against::Epci | Against::Peers => "epci",
    };
    let set: Vec<Geography> = shared.table.geographies[..shared.n_set].iter().map(|(_, g)| g.clone()).collect();
    let outside: Vec<bool> = set
        .iter()
        .map(|g| {
            let first = g.units.first().and_then(|u| r.unit(u));
            region.is_some_and(|reg| first.is_none_or(|u| u.region != reg)) || first.is_none_or(|u| !options.france.holds(u))
        })
        .collect();
    let me = Geography { id: t.id.clone(), name: t.name.clone(), units: super::diagnose::with_whole_communes(t.units.clone(), r) };
    let nested = super::diagnose::nested_geographies(t, r, false);
    let n_set = set.len();
    // The partitions the national table suppresses in, over this kind.
    let mut partitions = vec![(0..n_set).collect::<Vec<usize>>()];
    if kind == "departement" {
        for reg in r.regions.keys() {
            partitions.push((0..n_set).filter(|&g| r.departements.get(&set[g].id).is_some_and(|d| &d.region == reg)).collect());
        }
    }
    // Layers: the set, the territory, the geographies nested with it, France (and the ICM's
    // reference when it is another France). The set's values are the shared set's; the
    // others are computed here, beside the same Frances.
    let n_nested = nested.len();
    let (frances, reference) = france_layers(&[options.france], options.icm_reference, r);
    let (mut layers, _) = set_layers(r, options);
    layers.splice(0..0, [("territory", vec![me.clone()]), ("nested", nested)]);
    let mine = compute_all_with_reference(facts, layers, indicators, 1 + n_nested + reference, |_, _| {})?;
    let territory = n_set;
    let france_index = territory + 1 + n_nested;
    let mut national = shared.table.joined(mine, n_set, 1 + n_nested + frances.iter().map(|(_, g)| g.len()).sum::<usize>());
    // France is published beside the territory: a difference with it would give a secret
    // value back, when the territory lies inside it.
    let in_france = options.france == France::Entiere || t.units(r).all(|u| options.france.holds(u));
    for (i, ind) in indicators.iter().enumerate() {
        let values = &mut national.values[i];
        secrecy::suppress_partitions(values, &partitions);
        // The territory withheld as in its diagnostic: by difference with a nested geography.
        let covered = &national.covered[i];
        let others: Vec<(String, Value, bool)> = (territory + 1..territory + 1 + n_nested)
            .chain(in_france.then_some(france_index))
            .map(|g| (national.geographies[g].1.name.clone(), values[g].clone(), covered[g] != covered[territory]))
            .collect();
        let neighbours: Vec<secrecy::Neighbour> =
            others.iter().map(|(name, value, between_has_data)| secrecy::Neighbour { name, value, between_has_data: *between_has_data }).collect();
        secrecy::withhold_by_difference(&mut values[territory], &neighbours, ind.min_count);
        // The same each year of its series.
        for (_, values) in &mut national.series[i] {
            secrecy::suppress_partitions(values, &partitions);
            let others: Vec<(String, Value, bool)> = (territory + 1..territory + 1 + n_nested)
                .chain(in_france.then_some(france_index))
                .map(|g| (national.geographies[g].1.name.clone(), values[g].clone(), covered[g] != covered[territory]))
                .collect();
            let neighbours: Vec<secrecy::Neighbour> = others
                .iter()
                .map(|(name, value, between_has_data)| secrecy::Neighbour { name, value, between_has_data: *between_has_data })
                .collect();
            secrecy::withhold_by_difference(&mut values[territory], &neighbours, ind.min_count);
        }
    }
    // A member of the set sharing communes with the territory (its own EPCI for an
    // EPCI-wide CLS, an EPCI inside a CPTS) would count the same people twice: it is left
    // out of ranks, funnels and peers.
    let mine_units: std::collections::HashSet<&str> = me.units.iter().map(String::as_str).collect();
    let overlaps: Vec<bool> = (0..n_set).map(|g| national.geographies[g].1.units.iter().any(|u| mine_units.contains(u.as_str()))).collect();

    // Peers: nearest by profile among the set (the territory itself excluded), on the
    // indicators the catalogue marks (`peers = "profile"`, and the log of the density or size).
    let value = |i: usize, g: usize| national.values[i][g].estimate.value;
    let role = |r: PeerRole| indicators.iter().position(|i| i.peers == Some(r));
    let profile: Vec<usize> = (0..indicators.len()).filter(|&i| indicators[i].peers == Some(PeerRole::Profile)).collect();
    // Density when the territory and nearly all of the set have one, from real areas (the
    // default data's, INSEE's; synthetic areas, drawn from the population when no real data is
    // embedded, carry no information of their own).
    let in_scope = (0..n_set).filter(|&g| !outside[g]).count();
    let density = role(PeerRole::Density).filter(|&d| {
        let with_density = (0..n_set).filter(|&g| !outside[g] && value(d, g).is_some()).count();
        !national.synthetic[d] && value(d, territory).is_some() && with_density * 20 >= in_scope * 19
    });
    let Some(size) = density.or(role(PeerRole::Size)) else {
        return Err(Error::input(
            Location::file("catalogue"),
            "no indicator is marked `peers = \"size\"` or `peers = \"density\"`",
            "mark the population (size) and the density in the catalogue",
        ));
    };
    let profile_of = |g: usize| -> Option<Vec<f64>> {
        let mut p: Vec<f64> = profile.iter().map(|&i| value(i, g)).collect::<Option<_>>()?;
        p.push(value(size, g)?.max(1e-3).log10());
        Some(p)
    };
    let profiles: Vec<Option<Vec<f64>>> = (0..=n_set).map(|g| if g < n_set && outside[g] { None } else { profile_of(g) }).collect();
    let dims = profile.len() + 1;
    let known: Vec<&Vec<f64>> = profiles.iter().flatten().collect();
    let mean: Vec<f64> = (0..dims).map(|d| known.iter().map(|p| p[d]).sum::<f64>() / known.len().max(1) as f64).collect();
    let sd: Vec<f64> =
        (0..dims).map(|d| (known.iter().map(|p| (p[d] - mean[d]).powi(2)).sum::<f64>() / known.len().max(1) as f64).sqrt().max(1e-12)).collect();
    let distance = |a: &[f64], b: &[f64]| (0..dims).map(|d| ((a[d] - b[d]) / sd[d]).powi(2)).sum::<f64>().sqrt();
    let Some(mine) = profiles[territory].clone() else {
        return Err(Error::input(
            Location::file(&t.id),
            "the territory's profile (age structure, unemployment, C2S share, density or population) is not available",
            "check the data",
        ));
    };
    let mut ranked: Vec<(usize, f64)> =
        (0..n_set).filter(|&g| !overlaps[g] && !outside[g]).filter_map(|g| profiles[g].as_ref().map(|p| (g, distance(p, &mine)))).collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    ranked.truncate(k);
    let pooled = Geography {
        id: "peers".into(),
        name: format!("{} territoires voisins par le profil", ranked.len()),
        units: ranked.iter().flat_map(|(g, _)| national.geographies[*g].1.units.clone()).collect(),
    };
    // The set ranks and funnels are drawn in: all non-overlapping members (of the région),
    // or the peers.
    let excluded: Vec<bool> = match against {
        Against::Peers => (0..n_set).map(|g| !ranked.iter().any(|(p, _)| *p == g)).collect(),
        _ => (0..n_set).map(|g| overlaps[g] || outside[g]).collect(),
    };
    let mut layers = vec![("territory", vec![me]), ("peers", vec![pooled])];
    layers.extend(frances);
    let mut peers_values = compute_all_with_reference(facts, layers, indicators, 2 + reference, |_, _| {})?;
    for (i, values) in peers_values.values.iter_mut().enumerate() {
        // The territory as withheld above; the pooled peers withheld when one of them is
        // secret (the pool minus the others would give it back).
        values[0] = national.values[i][territory].clone();
        if ranked.iter().any(|(g, _)| national.values[i][*g].is_secret()) {
            values[1].withhold(Withheld::SecretComplement);
        }
    }

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
            Some(p) if ind.method.is_compared() => compare(&peers_values.values[i][0].estimate, l, p, ind.polarity),
            _ => Comparison::NotCompared,
        };
        ranks.push(Ranked {
            indicator: ind.clone(),
            value: mine,
            rank,
            among: others.len() as u32,
            quintile,
            peers_value,
            against_peers: [against(0), against(1)],
            trend: national.trend(i, territory),
        });
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
    let mut trends = series::Columns::new();
    for r in &ranks {
        trends.push(&r.indicator, &r.trend);
    }
    let mut summary = summary;
    for c in trends.into_columns() {
        summary.with_column(c)?;
    }
    // Real indicators vary across 1,255 EPCI beyond chance: their funnels are widened
    // (Spiegelhalter 2005); among 101 départements they are kept exact.
    let funnels = funnels(&national, indicators, &excluded, territory, against != Against::Departements);
    let (funnel_points, funnel_limits) = funnel_frames(&funnels)?;
    let peers = DataFrame::new_infer_height(vec![
        Column::new("code".into(), ranked.iter().map(|(g, _)| national.geographies[*g].1.id.clone()).collect::<Vec<_>>()),
        Column::new("name".into(), ranked.iter().map(|(g, _)| national.geographies[*g].1.name.clone()).collect::<Vec<_>>()),
        Column::new("distance".into(), ranked.iter().map(|(_, d)| *d).collect::<Vec<_>>()),
        // The indicators of the profile (the log of the last): the density when real areas
        // allow, else the population.
        Column::new(
            "chosen_on".into(),
            vec![profile.iter().chain([&size]).map(|&i| indicators[i].id.as_str()).collect::<Vec<_>>().join(", "); ranked.len()],
        ),
    ])?;
    Ok(Benchmark { ranks, summary, funnel_points, funnel_limits, funnels, peers, set_values })
}

/// Funnel-plot data of every indicator with a denominator: the set's territories and the
/// benchmarked one (`is_territory`), with their significance, and the control limits.
///
/// A crude rate is judged and drawn at its population, so that a territory with no event
/// at all (an EPCI without any GP in `densite_mg`) is assessed and counts in the target
/// (Spiegelhalter 2005; PHEindicatormethods, rate_type "crude"); a DSR at its implied
/// denominator (events / rate), undefined and not assessed without events.
///
/// With `widen`, an indicator whose catalogue entry allows it is tested for overdispersion
/// and its limits widened when the points vary beyond chance ([`funnel::overdispersed`]).
fn funnels(national: &National, indicators: &[Indicator], excluded: &[bool], territory: usize, widen: bool) -> Vec<Funnel> {
    use rayon::prelude::*;
    let n_set = excluded.len();
    // Each indicator's funnel (exact limits at every size) on its own core, in order.
    let of_indicator = |(i, ind): (usize, &Indicator)| -> Option<Funnel> {
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
        let statistic = ind.method.funnel()?;
        let result = match statistic {
            FunnelStatistic::Proportion => funnel::proportion_funnel(&x, &d),
            FunnelStatistic::Ratio => funnel::ratio_funnel(&x, &d),
            FunnelStatistic::CrudeRate => funnel::rate_funnel_with_populations(&x, &v, Some(&d), ind.multiplier, false),
            FunnelStatistic::StandardisedRate => funnel::rate_funnel(&x, &v, ind.multiplier, true),
        };
        let result = result.ok()?;
        let (result, dispersion) = if widen && ind.overdispersion {
            let od = match statistic {
                FunnelStatistic::Proportion => funnel::OdStatistic::Proportion,
                FunnelStatistic::Ratio => funnel::OdStatistic::Ratio,
                FunnelStatistic::CrudeRate | FunnelStatistic::StandardisedRate => funnel::OdStatistic::Rate { multiplier: ind.multiplier },
            };
            funnel::overdispersed(result, &x, od)
        } else {
            (result, None)
        };
        // Limits in the unit of the values: a ratio funnel is O/E (the ICM is O/E × 100), a
        // proportion funnel a fraction; rates come scaled already.
        let scale = match statistic {
            FunnelStatistic::Ratio => 100.0,
            FunnelStatistic::Proportion => ind.multiplier,
            FunnelStatistic::CrudeRate | FunnelStatistic::StandardisedRate => 1.0,
        };
        let points = points
            .iter()
            .enumerate()
            .map(|(k, &g)| FunnelPoint {
                code: national.geographies[g].1.id.clone(),
                name: national.geographies[g].1.name.clone(),
                numerator: x[k],
                // Points sit where their significance was judged: a DSR's implied
                // denominator, a crude rate's population.
                denominator: match statistic {
                    FunnelStatistic::StandardisedRate if v[k] > 0.0 => ind.multiplier * x[k] / v[k],
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
        Some(Funnel { indicator: ind.id.clone(), statistic, target: result.target * scale, points, limits, dispersion })
    };
    indicators.par_iter().enumerate().filter_map(of_indicator).collect()
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
        Column::new("phi".into(), all_limits().map(|(f, _)| f.dispersion.map(|d| d.phi)).collect::<Vec<_>>()),
        Column::new("tau2".into(), all_limits().map(|(f, _)| f.dispersion.map(|d| d.tau2)).collect::<Vec<_>>()),
    ])?;
    Ok((points, limits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{catalogue, Method};

    #[test]
    fn an_epci_without_gp_is_assessed_in_the_densite_mg_funnel() {
        // Issue 12: a crude rate with 0 events had no implied denominator (0 / 0), so an
        // EPCI without any GP was left unassessed and out of the target.
        let ind = catalogue::load(None).unwrap().into_iter().find(|i| i.id == "densite_mg").unwrap();
        assert_eq!(ind.method, Method::CrudeRate);
        // (GPs, population): four EPCI of the set, the territory, France.
        let data = [(160.0, 200_000.0), (80.0, 100_000.0), (0.0, 20_000.0), (40.0, 50_000.0), (24.0, 30_000.0), (304.0, 400_000.0)];
        let values: Vec<Value> = data
            .iter()
            .map(|&(x, n)| Value {
                count: Some(x),
                denominator: Some(n),
                estimate: crate::stats::rate::crude_rate(x, n, ind.multiplier, &[0.95, 0.998]).unwrap(),
                withheld: None,
            })
            .collect();
        let geo = |i: usize| Geography { id: format!("E{i}"), name: format!("EPCI {i}"), units: vec![] };
        let kinds = ["set", "set", "set", "set", "territory", "france"];
        let national = National {
            geographies: kinds.iter().enumerate().map(|(i, k)| (*k, geo(i))).collect(),
            indicators: vec![ind.clone()],
            values: vec![values],
            covered: vec![vec![1; 6]],
            synthetic: vec![false],
            from_departements: vec![vec![false; 6]],
            frances: vec![],
            series: vec![vec![]],
            latest: vec![2023],
        };
        let (points, limits) = funnel_frames(&funnels(&national, std::slice::from_ref(&ind), &[false; 4], 4, false)).unwrap();
        assert_eq!(points.height(), 5, "the four EPCI and the territory");
        let sig = points.column("significance").unwrap().str().unwrap();
        let den = points.column("denominator").unwrap().f64().unwrap();
        // Target = 304 GPs / 400,000 people × 10,000 = 7.6, the EPCI without GP included.
        // Its 99.8 % upper limit is −ln(0.001) / 20,000 × 10,000 = 3.45 < 7.6: Low (0.001).
        assert_eq!(sig.get(2), Some("Low (0.001)"));
        assert_eq!(den.get(2), Some(20_000.0), "drawn at its population");
        assert!((0..5).filter(|&k| k != 2).all(|k| sig.get(k) == Some("Not significant")), "{points}");
        assert_eq!(den.get(0), Some(200_000.0));
        let target = limits.column("target").unwrap().f64().unwrap();
        assert!((target.get(0).unwrap() - 7.6).abs() < 1e-12, "{limits}");
        let lden = limits.column("denominator").unwrap().f64().unwrap();
        assert_eq!(lden.get(0), Some(20_000.0), "the limits start at the smallest population");
        // Among EPCI the funnel is tested for overdispersion (the EPCI without GP makes it
        // vary beyond chance) unless its catalogue entry says not to.
        let widened = funnels(&national, std::slice::from_ref(&ind), &[false; 4], 4, true);
        let d = widened[0].dispersion.expect("tested");
        assert!(d.phi > 1.0 && d.tau2 > 0.0, "{d:?}");
        let exact = Indicator { overdispersion: false, ..ind.clone() };
        assert!(funnels(&national, std::slice::from_ref(&exact), &[false; 4], 4, true)[0].dispersion.is_none());
        assert!(funnels(&national, std::slice::from_ref(&ind), &[false; 4], 4, false)[0].dispersion.is_none());
    }
}
