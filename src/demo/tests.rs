//! The generator's properties: totals, consistency rules, determinism, realism (on the real
//! commune list of `../shared/realdata` when present), and the digest that ties the output to
//! [`super::GENERATOR_VERSION`].

#![allow(clippy::needless_range_loop)]

use std::collections::{BTreeMap, HashMap};

use super::calibration::{departements, ALD_GROUPS, ALD_MEASURES, GROUPED_CAUSES};
use super::communes::{generate, generate_with_options};
use super::rng::Rng;
use super::*;

/// INSEE 2023 share of the population aged 65+ (from `calibration::france_population_2023`).
pub(super) const INSEE_SHARE_65P: f64 = 0.2126;

/// The realdata folder: `$DIAGSANTE_REALDATA`, else `../shared/realdata`
/// beside the crate.
fn realdata() -> std::path::PathBuf {
    match std::env::var_os("DIAGSANTE_REALDATA") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"),
    }
}

/// Reads a realdata file, or prints why the test is skipped.
pub(super) fn read_realdata(relative: &str) -> Option<String> {
    let path = realdata().join(relative);
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(t.trim_start_matches('\u{feff}').to_string()),
        Err(e) => {
            println!("skipped: {} not readable ({e}); set DIAGSANTE_REALDATA", path.display());
            None
        }
    }
}

/// Real commune list used to build a realistic national referential.
const COMMUNES_CSV: &str = "geo/communes_france_2024_centroids_pop.csv";

pub(super) fn commune(code: &str, dep: &str, population: u64) -> DemoCommune {
    DemoCommune { code: code.to_string(), departement: dep.to_string(), population, real: RealTotals::default() }
}

pub(super) fn made_up() -> Vec<DemoCommune> {
    vec![
        commune("01001", "01", 832),
        commune("01002", "01", 267),
        commune("01053", "01", 41_000),
        commune("2A004", "2A", 71_000),
        commune("2B033", "2b", 48_000),
        commune("23001", "23", 12),
        commune("23002", "23", 0),
        commune("23003", "23", 1),
        commune("75056", "75", 2_113_705),
        commune("97411", "974", 153_000),
        commune("97608", "976", 71_400),
        commune("05001", "5", 299),
        commune("99999", "ZZ", 5_000),
        commune("48001", "", 154),
        commune("59350", "59", 236_000),
        commune("12345", "12", 7),
    ]
}

/// Sample spread over the country: COM rows of the real file when present,
/// else the made-up communes.
fn real_communes() -> Option<Vec<DemoCommune>> {
    let text = read_realdata(COMMUNES_CSV)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (ic, id, it, ip, ipar) = (col("insee_com")?, col("insee_dep")?, col("commune_type")?, col("population_2021")?, col("insee_parente")?);
    // COM rows deduplicated on the code; Paris, Lyon and Marseille are only
    // present as arrondissements (ARM): sum them into their parent commune.
    let mut map: BTreeMap<String, DemoCommune> = BTreeMap::new();
    let mut arm_seen = std::collections::HashSet::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() <= ip.max(ipar) {
            continue; // names with commas do not occur before these columns
        }
        let pop: u64 = f[ip].trim().parse().unwrap_or(0);
        match f[it] {
            "COM" => {
                map.entry(f[ic].to_string()).or_insert_with(|| commune(f[ic], f[id], pop));
            }
            "ARM" if arm_seen.insert(f[ic].to_string()) => {
                let parent = f[ipar].to_string();
                let dep = parent[..2].to_string();
                map.entry(parent.clone()).or_insert_with(|| commune(&parent, &dep, 0)).population += pop;
            }
            _ => {}
        }
    }
    Some(map.into_values().collect())
}

fn total_population_by_geo(facts: &[Fact]) -> HashMap<&str, u64> {
    let mut m: HashMap<&str, u64> = HashMap::new();
    for f in facts.iter().filter(|f| f.measure == "population") {
        *m.entry(f.geo.as_str()).or_default() += f.value as u64;
    }
    m
}

/// Index of facts by (geo, measure, sex, age_min).
fn index(facts: &[Fact]) -> HashMap<(&str, &str, Sex, Option<u32>), f64> {
    facts.iter().map(|f| ((f.geo.as_str(), f.measure, f.sex, f.age_min), f.value)).collect()
}

/// Checks every consistency rule on a generated dataset.
fn check_consistency(communes: &[DemoCommune], data: &DemoData) {
    let idx = index(&data.facts);
    for f in &data.facts {
        assert!(f.value.is_finite() && f.value >= 0.0 && f.value.fract() == 0.0, "bad value {f:?}");
        assert_eq!(f.year, DEMO_YEAR);
    }
    let get = |g: &str, m: &str, s: Sex, a: Option<u32>| idx.get(&(g, m, s, a)).copied().unwrap_or(0.0);
    for c in communes {
        let g = c.code.as_str();
        for sex in [Sex::Male, Sex::Female] {
            for &(lo, _) in AGE_BANDS.iter() {
                let a = Some(lo);
                let pop = get(g, "population", sex, a);
                let all = get(g, "deaths_all_causes", sex, a);
                assert!(all <= pop, "{g} deaths > population");
                let causes: f64 =
                    ["deaths_cancer", "deaths_circulatory", "deaths_respiratory", "deaths_suicide"].iter().map(|m| get(g, m, sex, a)).sum();
                assert!(causes <= all, "{g} {sex:?} {lo}: causes {causes} > all causes {all}");
                let ald_all = get(g, "ald_all", sex, a);
                assert!(ald_all <= pop, "{g} ald_all > population");
                for m in ALD_MEASURES[1..].iter().chain(&ALD_GROUPS) {
                    let v = get(g, m, sex, a);
                    assert!(v <= ald_all && v <= pop, "{g} {m} {sex:?} {lo}: {v} > ald_all {ald_all}");
                }
                let cardiovascular = get(g, "ald_cardiovascular", sex, a);
                assert!(cardiovascular >= get(g, "ald_coronary", sex, a).max(get(g, "ald_heart_failure", sex, a)), "{g} {sex:?} {lo}");
                for m in GROUPED_CAUSES {
                    assert!(get(g, m, sex, a) <= all, "{g} {m} {sex:?} {lo}");
                }
                if lo >= 65 {
                    assert_eq!(get(g, "deaths_avoidable_prevention", sex, a), 0.0, "{g} {sex:?} {lo}");
                }
            }
        }
        let pop_sum = |sexes: &[Sex], lo: u32, hi: u32| -> f64 {
            let mut t = 0.0;
            for &s in sexes {
                for &(a, _) in AGE_BANDS.iter().filter(|(a, _)| *a >= lo && *a <= hi) {
                    t += get(g, "population", s, Some(a));
                }
            }
            t
        };
        let mf = [Sex::Male, Sex::Female];
        assert!(get(g, "patients_17p_without_gp", Sex::All, Some(17)) <= get(g, "patients_17p", Sex::All, Some(17)));
        assert!(get(g, "patients_17p", Sex::All, Some(17)) <= pop_sum(&mf, 15, 95));
        assert!(get(g, "patients_70p_without_gp", Sex::All, Some(70)) <= get(g, "patients_70p", Sex::All, Some(70)));
        assert!(get(g, "patients_70p", Sex::All, Some(70)) <= pop_sum(&mf, 70, 95));
        for lo in [0, 16, 17, 70] {
            assert!(get(g, "patients_without_gp", Sex::All, Some(lo)) <= get(g, "patients", Sex::All, Some(lo)), "{g} patients from {lo}");
        }
        assert_eq!(get(g, "patients", Sex::All, Some(70)), get(g, "patients_70p", Sex::All, Some(70)));
        assert!(get(g, "patients", Sex::All, Some(0)) <= pop_sum(&mf, 0, 15));
        let ald_persons: f64 = AGE_BANDS.iter().flat_map(|&(lo, _)| mf.map(|s| get(g, "ald_all", s, Some(lo)))).sum();
        assert!(get(g, "patients_ald", Sex::All, None) <= ald_persons);
        assert!(get(g, "patients_c2s", Sex::All, None) <= get(g, "c2s_beneficiaries", Sex::All, None));
        assert!(get(g, "patients_65p_polypharmacy", Sex::All, Some(65)) <= get(g, "patients_65p", Sex::All, Some(65)));
        assert!(get(g, "patients_65p", Sex::All, Some(65)) <= pop_sum(&mf, 65, 95));
        for lo in [0, 4] {
            assert!(get(g, "patients_antibiotics_critical", Sex::All, Some(lo)) <= get(g, "patients_antibiotics", Sex::All, Some(lo)), "{g} {lo}");
        }
        assert!(get(g, "patients_antibiotics", Sex::All, Some(0)) <= get(g, "patients", Sex::All, Some(0)));
        assert!(get(g, "patients_dental_exam", Sex::All, Some(0)) <= get(g, "patients", Sex::All, Some(0)));
        for benefit in ["caf_rsa_households", "caf_aah_households", "caf_aeeh_households"] {
            assert!(get(g, benefit, Sex::All, None) <= get(g, "caf_households", Sex::All, None), "{g} {benefit}");
        }
        assert!(get(g, "caf_households", Sex::All, None) <= pop_sum(&mf, 0, 95));
        for group in ["patients_ald", "patients_c2s"] {
            assert!(get(g, &format!("{group}_without_gp"), Sex::All, None) <= get(g, group, Sex::All, None), "{g} {group}");
        }
        let programmes = [
            ("breast_screening", Sex::Female, 50, pop_sum(&[Sex::Female], 50, 70)),
            ("cervical_screening", Sex::Female, 25, pop_sum(&[Sex::Female], 25, 65)),
            ("colorectal_screening", Sex::All, 50, pop_sum(&mf, 50, 70)),
            ("flu_vaccination", Sex::All, 65, pop_sum(&mf, 65, 95)),
        ];
        for (p, sex, lo, pop) in programmes {
            let e = get(g, &format!("{p}_eligible"), sex, Some(lo));
            let d = get(g, &format!("{p}_done"), sex, Some(lo));
            assert!(d <= e && e <= pop, "{g} {p}: done {d} eligible {e} population {pop}");
        }
        let total = pop_sum(&mf, 0, 95);
        assert!(get(g, "c2s_beneficiaries", Sex::All, None) <= total);
        assert!(get(g, "unemployed_15_64", Sex::All, Some(15)) <= get(g, "active_15_64", Sex::All, Some(15)));
        assert!(get(g, "active_15_64", Sex::All, Some(15)) <= pop_sum(&mf, 15, 60));
    }
    for gp in &data.roster {
        assert!(gp.installation_year >= gp.birth_year + 30 && gp.installation_year <= gp.birth_year + 40);
        assert!(gp.installation_year <= DEMO_YEAR);
        assert!(matches!(gp.sex, Sex::Male | Sex::Female));
        assert!((500..=12_000).contains(&gp.consultations_per_year));
        assert!(communes.iter().any(|c| c.code == gp.commune));
    }
}

#[test]
fn made_up_communes_totals_and_consistency() {
    let communes = made_up();
    let data = generate(&communes, DEFAULT_SEED);
    let totals = total_population_by_geo(&data.facts);
    for c in &communes {
        assert_eq!(totals.get(c.code.as_str()).copied().unwrap_or(0), c.population, "{}", c.code);
    }
    assert_eq!(data.facts.len(), communes.len() * FACTS_PER_COMMUNE);
    check_consistency(&communes, &data);
    // The unknown département and the empty one (derived from the code) work.
    assert!(totals.contains_key("99999") && totals.contains_key("48001"));
}

#[test]
fn random_referentials_keep_every_invariant() {
    // Hand-rolled property test: random lists of communes, random seeds.
    let mut r = Rng::new(99);
    let deps = ["01", "2A", "59", "75", "973", "976", "XX", "", "7"];
    for case in 0..25 {
        let n = 1 + r.below(12) as usize;
        let communes: Vec<DemoCommune> = (0..n)
            .map(|i| {
                let pop = match r.below(4) {
                    0 => r.below(50),
                    1 => r.below(2_000),
                    2 => r.below(100_000),
                    _ => r.below(3_000_000),
                };
                commune(&format!("{:05}", r.below(100_000) + i as u64), deps[r.below(deps.len() as u64) as usize], pop)
            })
            .collect();
        let data = generate(&communes, r.next_u64());
        let totals = total_population_by_geo(&data.facts);
        let mut expected: HashMap<&str, u64> = HashMap::new();
        for c in &communes {
            *expected.entry(c.code.as_str()).or_default() += c.population;
        }
        // Duplicated codes give duplicated rows: compare with the summed input.
        for (code, pop) in &expected {
            let dup = communes.iter().filter(|c| c.code == *code).count() as u64;
            assert_eq!(totals[code], *pop, "case {case}: {code} ({dup} rows)");
        }
        check_consistency(&communes, &data);
    }
}

#[test]
fn output_order_is_deterministic_and_sorted() {
    let mut communes = made_up();
    let data = generate(&communes, 1);
    // Sorted by commune code, each commune complete and in vocabulary order.
    let geos: Vec<&str> = data.facts.iter().step_by(FACTS_PER_COMMUNE).map(|f| f.geo.as_str()).collect();
    assert!(geos.windows(2).all(|w| w[0] <= w[1]));
    let first: Vec<&str> = data.facts[..FACTS_PER_COMMUNE].iter().map(|f| f.measure).collect();
    let mut order: Vec<&str> = first.clone();
    order.dedup();
    let vocab: Vec<&str> = MEASURES.iter().map(|m| m.0).collect();
    assert_eq!(order, vocab);
    let pop_rows: Vec<(Sex, Option<u32>, Option<u32>)> = data.facts[..2 * NB].iter().map(|f| (f.sex, f.age_min, f.age_max)).collect();
    assert_eq!(pop_rows[0], (Sex::Male, Some(0), Some(0)));
    assert_eq!(pop_rows[1], (Sex::Male, Some(1), Some(4)));
    assert_eq!(pop_rows[NB - 1], (Sex::Male, Some(95), None));
    assert_eq!(pop_rows[NB], (Sex::Female, Some(0), Some(0)));
    // Input order does not matter.
    communes.reverse();
    assert_eq!(generate(&communes, 1), data);
    // Codes of Sex.
    assert_eq!((Sex::Male.code(), Sex::Female.code(), Sex::All.code()), ("M", "F", "all"));
}

#[test]
fn departements_differ_as_expected() {
    // One large commune per département: Creuse (old, high mortality),
    // Seine-Saint-Denis (young, poor, few GPs), Hautes-Alpes (many GPs),
    // La Réunion (poor, DROM diabetes).
    let communes: Vec<DemoCommune> =
        [("23", "23001"), ("93", "93001"), ("05", "05001"), ("974", "97401")].iter().map(|(d, c)| commune(c, d, 500_000)).collect();
    let data = generate(&communes, DEFAULT_SEED);
    let total = |geo: &str, measure: &str, min_age: u32| -> f64 {
        data.facts.iter().filter(|f| f.geo == geo && f.measure == measure && f.age_min.unwrap_or(0) >= min_age).map(|f| f.value).sum()
    };
    let share = |geo: &str, num: &str, den: &str| total(geo, num, 0) / total(geo, den, 0);
    assert!(total("23001", "population", 65) > total("93001", "population", 65) * 1.5);
    assert!(total("23001", "deaths_all_causes", 0) > 2.0 * total("93001", "deaths_all_causes", 0));
    assert!(share("93001", "patients_17p_without_gp", "patients_17p") > share("05001", "patients_17p_without_gp", "patients_17p") + 0.03);
    let c2s = |geo: &str| share(geo, "c2s_beneficiaries", "population");
    assert!(c2s("97401") > 1.5 * c2s("05001"));
    let unemployment = |geo: &str| share(geo, "unemployed_15_64", "active_15_64");
    assert!(unemployment("97401") > 2.0 * unemployment("05001"));
    let diabetes = |geo: &str| share(geo, "ald_diabetes", "ald_all");
    assert!(diabetes("97401") > 1.4 * diabetes("05001"));
    let gps = |geo: &str| data.roster.iter().filter(|g| g.commune == geo).count() as f64;
    assert!(gps("05001") > 2.0 * gps("93001"));
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let communes = made_up();
    let a = generate(&communes, DEFAULT_SEED);
    let b = generate(&communes, DEFAULT_SEED);
    assert_eq!(a, b);
    let c = generate(&communes, DEFAULT_SEED + 1);
    assert_ne!(a.facts, c.facts);
    assert_ne!(a.roster, c.roster);
    // A commune's rows do not depend on the other communes.
    let alone = generate(&communes[8..9], DEFAULT_SEED);
    let in_list: Vec<&Fact> = a.facts.iter().filter(|f| f.geo == "75056").collect();
    assert_eq!(alone.facts.iter().collect::<Vec<_>>(), in_list);
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let communes: Vec<DemoCommune> =
        (0..3000).map(|i| commune(&format!("{:05}", 1000 + i), ["01", "59", "23"][i % 3], (i as u64 * 37) % 9000)).collect();
    let run = |threads: usize| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| generate(&communes, 5));
    let one = run(1);
    assert_eq!(one, run(3));
    assert_eq!(one.facts.len(), 3000 * FACTS_PER_COMMUNE);
}

#[test]
fn omit_zero_counts_keeps_the_population_grid_and_values() {
    let communes = made_up();
    let full = generate(&communes, 11);
    let sparse = generate_with_options(&communes, 11, &DemoOptions { omit_zero_counts: true, ..DemoOptions::default() });
    let kept: Vec<&Fact> = full.facts.iter().filter(|f| f.value != 0.0 || f.measure == "population").collect();
    assert_eq!(sparse.facts.iter().collect::<Vec<_>>(), kept);
    assert_eq!(sparse.roster, full.roster);
    assert!(sparse.facts.len() < full.facts.len());
}

#[test]
fn roster_ids_are_sequential_and_sorted() {
    let communes = made_up();
    let data = generate(&communes, DEFAULT_SEED);
    assert!(!data.roster.is_empty());
    for (k, gp) in data.roster.iter().enumerate() {
        assert_eq!(gp.id, format!("GP{:06}", k + 1));
    }
    assert!(data.roster.windows(2).all(|w| w[0].commune <= w[1].commune));
    // Paris (2.1 M, density 107) gets about 2,260 GPs.
    let paris = data.roster.iter().filter(|g| g.commune == "75056").count();
    assert!((2200..=2330).contains(&paris), "{paris}");
    // Empty commune: no GP.
    assert!(data.roster.iter().all(|g| g.commune != "23002"));
}

/// National run on the real commune list (skipped when the file is absent).
#[test]
fn national_dataset_is_realistic() {
    let Some(communes) = real_communes() else {
        return;
    };
    assert!(communes.len() > 34_000, "{}", communes.len());
    let start = std::time::Instant::now();
    let data = generate(&communes, DEFAULT_SEED);
    let elapsed = start.elapsed();
    assert_eq!(data.facts.len(), communes.len() * FACTS_PER_COMMUNE);

    // Totals equal the inputs, commune by commune.
    let totals = total_population_by_geo(&data.facts);
    for c in &communes {
        assert_eq!(totals[c.code.as_str()], c.population, "{}", c.code);
    }
    let pop: f64 = communes.iter().map(|c| c.population as f64).sum();
    assert!((66e6..70e6).contains(&pop), "{pop}");

    // Aggregates (one pass).
    let mut m: HashMap<&str, f64> = HashMap::new();
    let mut p65 = 0.0;
    let mut pop_deaths_check = 0.0;
    for f in &data.facts {
        *m.entry(f.measure).or_default() += f.value;
        if f.measure == "population" {
            pop_deaths_check += f.value;
            if f.age_min.unwrap_or(0) >= 65 {
                p65 += f.value;
            }
        }
    }
    assert_eq!(pop_deaths_check, pop);
    let share65 = p65 / pop;
    let crude = m["deaths_all_causes"] / pop * 1000.0;
    let no_gp = m["patients_17p_without_gp"] / m["patients_17p"];
    let no_gp70 = m["patients_70p_without_gp"] / m["patients_70p"];
    let density = data.roster.len() as f64 / pop * 1e5;
    let gp60 = data.roster.iter().filter(|g| DEMO_YEAR - g.birth_year >= 60).count() as f64 / data.roster.len() as f64;
    let women = data.roster.iter().filter(|g| g.sex == Sex::Female).count() as f64 / data.roster.len() as f64;
    let consult = data.roster.iter().map(|g| g.consultations_per_year as f64).sum::<f64>() / data.roster.len() as f64;
    let ald = m["ald_all"] / pop;
    let diab = m["ald_diabetes"] / pop;
    let rate = |p: &str| m[format!("{p}_done").as_str()] / m[format!("{p}_eligible").as_str()];
    let c2s = m["c2s_beneficiaries"] / pop;
    let unemp = m["unemployed_15_64"] / m["active_15_64"];
    println!(
        "national demo: {} communes, population {pop}, {} facts, {} GPs, generated in {elapsed:?}",
        communes.len(),
        data.facts.len(),
        data.roster.len()
    );
    println!("  65+ share {:.4} (INSEE 2023 {INSEE_SHARE_65P}), deaths {} (crude {crude:.2} per 1,000)", share65, m["deaths_all_causes"]);
    for c in ["deaths_cancer", "deaths_circulatory", "deaths_respiratory", "deaths_suicide"] {
        println!("  {c}: {} ({:.1} %)", m[c], 100.0 * m[c] / m["deaths_all_causes"]);
    }
    for a in ALD_MEASURES {
        println!("  {a}: {} ({:.2} %)", m[a], 100.0 * m[a] / pop);
    }
    println!("  without GP 17+ {no_gp:.4}, 70+ {no_gp70:.4}; patients 17+ {}", m["patients_17p"]);
    println!(
        "  screening breast {:.3} cervical {:.3} colorectal {:.3} flu {:.3}",
        rate("breast_screening"),
        rate("cervical_screening"),
        rate("colorectal_screening"),
        rate("flu_vaccination")
    );
    let pop_15_64: f64 = data.facts.iter().filter(|f| f.measure == "population" && (15..65).contains(&f.age_min.unwrap_or(0))).map(|f| f.value).sum();
    let activity = m["active_15_64"] / pop_15_64;
    println!("  c2s {c2s:.4}, activity 15-64 {activity:.4}, unemployment {unemp:.4}");
    println!("  GP density {density:.2} /100k (target ameli 2024 Ensemble des MG 81.0), 60+ {gp60:.3}, women {women:.3}, consultations {consult:.0}");

    assert!((share65 - INSEE_SHARE_65P).abs() < 0.01, "65+ share {share65}");
    assert!((8.5..10.5).contains(&crude), "crude death rate {crude}");
    assert!((0.09..0.13).contains(&no_gp), "without GP 17+ {no_gp}");
    assert!((0.03..0.07).contains(&no_gp70), "without GP 70+ {no_gp70}");
    assert!((80.0..110.0).contains(&density), "GP density {density}");
    assert!((0.25..0.40).contains(&gp60), "GPs 60+ {gp60}");
    assert!((0.40..0.50).contains(&women), "women GPs {women}");
    assert!((4300.0..4700.0).contains(&consult));
    assert!((0.16..0.20).contains(&ald), "ALD {ald}");
    assert!((0.035..0.055).contains(&diab), "diabetes {diab}");
    assert!((rate("breast_screening") - 0.47).abs() < 0.03);
    assert!((rate("cervical_screening") - 0.59).abs() < 0.03);
    assert!((rate("colorectal_screening") - 0.34).abs() < 0.03);
    assert!((rate("flu_vaccination") - 0.54).abs() < 0.03);
    assert!((0.09..0.13).contains(&c2s), "c2s {c2s}");
    assert!((0.10..0.14).contains(&unemp), "unemployment {unemp}");
    assert!((0.71..0.78).contains(&activity), "activity {activity}");

    // The grouped causes and ALD groups near the France hexagonale figures they are
    // calibrated on (crude here, standardised there: the population is close to the standard).
    let per_100k = |measure: &str, base: f64| 1e5 * m[measure] / base;
    let pop_under_65: f64 = data.facts.iter().filter(|f| f.measure == "population" && f.age_min.unwrap_or(0) < 65).map(|f| f.value).sum();
    let alzheimer_65: f64 = data.facts.iter().filter(|f| f.measure == "ald_alzheimer" && f.age_min.unwrap_or(0) >= 65).map(|f| f.value).sum();
    let grouped = [
        ("deaths_road_traffic", per_100k("deaths_road_traffic", pop), 3.0..7.0),
        ("deaths_alcohol_related", per_100k("deaths_alcohol_related", pop), 20.0..40.0),
        ("deaths_tobacco_related", per_100k("deaths_tobacco_related", pop), 100.0..160.0),
        ("deaths_avoidable_prevention", per_100k("deaths_avoidable_prevention", pop_under_65), 50.0..80.0),
        ("ald_cardiovascular", per_100k("ald_cardiovascular", pop), 4_500.0..6_500.0),
        ("ald_asthma", per_100k("ald_asthma", pop), 110.0..170.0),
        ("ald_copd", per_100k("ald_copd", pop), 90.0..150.0),
        ("ald_alzheimer 65+", 1e5 * alzheimer_65 / p65, 2_100.0..3_000.0),
    ];
    for (name, value, range) in grouped {
        println!("  {name}: {value:.1} per 100,000");
        assert!(range.contains(&value), "{name}: {value}");
    }
    let share = |without: &str, of: &str| m[without] / m[of];
    let under_16: (f64, f64) = data
        .facts
        .iter()
        .filter(|f| f.age_max == Some(15) && (f.measure == "patients" || f.measure == "patients_without_gp"))
        .fold((0.0, 0.0), |(w, p), f| if f.measure == "patients_without_gp" { (w + f.value, p) } else { (w, p + f.value) });
    let (no_gp_ald, no_gp_c2s, no_gp_under_16) =
        (share("patients_ald_without_gp", "patients_ald"), share("patients_c2s_without_gp", "patients_c2s"), under_16.0 / under_16.1);
    println!("  without GP: in ALD {no_gp_ald:.4}, C2S {no_gp_c2s:.4}, under 16 {no_gp_under_16:.4}");
    assert!((0.02..0.045).contains(&no_gp_ald) && (0.11..0.2).contains(&no_gp_c2s) && (0.28..0.45).contains(&no_gp_under_16));
    // Households paid benefits by the Caf, per 100 people of the band the ORS tables use.
    let people = |lo: u32, hi: u32| -> f64 {
        data.facts
            .iter()
            .filter(|f| f.measure == "population" && f.age_min.unwrap_or(0) >= lo && f.age_max.is_some_and(|m| m <= hi))
            .map(|f| f.value)
            .sum()
    };
    let caf = [
        ("caf_households", 100.0 * m["caf_households"] / pop, 17.0..23.0),
        ("caf_rsa_households", 100.0 * m["caf_rsa_households"] / people(25, 64), 4.5..6.5),
        ("caf_aah_households", 100.0 * m["caf_aah_households"] / people(20, 59), 2.7..3.7),
        ("caf_aeeh_households", 100.0 * m["caf_aeeh_households"] / people(0, 19), 1.9..2.7),
    ];
    for (name, value, range) in caf {
        println!("  {name}: {value:.2} per 100");
        assert!(range.contains(&value), "{name}: {value}");
    }
    // Prescriptions and dental care near the France values Rezone gives.
    let band = |measure: &str, lo: u32| data.facts.iter().filter(|f| f.measure == measure && f.age_min == Some(lo)).map(|f| f.value).sum::<f64>();
    let prescriptions = [
        ("polypharmacy 65+", m["patients_65p_polypharmacy"] / m["patients_65p"], 0.15..0.19),
        ("critical antibiotics", m["patients_antibiotics_critical"] / m["patients_antibiotics"], 0.33..0.38),
        ("critical antibiotics under 4", band("patients_antibiotics_critical", 0) / band("patients_antibiotics", 0), 0.25..0.30),
        ("dental examination under 16", m["patients_dental_exam"] / band("patients", 0), 0.67..0.73),
    ];
    for (name, value, range) in prescriptions {
        println!("  {name}: {value:.4}");
        assert!(range.contains(&value), "{name}: {value}");
    }
    // The patients' bands from 17 add up to the 17+ and 70+.
    let from = |lo: u32| data.facts.iter().filter(|f| f.measure == "patients" && f.age_min.unwrap_or(0) >= lo).map(|f| f.value).sum::<f64>();
    assert_eq!((from(17), from(70)), (m["patients_17p"], m["patients_70p"]));

    // Small communes are older than large ones.
    let size: HashMap<&str, u64> = communes.iter().map(|c| (c.code.as_str(), c.population)).collect();
    let (mut small_all, mut small_65, mut large_all, mut large_65) = (0.0, 0.0, 0.0, 0.0);
    for f in data.facts.iter().filter(|f| f.measure == "population") {
        let old = if f.age_min.unwrap_or(0) >= 65 { f.value } else { 0.0 };
        match size[f.geo.as_str()] {
            0..=499 => {
                small_all += f.value;
                small_65 += old;
            }
            10_000.. => {
                large_all += f.value;
                large_65 += old;
            }
            _ => {}
        }
    }
    let (small, large) = (small_65 / small_all, large_65 / large_all);
    println!("  65+ share: communes < 500 {small:.4}, communes >= 10,000 {large:.4}");
    assert!(small > large + 0.02, "small {small} large {large}");

    // Département densities close to their targets (large départements).
    let dep_of: HashMap<&str, &str> = communes.iter().map(|c| (c.code.as_str(), c.departement.as_str())).collect();
    let mut gps_by_dep: HashMap<&str, f64> = HashMap::new();
    for g in &data.roster {
        *gps_by_dep.entry(dep_of[g.commune.as_str()]).or_default() += 1.0;
    }
    let mut pop_by_dep: HashMap<&str, f64> = HashMap::new();
    for c in &communes {
        *pop_by_dep.entry(c.departement.as_str()).or_default() += c.population as f64;
    }
    for d in departements().iter().filter(|d| pop_by_dep.get(d.code).copied().unwrap_or(0.0) > 100_000.0) {
        let dens = gps_by_dep.get(d.code).copied().unwrap_or(0.0) / pop_by_dep[d.code] * 1e5;
        assert!((dens - d.gp_density).abs() < 1.0, "{}: {dens} vs {}", d.code, d.gp_density);
    }
    // GPs are mostly in communes of 300+ inhabitants.
    let pop_of: HashMap<&str, u64> = communes.iter().map(|c| (c.code.as_str(), c.population)).collect();
    let small = data.roster.iter().filter(|g| pop_of[g.commune.as_str()] < 300).count() as f64;
    assert!(small / (data.roster.len() as f64) < 0.01);

    // Consistency on a sample of communes (every 50th).
    let sample: Vec<DemoCommune> = communes.iter().step_by(50).cloned().collect();
    let codes: std::collections::HashSet<&str> = sample.iter().map(|c| c.code.as_str()).collect();
    let sub = DemoData {
        facts: data.facts.iter().filter(|f| codes.contains(f.geo.as_str())).cloned().collect(),
        roster: data.roster.iter().filter(|g| codes.contains(g.commune.as_str())).cloned().collect(),
    };
    check_consistency(&sample, &sub);
}

/// The made-up communes with real totals (as the embedded data gives them: census
/// population 2021 and its 15-64, deaths 2022, area, activity), and what the real data holds.
fn completing() -> (real::Held, Vec<DemoCommune>) {
    let mut held = real::Held { population_year: Some(2021), deaths_year: Some(2022), ..Default::default() };
    for m in ["population", "deaths_all_causes", "area_km2", "active_15_64", "unemployed_15_64", "births", "households"] {
        held.measures.insert(m.to_owned());
    }
    // Real département headcounts to spread (`supply`): nurses of three départements (Corsica's
    // written lower case by its commune), emergency units of one.
    held.supply.insert("professionals_infirmier".into(), [("01", 392), ("2B", 150), ("75", 2_500)].map(|(d, n)| (d.to_owned(), n)).into());
    held.supply.insert("bpe_emergency".into(), [("01".to_owned(), 3)].into());
    let communes: Vec<DemoCommune> = made_up()
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            let working = (c.population as f64 * 0.62).round() as u64;
            // Deaths about 1 % of the population, one commune with more deaths than it can
            // hold (12 inhabitants, 40 deaths), one without 15-64.
            let deaths = if c.code == "23001" { 40 } else { c.population / 100 + (i as u64 % 3) };
            c.real = RealTotals { population_15_64: (i != 3).then_some(working), deaths: Some(deaths) };
            held.population.insert(c.code.clone(), (c.population, c.real.population_15_64));
            held.deaths.insert(c.code.clone(), deaths);
            c
        })
        .collect();
    (held, communes)
}

/// Completing real totals: the split by sex and age adds up to each commune's real
/// population, its 15-64 and its deaths, at their years; the measures the real data gives are
/// not written (nor `population_base`, the real data's earlier census being the base), and
/// everything else is as before.
#[test]
fn the_synthetic_data_completes_the_real_totals() {
    let (held, communes) = completing();
    let options = DemoOptions::completing(&held);
    assert_eq!((options.population_year, options.deaths_year), (2021, 2022));
    let data = communes::dataset(&communes, DEFAULT_SEED, &options);
    let sum = |geo: &str, measure: &str, ages: std::ops::RangeInclusive<u32>| -> f64 {
        data.facts.iter().filter(|f| f.geo == geo && f.measure == measure && ages.contains(&f.age_min.unwrap_or(0))).map(|f| f.value).sum()
    };
    for c in &communes {
        let g = c.code.as_str();
        assert_eq!(sum(g, "population", 0..=200), c.population as f64, "{g}: population");
        if let Some(w) = c.real.population_15_64.filter(|&w| w <= c.population) {
            assert_eq!(sum(g, "population", 15..=60), w as f64, "{g}: the bands 15-19 … 60-64 add up to the real 15-64");
        }
        let deaths = sum(g, "deaths_all_causes", 0..=200);
        let expected = c.real.deaths.unwrap().min(c.population) as f64;
        assert_eq!(deaths, expected, "{g}: deaths (never more than the population)");
        for f in data.facts.iter().filter(|f| f.geo == g && f.measure == "deaths_all_causes") {
            let inside = |p: &&Fact| p.age_min >= f.age_min && f.age_max.is_none_or(|z| p.age_min.is_some_and(|a| a <= z));
            let pop: f64 =
                data.facts.iter().filter(|p| p.geo == g && p.measure == "population" && p.sex == f.sex).filter(inside).map(|p| p.value).sum();
            assert!(f.value <= pop, "{g} {f:?}: more deaths than people ({pop})");
        }
        let causes: f64 = ["deaths_cancer", "deaths_circulatory", "deaths_respiratory", "deaths_suicide"].iter().map(|m| sum(g, m, 0..=200)).sum();
        assert!(causes <= deaths);
    }
    for f in &data.facts {
        let year = match f.measure {
            "population" => 2021,
            m if m.starts_with("deaths_") => 2022,
            _ => DEMO_YEAR,
        };
        // The pairs given as a series also for the years before (`communes::SERIES`).
        let series = communes::SERIES.iter().any(|(d, n, _, _)| f.measure == *d || f.measure == *n);
        if series && f.year < DEMO_YEAR {
            assert!(f.year >= DEMO_YEAR - communes::SERIES_BEFORE, "{f:?}");
            continue;
        }
        assert_eq!(f.year, year, "{f:?}");
        assert!(f.sex != Sex::All || f.measure != "population" && f.measure != "deaths_all_causes", "no total: the real data gives it: {f:?}");
        assert!(!["active_15_64", "unemployed_15_64", "area_km2", "population_base", "births", "households"].contains(&f.measure), "{f:?}");
    }
    // The other measures are drawn as without real data (the same streams): ALD, roster.
    let alone = communes::dataset(&made_up(), DEFAULT_SEED, &DemoOptions::default());
    assert!(data.facts.iter().any(|f| f.measure == "ald_all") && data.facts.iter().any(|f| f.measure == "c2s_beneficiaries"));
    assert_eq!(data.roster, alone.roster, "the same populations give the same GPs");
    // The real data giving the population by sex too: no split is written.
    let mut by_sex = options.clone();
    by_sex.by_sex.insert("population".into());
    let data = communes::dataset(&communes, DEFAULT_SEED, &by_sex);
    assert!(!data.facts.iter().any(|f| f.measure == "population"));
}

/// The national default data on the embedded real data: every unit with a real population
/// gets its split, adding up to it; Mayotte (no census in the file) gets no synthetic data.
#[test]
fn the_national_data_completes_the_embedded_real_data() {
    let r = crate::geo::Referential::embedded().unwrap();
    let held = held().unwrap();
    let communes = demo_communes(&r, &held);
    let units = r.communes().filter(|c| c.in_france()).flat_map(|c| r.base_units(&c.code)).count();
    assert!(communes.len() > 34_800 && communes.len() < units, "{} of {units}", communes.len());
    assert!(!communes.iter().any(|c| c.code.starts_with("976")), "Mayotte: no census, no synthetic data");
    let camargue = communes.iter().find(|c| c.code == "30003").unwrap();
    assert_eq!((camargue.population, camargue.real), (8685, RealTotals { population_15_64: Some(5017), deaths: Some(93) }));
    let total: u64 = communes.iter().map(|c| c.population).sum();
    assert_eq!(total, held.population.values().map(|p| p.0).sum::<u64>());
}

/// FNV-1a of a frame: each column's name and type, then its cells in a canonical text (exact
/// bits of a float), so that any change of the files' content changes it.
fn digest_frame(mut h: u64, df: &polars::prelude::DataFrame) -> u64 {
    use super::rng::fnv1a_from;
    use polars::prelude::DataType;
    let null = || "∅".to_owned();
    for c in df.columns() {
        h = fnv1a_from(h, format!("{}:{}\n", c.name(), c.dtype()).as_bytes());
        let s = c.as_materialized_series();
        let cells: Vec<String> = match s.dtype() {
            DataType::String => s.str().unwrap().iter().map(|v| v.map_or_else(null, str::to_owned)).collect(),
            DataType::Float64 => s.f64().unwrap().iter().map(|v| v.map_or_else(null, |x| format!("{:016x}", x.to_bits()))).collect(),
            DataType::Boolean => s.bool().unwrap().iter().map(|v| v.map_or_else(null, |x| x.to_string())).collect(),
            _ => s.cast(&DataType::Int64).unwrap().i64().unwrap().iter().map(|v| v.map_or_else(null, |x| x.to_string())).collect(),
        };
        for cell in cells {
            h = fnv1a_from(fnv1a_from(h, cell.as_bytes()), b"\x1f");
        }
    }
    h
}

/// Each [`GENERATOR_VERSION`] with the digest of its output (see the test below). A new
/// version adds a line; the lines of earlier versions stay.
const DIGESTS: &[(u32, &str)] = &[
    (1, "a12289654a1daf81"),
    (2, "d7ebadeb65d1b1ee"),
    (3, "8dd30558465d3edf"),
    (4, "82be77def1b4bcbf"),
    (5, "39fee82c955757ab"),
    (6, "921f152dc8f030d1"),
    (7, "5be4b8b60a765934"),
    (8, "c0eeba076522f688"),
    (9, "668906c2bb2cf7d0"),
];

/// The generated data does not change silently. The demo cache is reused as long as
/// [`GENERATOR_VERSION`], the seed and the referential are the same (`frames::cache_dir`),
/// whatever the source says: a change of the generator that changes the data without a new
/// version would keep serving the old files. So this test holds a digest of everything the
/// cache holds (the fact table, the roster and the département sums, through the same
/// functions as `diagsante demo-data`), computed on a handful of communes that reach every
/// branch of the model (known, unknown, empty and one-digit départements, DROM, Corsica, 0 to
/// 2 million inhabitants): cheap, and changed by any change of a drawn number, a calibration
/// table, a parameter, a row or a column. When it fails, the data changed on purpose or not:
/// if on purpose, bump [`GENERATOR_VERSION`] and add the new `(version, digest)` line to
/// [`DIGESTS`] in the same commit. A refactoring that keeps every number keeps the digest.
#[test]
fn the_generated_data_has_not_changed_silently() {
    let r = crate::geo::Referential::embedded().unwrap();
    // Alone, and completing real totals (the default data).
    let (held, communes) = completing();
    let mut h = super::rng::fnv1a(b"demo");
    for (list, options) in [(made_up(), DemoOptions::default()), (communes, DemoOptions::completing(&held))] {
        let data = communes::dataset(&list, DEFAULT_SEED, &options);
        let facts = frames::facts_frame(&data).unwrap();
        let roster = frames::roster_frame(&data).unwrap();
        // The sums' rows are sorted by (geo, measure, sex) only: the rest of their order varies
        // from run to run (group_by), so the digest reads them in full order.
        let sums = frames::departement_aggregates(&facts, &roster, &r)
            .unwrap()
            .sort(["geo", "year", "measure", "sex", "age_min", "age_max"], Default::default())
            .unwrap();
        assert!(sums.height() > 0, "the made-up communes have real codes: the sums are not empty");
        h = [&facts, &roster, &sums].iter().fold(h, |h, df| digest_frame(h, df));
    }
    let digest = format!("{h:016x}");
    let &(version, expected) = DIGESTS.last().unwrap();
    assert!(DIGESTS.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1), "one line per version, each with its own digest");
    assert_eq!(version, GENERATOR_VERSION, "GENERATOR_VERSION was bumped: add its digest to DIGESTS ({digest})");
    assert_eq!(
        digest,
        expected,
        "the demo data changed: bump GENERATOR_VERSION and add ({}, \"{digest}\") to DIGESTS (see this test's doc)",
        GENERATOR_VERSION + 1
    );
}

/// The national dataset spreads each département's real headcount over its communes: they add
/// up to it, every commune of the département has its row (zeros kept: the real département
/// rows make the measure real, so a missing commune row would be "not given").
#[test]
fn the_departements_real_headcounts_are_spread_over_their_communes() {
    let (held, communes) = completing();
    let data = communes::dataset(&communes, DEFAULT_SEED, &DemoOptions::completing(&held));
    let sum = |m: &str, dep: &str| data.facts.iter().filter(|f| f.measure == m && f.geo.starts_with(dep)).map(|f| f.value).sum::<f64>();
    assert_eq!(
        [sum("professionals_infirmier", "01"), sum("professionals_infirmier", "2B"), sum("professionals_infirmier", "75")],
        [392.0, 150.0, 2500.0]
    );
    // Ain's three communes: the emergency units go to the town of 41,000 (the others are under
    // 10,000 inhabitants).
    let emergency: Vec<(&str, f64)> = data.facts.iter().filter(|f| f.measure == "bpe_emergency").map(|f| (f.geo.as_str(), f.value)).collect();
    assert_eq!(emergency, [("01001", 0.0), ("01002", 0.0), ("01053", 3.0)]);
    let nurses = data.facts.iter().filter(|f| f.measure == "professionals_infirmier").count();
    assert_eq!(nurses, 5, "01001, 01002, 01053, 2B033, 75056");
    assert!(data.facts.iter().filter(|f| f.measure == "professionals_infirmier").all(|f| f.year == DEMO_YEAR && f.sex == Sex::All));
}

/// The series of `communes::SERIES`: five years (2019-2023) of each pair, the numerator never
/// above its denominator, and the national share drifting the documented way (patients without
/// médecin traitant rising: their share in 2019 below 2023's; flu vaccination falling).
#[test]
fn the_trending_pairs_are_given_for_five_years_with_their_drift() {
    let (held, communes) = completing();
    let data = communes::dataset(&communes, DEFAULT_SEED, &DemoOptions::completing(&held));
    let total = |m: &str, y: i32| data.facts.iter().filter(|f| f.measure == m && f.year == y).map(|f| f.value).sum::<f64>();
    for (den, num, drift, _) in communes::SERIES {
        let years: std::collections::BTreeSet<i32> = data.facts.iter().filter(|f| f.measure == den).map(|f| f.year).collect();
        assert_eq!(years.into_iter().collect::<Vec<_>>(), (2019..=2023).collect::<Vec<_>>(), "{den}");
        let share = |y: i32| total(num, y) / total(den, y);
        if drift > 0.0 {
            assert!(share(2019) < share(2023), "{num}: {} then {}", share(2019), share(2023));
        } else if drift < 0.0 {
            assert!(share(2019) > share(2023), "{num}: {} then {}", share(2019), share(2023));
        }
    }
    let mut by_key = std::collections::HashMap::new();
    for f in &data.facts {
        by_key.insert((f.geo.as_str(), f.measure, f.year), f.value);
    }
    for (den, num, _, _) in communes::SERIES {
        for f in data.facts.iter().filter(|f| f.measure == num) {
            assert!(f.value <= by_key.get(&(f.geo.as_str(), den, f.year)).copied().unwrap_or(0.0), "{f:?}");
        }
    }
}
