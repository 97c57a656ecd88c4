//! `diagsante diagnose` on the default data: the embedded real data and the synthetic data
//! completing it (generated into a private cache).

use std::path::Path;

use diagsante::geo::{Referential, Territory};
use diagsante::stats::{proportion::proportion, DEFAULT_LEVELS};
use polars::prelude::*;
use serde_json::Value;

use crate::{data, diagsante};

/// Run `diagnose` with the demo cache in `cache`; returns the JSON output.
fn diagnose(territory: &str, cache: &Path, out: &Path) -> Value {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).args(["diagnose", "--territory", territory, "--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("données synthétiques de démonstration"));
    serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap()
}

fn indicator<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"))
}

/// Σ value of a measure over some communes at its latest year, straight from the demo fact table.
fn hand_sum(facts: &DataFrame, measure: &str, units: &[String]) -> f64 {
    let latest = facts.clone().lazy().filter(col("measure").eq(lit(measure))).select([col("year").max()]).collect().unwrap();
    hand_sum_at(facts, measure, units, latest.column("year").unwrap().cast(&DataType::Int32).unwrap().i32().unwrap().get(0).unwrap())
}

/// Σ value of a measure over some communes at one year.
fn hand_sum_at(facts: &DataFrame, measure: &str, units: &[String], year: i32) -> f64 {
    let units = Series::new("u".into(), units.to_vec());
    let out = facts
        .clone()
        .lazy()
        .filter(
            col("measure")
                .eq(lit(measure))
                .and(col("geo").is_in(lit(units).implode(false), false))
                .and(col("year").cast(DataType::Int32).eq(lit(year))),
        )
        .select([col("value").sum()])
        .collect()
        .unwrap();
    out.column("value").unwrap().f64().unwrap().get(0).unwrap()
}

#[test]
fn the_diagnostic_matches_hand_aggregated_counts_and_its_comparators() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, out) = (dir.path().join("cache"), dir.path().join("out"));
    let d = diagnose("cpts-camargue-gardoise", &cache, &out);
    let r = Referential::embedded().unwrap();
    let t = Territory::find("cpts-camargue-gardoise", &r).unwrap();

    // Population: INSEE's census 2021 (the embedded real data), summed by hand from the
    // commune file (population_2021 of the 10 communes; of every COM and ARM row of France,
    // each code once, Mayotte's census absent), for the territory and for France.
    let pop = indicator(&d, "population");
    assert_eq!(pop["value"].as_f64(), Some(53_667.0));
    assert_eq!(pop["comparators"]["france"]["value"].as_f64(), Some(67_406_310.0));
    assert!(pop["data"].as_str().unwrap().starts_with("INSEE, comparateur de territoires"), "{pop}");
    let density = indicator(&d, "densite_population");
    assert!((density["value"].as_f64().unwrap() - 53_667.0 / 406.49).abs() < 1e-9, "the real area: {density}");

    // A proportion: the statistics core on counts summed by hand from the fact table.
    let demo_dir = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let facts = ParquetReader::new(std::fs::File::open(demo_dir.join("facts-demo.parquet")).unwrap()).finish().unwrap();
    let x = hand_sum(&facts, "patients_17p_without_gp", &t.units);
    let n = hand_sum(&facts, "patients_17p", &t.units);
    let expected = proportion(x, n, 100.0, &DEFAULT_LEVELS).unwrap();
    let got = indicator(&d, "sans_mt_17_plus");
    assert_eq!(got["count"].as_f64(), Some(x));
    assert!((got["value"].as_f64().unwrap() - expected.value.unwrap()).abs() < 1e-9);
    let limits = expected.limits[1].unwrap();
    assert!((got["limits_95_99_8"][1][0].as_f64().unwrap() - limits.lower).abs() < 1e-9);
    assert_eq!(d["comparators"]["departement"], "30 Gard");

    // Its trend: the chi-square test for trend (Armitage) on the counts of 2019-2023 summed by
    // hand, written out here: X² = [Σ (x − n p̄)(t − t̄)]² / (p̄ (1 − p̄) Σ n (t − t̄)²), t̄
    // weighted by n; slope Σ (x − n p̄)(t − t̄) / Σ n (t − t̄)², in points of % a year.
    let points: Vec<(f64, f64, f64)> = (2019..=2023)
        .map(|y| (f64::from(y), hand_sum_at(&facts, "patients_17p_without_gp", &t.units, y), hand_sum_at(&facts, "patients_17p", &t.units, y)))
        .collect();
    let (sx, sn): (f64, f64) = (points.iter().map(|p| p.1).sum(), points.iter().map(|p| p.2).sum());
    let (p_bar, t_bar) = (sx / sn, points.iter().map(|p| p.2 * p.0).sum::<f64>() / sn);
    let sxy: f64 = points.iter().map(|p| (p.1 - p.2 * p_bar) * (p.0 - t_bar)).sum();
    let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - t_bar).powi(2)).sum();
    let trend = &got["trend"];
    assert_eq!(trend["points"].as_u64(), Some(5), "{trend}");
    assert!((trend["statistic"].as_f64().unwrap() - sxy * sxy / (p_bar * (1.0 - p_bar) * sxx)).abs() < 1e-6, "{trend}");
    assert!((trend["slope"].as_f64().unwrap() - 100.0 * sxy / sxx).abs() < 1e-9, "{trend}");
    assert_eq!(trend["series"].as_array().unwrap().len(), 5);
    // The synthetic drift (+0.3 point a year) is a significant rise of a share where low is
    // good: worsening; and the territory is worse than France: the Fingertips flag.
    assert_eq!((trend["trend"].as_str(), trend["label"].as_str()), (Some("increasing"), Some("en dégradation")), "{trend}");
    assert_eq!(got["comparators"]["france"]["comparison_95"], "moins bon");
    assert_eq!(trend["flag"], "moins bon et en dégradation");
    // A census count of two years (population 2015, 2021): no test, said so.
    let pop_trend = &indicator(&d, "population")["trend"];
    assert_eq!((pop_trend["points"].as_u64(), pop_trend["label"].as_str()), (Some(2), Some("non calculable")), "{pop_trend}");
    let csv = std::fs::read_to_string(out.join("diagnostic.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with("data;trend_points;trend_slope;trend_statistic;trend;trend_label;trend_note;trend_flag"), "{header}");

    // The annual growth from the census 2015 (51,276 in the commune file, by hand) to 2021.
    let growth = indicator(&d, "croissance_population");
    let expected = 100.0 * ((53_667.0_f64 / 51_276.0).powf(1.0 / 6.0) - 1.0);
    assert!((growth["value"].as_f64().unwrap() - expected).abs() < 1e-9, "{growth}");
    assert!(growth["comparators"]["france"]["comparison_95"] == "", "a census count has no interval to compare");

    // The 0-17 and the 18-39 (the demo's 15-19 band comes as 15-17 and 18-19).
    let banded = |lo: u32, hi: u32| -> f64 {
        let units = Series::new("u".into(), t.units.clone());
        let df = facts
            .clone()
            .lazy()
            .filter(col("measure").eq(lit("population")).and(col("geo").is_in(lit(units).implode(false), false)))
            .filter(col("age_min").gt_eq(lit(lo)).and(col("age_max").lt_eq(lit(hi))))
            .select([col("value").sum()])
            .collect()
            .unwrap();
        df.column("value").unwrap().f64().unwrap().get(0).unwrap()
    };
    for (id, lo, hi) in [("part_0_17", 0, 17), ("part_18_39", 18, 39)] {
        let expected = 100.0 * banded(lo, hi) / 53_667.0;
        let got = indicator(&d, id)["value"].as_f64().unwrap();
        assert!((got - expected).abs() < 1e-9, "{id}: {got} vs {expected}");
    }

    // The standardised mortality, recomputed here from the facts: Dobson's DSR on ESP 2013
    // (0 and 1-4 merged into 0-4, 90-94 and 95+ into 90+), and the ICM against France.
    let by_band = |measure: &str, units: Option<&[String]>| -> Vec<f64> {
        let mut lf = facts.clone().lazy().filter(col("measure").eq(lit(measure)));
        if let Some(u) = units {
            lf = lf.filter(col("geo").is_in(lit(Series::new("u".into(), u.to_vec())).implode(false), false));
        }
        let df = lf.group_by([col("age_min")]).agg([col("value").sum()]).collect().unwrap();
        let mut out = vec![0.0; 19];
        let (a, v) = (df.column("age_min").unwrap().u32().unwrap(), df.column("value").unwrap().f64().unwrap());
        for i in 0..df.height() {
            out[((a.get(i).unwrap() / 5) as usize).min(18)] += v.get(i).unwrap();
        }
        out
    };
    let esp = [
        5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0,
        1500.0, 1000.0,
    ];
    let (deaths, pop) = (by_band("deaths_all_causes", Some(&t.units)), by_band("population", Some(&t.units)));
    let dsr = (0..19).map(|i| deaths[i] * esp[i] / pop[i]).sum::<f64>() / esp.iter().sum::<f64>() * 1e5;
    let got = indicator(&d, "mortalite_generale")["value"].as_f64().unwrap();
    assert!((got - dsr).abs() < 1e-9 * dsr, "DSR {got} vs {dsr}");
    let (fd, fp) = (by_band("deaths_all_causes", None), by_band("population", None));
    let expected: f64 = (0..19).map(|i| pop[i] * fd[i] / fp[i]).sum();
    let icm = 100.0 * deaths.iter().sum::<f64>() / expected;
    let got = indicator(&d, "icm_mortalite_generale")["value"].as_f64().unwrap();
    assert!((got - icm).abs() < 1e-9 * icm, "ICM {got} vs {icm}");

    // The shortcut (territory rows + cached département sums) gives the numbers of the full
    // national facts read through --data.
    let slow_out = dir.path().join("slow");
    let o = diagsante()
        .args(["diagnose", "--territory", "cpts-camargue-gardoise", "--data", demo_dir.to_str().unwrap(), "--out", slow_out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let slow: Value = serde_json::from_str(&std::fs::read_to_string(slow_out.join("diagnostic.json")).unwrap()).unwrap();
    let same = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * y.abs().max(1.0),
        _ => a.is_null() == b.is_null(),
    };
    for (fast, full) in d["indicators"].as_array().unwrap().iter().zip(slow["indicators"].as_array().unwrap()) {
        assert_eq!(fast["id"], full["id"]);
        assert!(same(&fast["value"], &full["value"]), "{}: {} vs {}", fast["id"], fast["value"], full["value"]);
        for c in ["departement", "region", "france"] {
            let (a, b) = (&fast["comparators"][c]["value"], &full["comparators"][c]["value"]);
            assert!(same(a, b), "{} {c}: {a} vs {b}", fast["id"]);
        }
    }

    // French Excel CSV: BOM, semicolons, decimal commas.
    let csv = std::fs::read(out.join("diagnostic.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFid;theme;label"));
    assert!(String::from_utf8_lossy(&csv).contains(";53667,0;"));
    assert!(out.join("diagnostic.parquet").exists());

    // A territory equal to its département is similar to it on every compared indicator.
    let gard = dir.path().join("gard.toml");
    std::fs::write(&gard, "name = \"Gard entier\"\nkind = \"custom\"\ndepartements = [\"30\"]\n").unwrap();
    let g = diagnose(gard.to_str().unwrap(), &cache, &dir.path().join("gard"));
    for i in g["indicators"].as_array().unwrap() {
        let c = &i["comparators"]["departement"]["comparison_95"];
        assert!(c == "similaire" || c == "", "{}: {c}", i["id"]);
    }
    assert!(g["indicators"].as_array().unwrap().iter().filter(|i| i["comparators"]["departement"]["comparison_95"] == "similaire").count() > 20);

    // A territory across two départements takes the majority one, with a note.
    let s = diagnose(data("territories/straddling.toml").to_str().unwrap(), &cache, &dir.path().join("straddling"));
    assert!(s["comparator_note"].as_str().unwrap().contains("30 Gard"), "{}", s["comparator_note"]);
    assert!(s["comparators"]["departement"].as_str().unwrap().starts_with("13 "), "the majority département: {}", s["comparators"]["departement"]);

    // An age range the data's bands cannot give (0-16: the demo has 15-17) is refused, not
    // silently computed on 0-14.
    let catalogue = dir.path().join("catalogue.toml");
    std::fs::write(
        &catalogue,
        "[[indicator]]\nid = \"part_0_16\"\nlabel = \"0-16\"\ntheme = \"t\"\nmethod = \"proportion\"\n\
        numerator = { measure = \"population\", age_max = 16 }\ndenominator = { measure = \"population\" }\npolarity = \"neutral\"\nsource = \"s\"\n",
    )
    .unwrap();
    let o = diagsante()
        .env("DIAGSANTE_CACHE", &cache)
        .args([
            "diagnose",
            "--territory",
            "cpts-camargue-gardoise",
            "--catalogue",
            catalogue.to_str().unwrap(),
            "--out",
            dir.path().join("c").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("c/diagnostic.json")).unwrap()).unwrap();
    let row = indicator(&c, "part_0_16");
    assert!(row["value"].is_null() && row["note"].as_str().unwrap().contains("15-17"), "{row}");

    // A tiny territory: small counts are withheld, with the reason.
    let tiny = dir.path().join("tiny.toml");
    std::fs::write(&tiny, "name = \"Tiny\"\nkind = \"custom\"\ncommunes = [\"30020\"]\n").unwrap();
    let t = diagnose(tiny.to_str().unwrap(), &cache, &dir.path().join("tiny"));
    let secret: Vec<&Value> =
        t["indicators"].as_array().unwrap().iter().filter(|i| i["note"].as_str().is_some_and(|n| n.contains("secret statistique"))).collect();
    assert!(!secret.is_empty());
    assert!(secret.iter().all(|i| i["value"].is_null() && i["count"].is_null()));
}

/// The catalogue's indicators that need INSEE's communal census bases (by age, sex, diploma,
/// family, housing), which the default data's commune file does not carry, or a CPAM
/// patientèle by age band (the 17-69); FINESS's heavy equipment (the shared extract is partial:
/// not embedded, and not synthesised); ameli's age classes (the embedded file has all ages
/// only).
const NOT_IN_DEFAULT_DATA: [&str; 31] = [
    "chomage_15_24",
    "chomage_25_54",
    "chomage_55_64",
    "chomage_femmes_15_64",
    "chomage_hommes_15_64",
    "rapport_ouvriers_cadres",
    "part_sans_diplome",
    "part_bac_2",
    "part_bac_5",
    "part_familles_monoparentales",
    "part_80_plus_seuls",
    "part_proprietaires",
    "part_hlm",
    "part_logements_vacants",
    "part_menages_voiture",
    "part_logements_avant_1946",
    "part_logements_sans_salle_de_bain",
    "part_actifs_travaillant_commune",
    "nombre_irm",
    "densite_irm",
    "nombre_scanners",
    "densite_scanners",
    "part_dentistes_60_plus",
    "part_infirmiers_60_plus",
    "part_kines_60_plus",
    "part_sages_femmes_60_plus",
    "part_specialistes_60_plus",
    // The demo's roster has GPs only.
    "nombre_professionnels",
    "part_professionnels_60_plus",
    "part_professionnels_65_plus",
    "part_professionnels_55_plus",
];

/// Causes with a few deaths a year in a territory of 20,000-50,000 inhabitants: on the one year
/// of deaths of the default data they are mostly under the secrecy threshold (the ORS tables
/// pool five years).
const RARE_CAUSES: [&str; 4] = ["mortalite_accidents_circulation", "mortalite_alcool", "mortalite_suicide", "icm_suicide"];

/// The professions and facilities the real data gives by département only (ameli, statistiques
/// locales): the département, the région and France read the real département rows; the
/// territory's count is its synthetic communes', spread from them; each side says its source.
#[test]
fn the_professions_compare_synthetic_communes_with_real_departement_headcounts() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, out) = (dir.path().join("cache"), dir.path().join("out"));
    let d = diagnose("cpts-camargue-gardoise", &cache, &out);
    let r = Referential::embedded().unwrap();
    let t = Territory::find("cpts-camargue-gardoise", &r).unwrap();
    // ameli 2024, liberal nurses of all ages and sexes (by hand in
    // ameli_demographie_ps_liberaux_dep_2024.csv): Gard 1,814, Occitanie 12,944, France 99,023
    // (the sum of its 101 départements).
    let nurses = indicator(&d, "nombre_infirmiers");
    let value = |i: &Value, g: &str| i["comparators"][g]["value"].as_f64();
    assert_eq!((value(nurses, "departement"), value(nurses, "region"), value(nurses, "france")), (Some(1814.0), Some(12944.0), Some(99023.0)));
    assert_eq!(
        nurses["data"],
        "territoire : données synthétiques de démonstration ; \
         département, région, France : Assurance Maladie, démographie des professionnels de santé libéraux 2024"
    );
    // The territory's: its synthetic communes', summed by hand; the Gard's communes add up to
    // the real headcount they are spread from.
    let demo_dir = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let facts = ParquetReader::new(std::fs::File::open(demo_dir.join("facts-demo.parquet")).unwrap()).finish().unwrap();
    assert_eq!(nurses["value"].as_f64(), Some(hand_sum(&facts, "professionals_infirmier", &t.units)));
    let gard: Vec<String> = r.base_units_of_departement("30").iter().map(|u| u.code.clone()).collect();
    assert_eq!(hand_sum(&facts, "professionals_infirmier", &gard), 1814.0);
    // The density: the real headcount over the real census population (2021).
    let population = value(indicator(&d, "population"), "departement").unwrap();
    let density = indicator(&d, "densite_infirmiers");
    assert!((value(density, "departement").unwrap() - 1814.0 / population * 1e4).abs() < 1e-9, "{density}");
    assert!(density["data"].as_str().unwrap().contains("département, région, France : Assurance Maladie"), "{density}");
    // Midwives: 115 in the Gard, per 10,000 inhabitants and per 10,000 women aged 15-49.
    assert_eq!(value(indicator(&d, "nombre_sages_femmes"), "departement"), Some(115.0));
    assert!(
        value(indicator(&d, "densite_sages_femmes_femmes_15_49"), "departement").unwrap()
            > value(indicator(&d, "densite_sages_femmes"), "departement").unwrap()
    );
    // Pharmacies and emergency units: the statistiques locales 2024 (Gard: 246 and 5).
    assert_eq!(value(indicator(&d, "nombre_pharmacies"), "departement"), Some(246.0));
    assert_eq!(value(indicator(&d, "nombre_urgences"), "departement"), Some(5.0));
    assert!(indicator(&d, "nombre_urgences")["data"].as_str().unwrap().ends_with("département, région, France : INSEE, statistiques locales 2024"));
}

/// INSEE's children's bands, which five-year bands cannot give.
const CHILDRENS_BANDS: [&str; 4] = ["part_0_2", "part_3_5", "part_6_10", "part_11_17"];

#[test]
fn the_five_shipped_territories_have_a_complete_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let r = Referential::embedded().unwrap();
    for (id, _) in diagsante::geo::SHIPPED {
        let d = diagnose(id, &cache, &dir.path().join(id));
        let t = Territory::find(id, &r).unwrap();
        // The census 2021 (real data): within 5 % of the populations légales of the referential
        // (another INSEE dataset, two years later: CLS Aunis Atlantique grew 3 %).
        let (census, legal) = (indicator(&d, "population")["value"].as_f64().unwrap(), t.population(&r) as f64);
        assert!(census < legal && (census / legal - 1.0).abs() < 0.05, "{id}: census {census}, populations légales {legal}");
        // On the demo data every indicator has a value, or is withheld because of small
        // counts (a year of suicides in 33,000 people), never for want of data: at most three
        // for their own counts, and those a difference with a nested EPCI would give away.
        // The exceptions: the indicators of INSEE's communal census bases, which the default
        // data does not hold (missing, with the measure named), and the two parts of the
        // growth, which need the births and deaths of 2015-2020, between the censuses (the
        // default data has those of 2022 only: missing, saying so).
        let components = ["croissance_solde_naturel", "croissance_solde_migratoire"];
        let all: Vec<&serde_json::Value> =
            d["indicators"].as_array().unwrap().iter().filter(|i| !NOT_IN_DEFAULT_DATA.contains(&i["id"].as_str().unwrap())).collect();
        for i in &all {
            let status = i["status"].as_str().unwrap_or_default();
            if i["id"] == "taille_moyenne_menages" {
                // The households' population is not in the default data (INSEE's P21_PMEN).
                assert!(status == "missing_input" && i["note"].as_str().unwrap_or_default().contains("household_population"), "{id}: {i}");
                continue;
            }
            if components.contains(&i["id"].as_str().unwrap_or_default()) {
                let note = i["note"].as_str().unwrap_or_default();
                assert!(status == "missing_input" && note.contains("absent des données") && note.contains("2015-2020"), "{id}: {i}");
                continue;
            }
            if CHILDRENS_BANDS.contains(&i["id"].as_str().unwrap_or_default()) {
                // INSEE's 0-2, 3-5, 6-10, 11-17: the demo's five-year bands cannot give them.
                let note = i["note"].as_str().unwrap_or_default();
                assert!(
                    status == "missing_input" && (note.contains("chevauche les limites demandées") || note.contains("pour ces âges")),
                    "{id}: {i}"
                );
                continue;
            }
            assert!(i["value"].is_number() || status.starts_with("secret") || status == "too_few_events", "{id}: {} ({status})", i["id"]);
        }
        for i in d["indicators"].as_array().unwrap().iter().filter(|i| NOT_IN_DEFAULT_DATA.contains(&i["id"].as_str().unwrap())) {
            assert!(i["value"].is_null() && i["status"] == "missing_input" && i["note"].as_str().unwrap().contains("«"), "{id}: {i}");
        }
        let own = all
            .iter()
            .filter(|i| {
                i["value"].is_null()
                    && i["status"] != "secret_difference"
                    && !components.contains(&i["id"].as_str().unwrap_or_default())
                    && !CHILDRENS_BANDS.contains(&i["id"].as_str().unwrap_or_default())
                    && i["id"] != "taille_moyenne_menages"
                    && !RARE_CAUSES.contains(&i["id"].as_str().unwrap_or_default())
            })
            .count();
        assert!(own <= 3, "{id}: {own}");
    }
}

/// A CPTS's roster lists every professional of its communes, and no one else's: its
/// communes without a GP have none (the density is computed, without a note), while the
/// département, the région and France, of which it gives a couple of communes, are withheld
/// rather than summed from those. Populations: INSEE's real census 2021 (POP1B) of Carcassonne
/// (46,119: the sum of its rows, awk on the file) and Narbonne (56,297).
#[test]
fn a_territory_roster_lists_its_communes_only() {
    let Some(population) = crate::realdata("population/insee_rp2021_pop1b_25_communes_occitanie.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let ingest = |args: &[&str]| {
        let o = diagsante().arg("ingest").args(args).arg("--out").arg(&data_dir).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    ingest(&[population.to_str().unwrap()]);
    // Four GPs in Carcassonne (three aged 60 or more: the share's secrecy threshold), a
    // nurse; none in Narbonne.
    let roster = dir.path().join("medecins.csv");
    std::fs::write(
        &roster,
        "identifiant;profession;commune;age;sexe\nMG1;Médecin généraliste;11069;61;F\nMG2;Médecin généraliste;11069;66;M\n\
         MG3;Médecin généraliste;11069;38;F\nMG4;Médecin généraliste;11069;63;M\nIDE1;Infirmier;11069;45;F\n",
    )
    .unwrap();
    ingest(&["roster", roster.to_str().unwrap(), "--year", "2021"]);
    let territory = dir.path().join("t.toml");
    std::fs::write(&territory, "name = \"Carcassonne et Narbonne\"\nkind = \"custom\"\ncommunes = [\"11069\", \"11262\"]\n").unwrap();
    let out = dir.path().join("out");
    let o = diagsante()
        .args(["diagnose", "--territory", territory.to_str().unwrap(), "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    // gp, gp_by_age, professional_infirmier, professional_all and their _by_age at Narbonne.
    assert!(stderr.contains("the roster is read as the list of every professional of Carcassonne et Narbonne: 6 counts of 0 added"), "{stderr}");
    let d: Value = serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap();
    let density = indicator(&d, "densite_mg");
    assert!((density["value"].as_f64().unwrap() - 4.0 / (46_119.0 + 56_297.0) * 10_000.0).abs() < 1e-9, "{density}");
    assert!(density["note"].is_null(), "Narbonne has no GP, not an unknown number: {density}");
    let share = indicator(&d, "mg_60_plus");
    assert_eq!((share["count"].as_f64(), share["value"].as_f64()), (Some(3.0), Some(75.0)), "{share}");
    // Every professional of the roster, the nurse with the GPs: 5, three of them 60 or more;
    // one 65 or more, under the secrecy threshold of 3.
    assert_eq!(indicator(&d, "nombre_professionnels")["value"].as_f64(), Some(5.0));
    let all = indicator(&d, "part_professionnels_60_plus");
    assert_eq!((all["count"].as_f64(), all["value"].as_f64()), (Some(3.0), Some(60.0)), "{all}");
    assert_eq!(indicator(&d, "part_professionnels_65_plus")["status"], "secret");
    // The Aude: two communes of its 433 known, withheld (not 4 GPs for the Aude).
    let aude = &density["comparators"]["departement"];
    assert!(aude["value"].is_null(), "{density}");
    assert!(indicator(&d, "nombre_mg")["comparators"]["departement"]["value"].is_null());

    // The same roster said to list every professional of the Aude (an extract of the
    // département): its 431 other communes have none, and the Aude has 4 GPs.
    ingest(&["roster", roster.to_str().unwrap(), "--year", "2021", "--covers", "11"]);
    let o = diagsante()
        .args(["diagnose", "--territory", territory.to_str().unwrap(), "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("list of every professional of départements 11: 2592 counts of 0"), "6 × 432");
    let d: Value = serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap();
    assert_eq!(indicator(&d, "nombre_mg")["comparators"]["departement"]["value"].as_f64(), Some(4.0));
    assert!(indicator(&d, "nombre_mg")["comparators"]["region"]["value"].is_null(), "Occitanie: the Aude only");
    // A bad scope, or a scope for a file that is no roster: errors naming the option.
    for (file, covers, want) in
        [(roster.as_path(), "999", "«999» is not a département code"), (population.as_path(), "11", "--covers is for a roster")]
    {
        let o = diagsante()
            .args(["ingest", file.to_str().unwrap(), "--year", "2021", "--covers", covers, "--out"])
            .arg(dir.path().join("bad"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains(want), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!dir.path().join("bad").join("roster.parquet").exists());
    }
}
