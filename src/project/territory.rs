//! The projection of one territory: its GPs under each retirement scenario ([`super::supply`])
//! against the consultations its ageing population will need ([`super::demand`]). Shared by
//! `diagsante project` and the report.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use polars::prelude::*;
use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::indicators::evaluate::{Aggregated, Geography, Interned};
use crate::ingest::cpam::{classify, Profession};
use crate::ingest::Sex;
use crate::project::demand::{self, Band, DemandAssumptions};
use crate::project::supply::{self, Entries, Gp, Rule};

/// Year 0 of a projection by default (the year the roster's ages are read at).
pub const REFERENCE_YEAR: i32 = 2024;

/// The presets of `--scenario`, in the order the report shows them.
pub const PRESETS: [&str; 4] = ["legal-62", "reform-2023", "full-rate-67", "observed"];

/// A named retirement rule, with the entries of its scenario file if it has some.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub rule: Rule,
    /// Entries of a scenario file: (per year, or as a rate of today's headcount), age, FTE.
    pub entries: Option<(EntryCount, u32, f64)>,
}

/// New GPs a year: a number, or a share of today's headcount.
#[derive(Debug, Clone, Copy)]
pub enum EntryCount {
    PerYear(f64),
    Rate(f64),
}

impl EntryCount {
    pub fn per_year(self, headcount: usize) -> f64 {
        match self {
            EntryCount::PerYear(n) => n,
            EntryCount::Rate(r) => r * headcount as f64,
        }
    }
}

/// A scenario file: `name`, one of `stop_at = 62`, `reform_2023 = true` or
/// `exits = { 60 = 0.05, 62 = 0.3, 67 = 0.6, 70 = 1.0 }` (probability of stopping during the
/// year from that age on), and optionally `[entries] per_year, age, fte`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    stop_at: Option<f64>,
    #[serde(default)]
    reform_2023: Option<bool>,
    #[serde(default)]
    exits: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    entries: Option<EntriesFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesFile {
    #[serde(default)]
    per_year: Option<f64>,
    /// A share of today's headcount instead of a number.
    #[serde(default)]
    rate: Option<f64>,
    #[serde(default)]
    age: Option<u32>,
    #[serde(default)]
    fte: Option<f64>,
}

impl Scenario {
    /// A preset (see [`PRESETS`]) or a scenario file.
    pub fn parse(spec: &str) -> Result<Scenario> {
        let preset = |name: &str, rule| Ok(Scenario { name: name.to_owned(), rule, entries: None });
        match spec {
            "legal-62" => preset(spec, Rule::StopAt(62.0)),
            "reform-2023" => preset(spec, Rule::Reform2023),
            "full-rate-67" => preset(spec, Rule::StopAt(67.0)),
            "observed" => preset(spec, Rule::Exits(supply::observed_exits())),
            file => Scenario::from_file(file),
        }
    }

    fn from_file(file: &str) -> Result<Scenario> {
        let path = PathBuf::from(file);
        let text = std::fs::read_to_string(&path).map_err(|_| {
            Error::input(
                Location::file("scenario"),
                format!("«{file}» is neither a preset nor a readable file"),
                "use legal-62, reform-2023, full-rate-67, observed or a scenario .toml file",
            )
        })?;
        let bad = |m: String| Error::input(Location::file(file), m, "see the scenario file format in the README (GP projection)");
        let s: ScenarioFile = toml::from_str(&text).map_err(|e| bad(format!("invalid scenario file: {}", e.message())))?;
        let rule = match (s.stop_at, s.reform_2023, s.exits) {
            (Some(a), None, None) if a > 0.0 => Rule::StopAt(a),
            (None, Some(true), None) => Rule::Reform2023,
            (None, None, Some(table)) => {
                let mut t = BTreeMap::new();
                for (age, p) in table {
                    let a: u32 = age.parse().map_err(|_| bad(format!("exits: «{age}» is not an age")))?;
                    if !(0.0..=1.0).contains(&p) {
                        return Err(bad(format!("exits: probability {p} at {a} is not between 0 and 1")));
                    }
                    t.insert(a, p);
                }
                Rule::Exits(t)
            }
            _ => return Err(bad("give exactly one of stop_at, reform_2023 = true or exits".into())),
        };
        let entries = match s.entries {
            None => None,
            Some(e) => {
                let count = match (e.per_year, e.rate) {
                    (Some(n), None) if n.is_finite() && n >= 0.0 => EntryCount::PerYear(n),
                    (None, Some(r)) if r.is_finite() && r >= 0.0 => EntryCount::Rate(r),
                    _ => return Err(bad("[entries] needs one of per_year or rate, ≥ 0".into())),
                };
                let fte = e.fte.unwrap_or(1.0);
                if !(fte > 0.0 && fte <= 2.0) {
                    return Err(bad(format!("[entries] fte {fte} is not between 0 and 2")));
                }
                Some((count, e.age.unwrap_or(35), fte))
            }
        };
        Ok(Scenario { name: s.name, rule, entries })
    }
}

/// The territory's GPs from a roster frame (`id, geo, birth_year`, optional `profession`,
/// `activity`): the rows of another profession are left out here, so that every caller
/// (`project`, the report) projects GPs only; without a `profession` column, every row is a GP.
/// An activity of at most 2 is read as an FTE (`etp`); a larger one is a number of
/// consultations, and the GP counts as one FTE.
pub fn gps_of(roster: &DataFrame, units: &[String]) -> Result<Vec<Gp>> {
    let set: HashSet<&str> = units.iter().map(String::as_str).collect();
    let (id, geo, birth) = (roster.column("id")?.str()?, roster.column("geo")?.str()?, roster.column("birth_year")?.i32()?);
    let profession = roster.column("profession").ok().map(|c| c.str()).transpose()?;
    let mut is_gp: HashMap<&str, bool> = HashMap::new();
    let mut gp_row = |i: usize| match profession {
        None => true,
        Some(p) => {
            let label = p.get(i).unwrap_or_default();
            *is_gp.entry(label).or_insert_with(|| classify(label) == Profession::Gp)
        }
    };
    let activity = roster.column("activity").ok().map(|c| c.cast(&DataType::Float64)).transpose()?;
    let activity = activity.as_ref().map(|c| c.f64()).transpose()?;
    let mut out = Vec::new();
    for i in 0..roster.height() {
        if let (Some(code), Some(b)) = (geo.get(i), birth.get(i)) {
            if set.contains(code) && gp_row(i) {
                let fte = activity.and_then(|a| a.get(i)).filter(|a| *a > 0.0 && *a <= 2.0).unwrap_or(1.0);
                out.push(Gp { id: id.get(i).unwrap_or_default().to_owned(), birth_year: b, fte });
            }
        }
    }
    Ok(out)
}

/// The demand side's inputs: the territory's pyramid by sex (men, women) with France's death
/// rate of each band. Empty when the facts hold no population by sex and age.
pub fn pyramids(facts: &Interned, territory: Geography, france: Geography) -> Result<Vec<Vec<Band>>> {
    Ok(pyramids_of(&facts.aggregate(&[territory, france])?, 0, 1))
}

/// [`pyramids`] from counts already aggregated, the territory and France at the indices given.
pub fn pyramids_of(agg: &Aggregated, territory: usize, france: usize) -> Vec<Vec<Band>> {
    let mut out = Vec::new();
    for sex in [Sex::Male, Sex::Female] {
        let pop = agg.breakdown(territory, "population", sex);
        let fr_pop = agg.breakdown(france, "population", sex);
        let fr_deaths = agg.breakdown(france, "deaths_all_causes", sex);
        // France's death rate of the deaths band holding each population band (population
        // bands may be finer: 15-17 and 18-19 inside 15-19).
        let inside = |a: u32, z: Option<u32>, outer: (Option<u32>, Option<u32>)| {
            outer.0.is_some_and(|oa| oa <= a)
                && match (z, outer.1) {
                    (_, None) => true,
                    (Some(z), Some(oz)) => z <= oz,
                    (None, Some(_)) => false,
                }
        };
        let mut bands: Vec<Band> = pop
            .iter()
            .filter_map(|&(a, z, v)| {
                let start = a?;
                let death_rate = fr_deaths
                    .iter()
                    .find(|d| inside(start, z, (d.0, d.1)))
                    .and_then(|d| {
                        let people: f64 = fr_pop.iter().filter(|p| p.0.is_some_and(|pa| inside(pa, p.1, (d.0, d.1)))).filter_map(|p| p.2).sum();
                        Some((d.2? / people).min(1.0)).filter(|r| r.is_finite())
                    })
                    .unwrap_or(0.0);
                Some(Band { start, end: z, people: v.unwrap_or(0.0), death_rate })
            })
            .collect();
        bands.sort_by_key(|b| b.start);
        out.push(bands);
    }
    out
}

/// One scenario × year of a territory's projection.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub supply: supply::Year,
    pub population: f64,
    pub demand_consultations: f64,
    pub demand_fte: f64,
    /// Demand minus supply, in FTE (positive: GPs are missing).
    pub shortfall_fte: f64,
    pub density_per_10000: f64,
    /// New GPs a year that would keep today's density (none at year 0).
    pub entries_to_keep_density: Option<f64>,
}

/// Project `gps` under each scenario against the demand of `pyramids`. `default_entries`
/// applies to the scenarios without entries of their own.
pub fn project(
    gps: &[Gp],
    pyramids: &[Vec<Band>],
    scenarios: &[Scenario],
    reference_year: i32,
    horizon: u32,
    default_entries: EntryCount,
    assumptions: &DemandAssumptions,
) -> Vec<Row> {
    let demand = demand::project(pyramids, horizon, assumptions);
    let mut rows = Vec::new();
    for s in scenarios {
        let entries = match s.entries {
            Some((count, age, fte)) => Entries { per_year: count.per_year(gps.len()), age, fte },
            None => Entries { per_year: default_entries.per_year(gps.len()), ..Entries::none() },
        };
        let years = supply::project(gps, reference_year, horizon, &s.rule, &entries, 0.95);
        // Today's density: every GP of the roster, before the scenario's first departures.
        let density0 = gps.len() as f64 / demand[0].0.max(1.0) * 1e4;
        for y in years {
            let (people, consultations) = demand[y.offset as usize];
            let demand_fte = consultations / assumptions.consultations_per_fte;
            let keep = (y.offset > 0).then(|| ((density0 * people / 1e4 - y.headcount) / f64::from(y.offset)).max(0.0));
            rows.push(Row {
                scenario: s.name.clone(),
                population: people,
                demand_consultations: consultations,
                demand_fte,
                shortfall_fte: demand_fte - y.fte,
                density_per_10000: y.headcount / people.max(1.0) * 1e4,
                entries_to_keep_density: keep,
                supply: y,
            });
        }
    }
    rows
}

/// The projection as a frame (one row per scenario × year), labelled with its data.
pub fn frame(rows: &[Row], data_label: &str) -> Result<DataFrame> {
    let f = |g: &dyn Fn(&Row) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("scenario".into(), rows.iter().map(|r| r.scenario.clone()).collect::<Vec<_>>()),
        Column::new("year".into(), rows.iter().map(|r| r.supply.year).collect::<Vec<_>>()),
        Column::new("year_offset".into(), rows.iter().map(|r| r.supply.offset).collect::<Vec<_>>()),
        Column::new("headcount".into(), f(&|r| r.supply.headcount)),
        Column::new("headcount_low".into(), f(&|r| r.supply.headcount_low)),
        Column::new("headcount_high".into(), f(&|r| r.supply.headcount_high)),
        Column::new("fte".into(), f(&|r| r.supply.fte)),
        Column::new("fte_low".into(), f(&|r| r.supply.fte_low)),
        Column::new("fte_high".into(), f(&|r| r.supply.fte_high)),
        Column::new("departures".into(), f(&|r| r.supply.departures)),
        Column::new("population".into(), f(&|r| r.population)),
        Column::new("demand_fte".into(), f(&|r| r.demand_fte)),
        Column::new("shortfall_fte".into(), f(&|r| r.shortfall_fte)),
        Column::new("density_per_10000".into(), f(&|r| r.density_per_10000)),
        Column::new("entries_to_keep_density".into(), rows.iter().map(|r| r.entries_to_keep_density).collect::<Vec<_>>()),
        Column::new("data".into(), vec![data_label; rows.len()]),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_gps_of_a_roster_are_projected() {
        let roster = DataFrame::new_infer_height(vec![
            Column::new("id".into(), ["a", "b", "c", "d"]),
            Column::new("profession".into(), ["Médecin généraliste (hors MEP)", "Infirmier", "23", "Médecin généraliste"]),
            Column::new("geo".into(), ["x", "x", "x", "y"]),
            Column::new("birth_year".into(), [1960, 1950, 1970, 1980]),
        ])
        .unwrap();
        let ids = |r: &DataFrame| gps_of(r, &["x".to_owned()]).unwrap().into_iter().map(|g| g.id).collect::<Vec<_>>();
        assert_eq!(ids(&roster), ["a", "c"]);
        assert_eq!(ids(&roster.drop("profession").unwrap()), ["a", "b", "c"], "no profession column: a GP roster");
    }

    #[test]
    fn finer_population_bands_take_the_death_rate_of_the_band_holding_them() {
        // France: 30 deaths in 15-19 for 100,000 people given as 15-17 (60,000) and 18-19
        // (40,000); the territory has the same finer bands.
        let rows: Vec<(&str, &str, &str, u32, u32, f64)> = vec![
            ("fr", "population", "M", 15, 17, 60_000.0),
            ("fr", "population", "M", 18, 19, 40_000.0),
            ("fr", "deaths_all_causes", "M", 15, 19, 30.0),
            ("t", "population", "M", 15, 17, 600.0),
            ("t", "population", "M", 18, 19, 400.0),
        ];
        let facts = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("sex".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("age_min".into(), rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.5)).collect::<Vec<_>>()),
        ])
        .unwrap();
        let geo = |id: &str| Geography { id: id.into(), name: id.into(), units: vec![id.into()] };
        let bands = pyramids(&Interned::new(&facts).unwrap(), geo("t"), geo("fr")).unwrap();
        let men = &bands[0];
        assert_eq!(men.len(), 2);
        for b in men {
            assert!((b.death_rate - 30.0 / 100_000.0).abs() < 1e-15, "{b:?}");
        }
    }
}
