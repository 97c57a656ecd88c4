//! The APL of every commune of France from the loaded data: demand from the communes'
//! population by sex and age (the facts' `population`), supply from a GP roster (the national
//! one of the data, a territory's own replacing its communes' GPs), travel times from
//! [`super::travel`]; and the APL projected under the retirement scenarios of
//! [`crate::project`] (GPs leaving at their scenario's age, entries as configured, demand from
//! the ageing population).

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use super::{band_weight, two_step, weights, Network, ACTIVITY};
use crate::error::Result;
use crate::geo::Referential;
use crate::indicators::evaluate::{Geography, Interned};
use crate::ingest::cpam::{classify, Profession};
use crate::project::demand::{self, Band, DemandAssumptions};
use crate::project::supply::Rule;
use crate::project::territory::{pyramids_of, EntryCount};

/// DREES's age limit of its second APL (« de moins de 65 ans »: GPs under 65 in the year).
pub const UNDER_AGE: i32 = 65;

/// One commune of the computation.
#[derive(Debug, Clone)]
pub struct Commune {
    pub code: String,
    pub name: String,
    /// Population (Σ of its bands by sex and age).
    pub population: f64,
    /// Σ people × the APL year's age weight of their band.
    pub standardised: f64,
    pub point: Option<(f64, f64)>,
    /// Men's and women's bands, with France's death rates (the projection's input).
    pub pyramids: Vec<Vec<Band>>,
}

/// One GP of the supply.
#[derive(Debug, Clone, PartialEq)]
pub struct GpSupply {
    pub commune: usize,
    /// Unknown for GPs known only as a headcount ([`headcounts`]).
    pub birth_year: Option<i32>,
    /// Consultations counted by DREES's rules ([`super::Activity::counted`]).
    pub counted: f64,
}

/// The inputs of a national computation.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub communes: Vec<Commune>,
    pub gps: Vec<GpSupply>,
    /// The year of the APL (ages of GPs, new GPs, age weights).
    pub year: i32,
    /// What was imputed to GPs without an activity (consultations before DREES's caps), and
    /// to how many.
    pub imputed_activity: f64,
    pub imputed_gps: usize,
}

/// The communes of France with their centroid (see [`crate::geo::centroids`]), population and
/// standardised population from `facts` (population by sex and age band, and France's deaths
/// by sex and age for the projection's survival).
pub fn communes(facts: &Interned, r: &Referential, year: i32) -> Result<Vec<Commune>> {
    let list: Vec<&crate::geo::Unit> = r.communes().filter(|u| u.in_france()).collect();
    let mut geos: Vec<Geography> = list
        .iter()
        .map(|u| Geography { id: u.code.clone(), name: u.name.clone(), units: r.base_units(&u.code).iter().map(|b| b.code.clone()).collect() })
        .collect();
    geos.push(crate::compare::benchmark::national_geographies(r)[3][0].clone());
    let agg = facts.aggregate_only(&geos, &["population", "deaths_all_causes"])?;
    let france = geos.len() - 1;
    let w = weights(year);
    let centroids = crate::geo::centroids(r);
    Ok(list
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let pyramids = pyramids_of(&agg, i, france);
            let bands = || pyramids.iter().flatten();
            Commune {
                code: u.code.clone(),
                name: u.name.clone(),
                population: bands().map(|b| b.people).sum(),
                standardised: bands().map(|b| b.people * band_weight(b.start, b.end, w)).sum(),
                point: centroids.get(u.code.as_str()).copied(),
                pyramids,
            }
        })
        .collect())
}

/// The GPs of `roster` (an ingested roster's columns: `geo`, `birth_year`, `activity`,
/// `installation_year`, `profession`) in the communes of `index`, those of `skip` left out.
/// The activity: consultations when over 2, else a full-time equivalent (× the mean); a GP
/// without one gets the mean consultations of those with one (DREES's 5,400 when none has):
/// returned with the GPs. A GP installed in `year` or later is new to liberal practice.
pub fn gps(
    roster: &DataFrame,
    r: &Referential,
    index: &HashMap<&str, usize>,
    year: i32,
    skip: &HashSet<usize>,
) -> Result<(Vec<GpSupply>, f64, usize)> {
    let n = roster.height();
    let geo = roster.column("geo")?.str()?;
    let birth = roster.column("birth_year")?.cast(&DataType::Int32)?;
    let birth = birth.i32()?;
    let float = |name: &str| -> Result<Vec<Option<f64>>> {
        Ok(match roster.column(name) {
            Ok(c) => c.cast(&DataType::Float64)?.f64()?.iter().collect(),
            Err(_) => vec![None; n],
        })
    };
    let (activity, installed) = (float("activity")?, float("installation_year")?);
    let profession = roster.column("profession").ok().map(|c| c.str()).transpose()?;
    let mut rows = Vec::new();
    for i in 0..n {
        if profession.is_some_and(|p| classify(p.get(i).unwrap_or_default()) != Profession::Gp) {
            continue;
        }
        let (Some(code), Some(b)) = (geo.get(i), birth.get(i)) else { continue };
        let commune = r.unit(code).map_or(code, |u| u.commune.as_str());
        let Some(&c) = index.get(commune) else { continue };
        if skip.contains(&c) {
            continue;
        }
        let new = installed[i].is_some_and(|y| y >= f64::from(year));
        rows.push((c, b, activity[i].filter(|a| a.is_finite() && *a >= 0.0), new));
    }
    let known: Vec<f64> = rows.iter().filter_map(|r| r.2).filter(|a| *a > 2.0).collect();
    let mean = if known.is_empty() { ACTIVITY.new_gp } else { known.iter().sum::<f64>() / known.len() as f64 };
    let imputed = rows.iter().filter(|r| r.2.is_none_or(|a| a <= 2.0)).count();
    let gps = rows
        .into_iter()
        .map(|(commune, birth_year, a, new)| {
            let raw = match a {
                Some(a) if a > 2.0 => a,
                Some(fte) if fte > 0.0 => fte * mean,
                _ => mean,
            };
            GpSupply { commune, birth_year: Some(birth_year), counted: ACTIVITY.counted(raw, new) }
        })
        .collect();
    Ok((gps, mean, imputed))
}

/// The GPs of the facts' headcounts by commune (BPE D201 « médecin omnipraticien »,
/// `equipment_d201`), when there is no roster: each counted [`super::Activity::new_gp`]
/// consultations (5,400, DREES's imputation for a GP whose activity is not known), their
/// ages unknown.
pub fn headcounts(facts: &Interned, r: &Referential, index: &HashMap<&str, usize>) -> Result<Vec<GpSupply>> {
    let mut out = Vec::new();
    for i in facts.rows_of("equipment_d201") {
        let row = facts.row(i);
        let (code, Some(n)) = (row.geo, row.value) else { continue };
        let commune = r.unit(code).map_or(code, |u| u.commune.as_str());
        if let Some(&c) = index.get(commune) {
            out.extend((0..n.round().clamp(0.0, 1e5) as usize).map(|_| GpSupply { commune: c, birth_year: None, counted: ACTIVITY.new_gp }));
        }
    }
    Ok(out)
}

/// Each commune's counted consultations, all GPs and GPs under [`UNDER_AGE`] in `year`.
pub fn supply(inputs: &Inputs) -> (Vec<f64>, Vec<f64>) {
    let n = inputs.communes.len();
    let (mut all, mut under) = (vec![0.0; n], vec![0.0; n]);
    for g in &inputs.gps {
        all[g.commune] += g.counted;
        if g.birth_year.is_some_and(|b| inputs.year - b < UNDER_AGE) {
            under[g.commune] += g.counted;
        }
    }
    (all, under)
}

/// Each commune's APL to all GPs and to GPs under 65.
pub fn compute(inputs: &Inputs, network: &Network) -> (Vec<f64>, Vec<f64>) {
    let demand: Vec<f64> = inputs.communes.iter().map(|c| c.standardised).collect();
    let (all, under) = supply(inputs);
    (two_step(network, &demand, &all), two_step(network, &demand, &under))
}

/// The network of the inputs' communes from their centroids.
pub fn estimated_network(inputs: &Inputs, estimate: &super::travel::Estimate) -> Network {
    estimate.network(&inputs.communes.iter().map(|c| c.point).collect::<Vec<_>>())
}

/// The APL of the communes of `territory` `offset` years after `inputs.year` under `rule`
/// (NaN elsewhere): each GP counted with the probability they are still active, entries (per
/// year, at their age, counted as new GPs: 5,400) settling where GPs are today in proportion
/// to them, `entries.per_year` being a number for the GPs of `territory` (the same rate
/// elsewhere) or a rate; each commune's standardised population changed as its pyramid ages
/// ([`demand::project`]). Only the pyramids whose demand reaches the territory's GPs
/// ([`Network::demand_behind`]) are projected: the 2SFCA is local, and the territory's APL is
/// the same to the last bit as over all of France.
pub fn projected(
    inputs: &Inputs,
    network: &Network,
    rule: &Rule,
    entries: (EntryCount, u32),
    territory: &HashSet<usize>,
    offset: u32,
    assumptions: &DemandAssumptions,
) -> Vec<f64> {
    let n = inputs.communes.len();
    let mut heads = vec![0.0; n];
    let mut supply = vec![0.0; n];
    for g in &inputs.gps {
        heads[g.commune] += 1.0;
        // A GP of unknown age stays (the projection is not run on headcounts: see [`run`]).
        let p = g.birth_year.map_or(1.0, |b| rule.active_probability(b, inputs.year, inputs.year + offset as i32));
        supply[g.commune] += g.counted * p;
    }
    let territory_heads: f64 = territory.iter().map(|&c| heads[c]).sum();
    let rate = match entries.0 {
        EntryCount::Rate(r) => r,
        EntryCount::PerYear(k) if territory_heads > 0.0 => k / territory_heads,
        EntryCount::PerYear(_) => 0.0,
    };
    // An entrant of year `a` (1..=offset), still active at the horizon with the rule's
    // probability at their age.
    let entrant: f64 = (1..=offset)
        .map(|a| {
            let arrival = inputs.year + a as i32;
            rule.active_probability(arrival - entries.1 as i32, arrival, inputs.year + offset as i32)
        })
        .sum();
    for (s, h) in supply.iter_mut().zip(&heads) {
        *s += rate * h * entrant * ACTIVITY.new_gp;
    }
    use rayon::prelude::*;
    let needed = network.demand_behind(territory.iter().copied());
    let demand: Vec<f64> = inputs
        .communes
        .par_iter()
        .zip(&needed)
        .map(|(c, &needed)| {
            if !needed || c.standardised <= 0.0 {
                return 0.0;
            }
            let years = demand::project(&c.pyramids, offset, assumptions);
            let (now, then) = (years[0].1, years[offset as usize].1);
            if now > 0.0 {
                c.standardised * then / now
            } else {
                c.standardised
            }
        })
        .collect();
    let apl = two_step(network, &demand, &supply);
    apl.into_iter().enumerate().map(|(i, v)| if territory.contains(&i) { v } else { f64::NAN }).collect()
}

/// What [`run`] is asked.
#[derive(Debug, Clone)]
pub struct Options {
    /// The APL's year: GPs' ages, new GPs, the age weights ([`super::weights`]).
    pub year: i32,
    /// Travel times: a matrix file, else the estimate.
    pub times: Option<std::path::PathBuf>,
    pub estimate: super::travel::Estimate,
    /// Retirement scenarios projected, and the years ahead.
    pub scenarios: Vec<crate::project::territory::Scenario>,
    pub offsets: Vec<u32>,
    pub entries: EntryCount,
    pub assumptions: DemandAssumptions,
}

/// The APL of one scenario, some years ahead, for the territory (DREES's aggregate).
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    pub scenario: String,
    pub year: i32,
    pub offset: u32,
    pub apl: Option<f64>,
}

/// The national computation and what it says of a territory.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub inputs: Inputs,
    pub apl: Vec<f64>,
    pub apl_under_65: Vec<f64>,
    /// The territory's communes (indices into `inputs.communes`).
    pub territory: Vec<usize>,
    pub aggregate: Option<f64>,
    pub aggregate_under_65: Option<f64>,
    pub projected: Vec<Projected>,
    /// Whether the GPs (supply) are synthetic; whether the population by age is.
    pub synthetic_roster: bool,
    pub synthetic_population: bool,
    /// « INSEE, RP 2021 » or the demo's label: where the population by age comes from.
    pub population_source: String,
    /// How travel times were had, in French.
    pub times_source: String,
    /// Where the GPs come from, in French.
    pub supply_source: String,
    pub pairs: usize,
}

/// The APL of every commune of France from `data` (its population by sex and age, its
/// roster; `own_roster`, a territory's roster, replacing the GPs of the territory's
/// communes), the territory's aggregate, and its projection under `options.scenarios`.
pub fn run(
    data: &crate::ingest::load::Data,
    facts: &Interned,
    r: &Referential,
    units: &[String],
    own_roster: Option<&DataFrame>,
    options: &Options,
) -> Result<Outcome> {
    Ok(today(data, facts, r, units, own_roster, options)?.outcome(r, units, options))
}

/// The APL of every commune of France today, before a territory's projection: the same for
/// every territory that brings no roster of its own (the reports of a run share it).
pub struct Today {
    inputs: Inputs,
    network: Network,
    apl: Vec<f64>,
    apl_under_65: Vec<f64>,
    synthetic_roster: bool,
    synthetic_population: bool,
    population_source: String,
    times_source: String,
    supply_source: String,
}

/// The territory of `units` as indices into `communes` (their communes, once each, in order).
fn territory_of(communes: &[Commune], r: &Referential, units: &[String]) -> Vec<usize> {
    let index: HashMap<&str, usize> = communes.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    let mut territory: Vec<usize> = units.iter().filter_map(|u| index.get(r.unit(u).map_or(u.as_str(), |x| x.commune.as_str())).copied()).collect();
    territory.sort_unstable();
    territory.dedup();
    territory
}

/// The first part of [`run`]: the APL of every commune of France today (`units`: the
/// territory whose GPs `own_roster` replaces; not read without one). `options.scenarios`,
/// `offsets`, `entries` and `assumptions` are not read.
pub fn today(
    data: &crate::ingest::load::Data,
    facts: &Interned,
    r: &Referential,
    units: &[String],
    own_roster: Option<&DataFrame>,
    options: &Options,
) -> Result<Today> {
    let communes = communes(facts, r, options.year)?;
    let codes: Vec<String> = communes.iter().map(|c| c.code.clone()).collect();
    let index: HashMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let inside: HashSet<usize> = territory_of(&communes, r, units).into_iter().collect();
    let none = HashSet::new();
    let national =
        data.roster.as_ref().map(|roster| gps(roster, r, &index, options.year, if own_roster.is_some() { &inside } else { &none })).transpose()?;
    let (mut list, mut imputed_activity, mut imputed_gps) = match national {
        Some(n) => n,
        // No roster: the headcounts by commune, each GP imputed DREES's 5,400.
        None => {
            let list = headcounts(facts, r, &index)?;
            let k = list.len();
            (list, ACTIVITY.new_gp, k)
        }
    };
    let supply_source = if data.roster.is_some() {
        "répertoire des médecins (commune, âge, activité)".to_owned()
    } else {
        "effectifs de médecins omnipraticiens par commune (BPE), 5 400 consultations chacun (valeur imputée par la DREES à un médecin sans activité connue)".to_owned()
    };
    let synthetic_gp =
        data.provenance.get(if data.roster.is_some() { "gp" } else { "equipment_d201" }).is_none_or(crate::facts::Provenance::is_synthetic);
    let synthetic_roster = match own_roster {
        Some(own) => {
            let outside: HashSet<usize> = (0..communes.len()).filter(|c| !inside.contains(c)).collect();
            // The neighbours' GPs still come from the data (none when the territory is France).
            let neighbours = !list.is_empty();
            let (mine, mean, k) = gps(own, r, &index, options.year, &outside)?;
            list.extend(mine);
            (imputed_activity, imputed_gps) = (mean, imputed_gps + k);
            synthetic_gp && neighbours
        }
        None => synthetic_gp,
    };
    let population = crate::facts::provenance_of(&data.provenance, &crate::facts::breakdown_key("population"));
    let inputs = Inputs { communes, gps: list, year: options.year, imputed_activity, imputed_gps };
    let (network, times_source) = match &options.times {
        Some(file) => (super::travel::read_times(file, &index)?, format!("temps de trajet de {}", file.display())),
        None => (
            estimated_network(&inputs, &options.estimate),
            format!(
                "temps estimés : distance à vol d'oiseau entre centroïdes × {} ÷ {} km/h",
                options.estimate.detour.to_string().replace('.', ","),
                options.estimate.speed_kmh
            ),
        ),
    };
    let (apl, apl_under_65) = compute(&inputs, &network);
    Ok(Today {
        inputs,
        network,
        apl,
        apl_under_65,
        synthetic_roster,
        synthetic_population: population.is_none_or(crate::facts::Provenance::is_synthetic),
        population_source: population.map_or_else(|| data.label.clone(), ToString::to_string),
        times_source,
        supply_source,
    })
}

impl Today {
    /// The second part of [`run`]: the territory of `units`, its APL today, and its projection
    /// under `options.scenarios`.
    pub fn outcome(&self, r: &Referential, units: &[String], options: &Options) -> Outcome {
        let inputs = &self.inputs;
        let territory = territory_of(&inputs.communes, r, units);
        let inside: HashSet<usize> = territory.iter().copied().collect();
        let agg = |v: &[f64]| super::aggregate(territory.iter().map(|&i| (v[i], inputs.communes[i].standardised)));
        let mut projected_rows = Vec::new();
        // GPs of unknown age (headcounts) can be neither projected nor counted under 65.
        let ages_known = inputs.gps.iter().all(|g| g.birth_year.is_some());
        for s in options.scenarios.iter().filter(|_| ages_known) {
            let entries = match s.entries {
                Some((count, age, _)) => (count, age),
                None => (options.entries, crate::project::supply::Entries::none().age),
            };
            for &offset in &options.offsets {
                let v = projected(inputs, &self.network, &s.rule, entries, &inside, offset, &options.assumptions);
                projected_rows.push(Projected { scenario: s.name.clone(), year: options.year + offset as i32, offset, apl: agg(&v) });
            }
        }
        Outcome {
            aggregate: agg(&self.apl),
            aggregate_under_65: agg(&self.apl_under_65).filter(|_| ages_known),
            supply_source: self.supply_source.clone(),
            apl: self.apl.clone(),
            apl_under_65: self.apl_under_65.clone(),
            projected: projected_rows,
            synthetic_roster: self.synthetic_roster,
            synthetic_population: self.synthetic_population,
            population_source: self.population_source.clone(),
            times_source: self.times_source.clone(),
            pairs: self.network.pairs(),
            territory,
            inputs: inputs.clone(),
        }
    }
}

/// The territory's communes as a table: code, name, APL (all GPs, GPs under 65),
/// standardised population, population, DREES's class, synthetic.
pub fn frame(o: &Outcome) -> Result<DataFrame> {
    let c = |i: &usize| &o.inputs.communes[*i];
    let t = &o.territory;
    // Three decimals, as DREES publishes its APL and standardised populations.
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    Ok(DataFrame::new_infer_height(vec![
        Column::new("code_commune".into(), t.iter().map(|i| c(i).code.clone()).collect::<Vec<_>>()),
        Column::new("commune".into(), t.iter().map(|i| c(i).name.clone()).collect::<Vec<_>>()),
        Column::new("apl_mg".into(), t.iter().map(|&i| round(o.apl[i])).collect::<Vec<_>>()),
        Column::new("apl_mg_moins_65ans".into(), t.iter().map(|&i| round(o.apl_under_65[i])).collect::<Vec<_>>()),
        Column::new("pop_standardisee".into(), t.iter().map(|i| round(c(i).standardised)).collect::<Vec<_>>()),
        Column::new("pop_totale".into(), t.iter().map(|i| round(c(i).population)).collect::<Vec<_>>()),
        Column::new("classe".into(), t.iter().map(|&i| super::class(o.apl[i])).collect::<Vec<_>>()),
        Column::new("synthetique".into(), vec![o.synthetic_roster || o.synthetic_population; t.len()]),
    ])?)
}

/// The projection in one French sentence per scenario: « l'APL de X passerait de 3,1 à 2,4
/// en 2030 et 2,0 en 2035 (scénario legal-62, sans installation nouvelle) »; `entries` says
/// the entries assumed.
pub fn sentences(o: &Outcome, name: &str, entries: &str) -> Vec<String> {
    let fr = |v: f64| format!("{v:.1}").replace('.', ",");
    let Some(now) = o.aggregate else { return Vec::new() };
    let mut scenarios: Vec<&str> = o.projected.iter().map(|p| p.scenario.as_str()).collect();
    scenarios.dedup();
    scenarios
        .into_iter()
        .map(|s| {
            let steps: Vec<String> =
                o.projected.iter().filter(|p| p.scenario == s).filter_map(|p| p.apl.map(|a| format!("{} en {}", fr(a), p.year))).collect();
            format!("L'APL de {name} passerait de {} à {} (scénario {s}, {entries})", fr(now), steps.join(" et "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headcounts_count_each_gp_at_dreess_imputed_activity_and_no_age() {
        let r = Referential::embedded().unwrap();
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), ["30003", "30003", "30006", "99999"]),
            Column::new("measure".into(), ["equipment_d201", "population", "equipment_d201", "equipment_d201"]),
            Column::new("sex".into(), ["all"; 4]),
            Column::new("age_min".into(), [None::<u32>; 4]),
            Column::new("age_max".into(), [None::<u32>; 4]),
            Column::new("value".into(), [2.0, 8000.0, 1.0, 4.0]),
        ])
        .unwrap();
        let facts = Interned::new(&facts).unwrap();
        let index: HashMap<&str, usize> = [("30003", 0), ("30006", 1)].into_iter().collect();
        let gps = headcounts(&facts, &r, &index).unwrap();
        assert_eq!(gps.len(), 3, "2 in Aigues-Mortes, 1 in Aimargues, the unknown code left out");
        assert!(gps.iter().all(|g| g.counted == 5400.0 && g.birth_year.is_none()));
        let commune =
            |code: &str| Commune { code: code.into(), name: code.into(), population: 0.0, standardised: 0.0, point: None, pyramids: Vec::new() };
        let inputs = Inputs { communes: vec![commune("30003"), commune("30006")], gps, year: 2024, imputed_activity: 5400.0, imputed_gps: 3 };
        // Ages unknown: none is counted among the GPs under 65.
        assert_eq!(supply(&inputs), (vec![10800.0, 5400.0], vec![0.0, 0.0]));
    }
}
