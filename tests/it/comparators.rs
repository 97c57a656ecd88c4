//! The comparators on request (issue 15): France hexagonale beside or instead of France
//! entière (`--france`), the ICM's reference (`--icm-reference`), and every département of a
//! territory straddling several (`--departements all`), in `diagnose`, `benchmark`, `national`
//! and the report, on the default data.

use std::path::Path;

use diagsante::geo::Referential;
use polars::prelude::*;
use serde_json::Value;

use crate::{data, diagsante};

fn run(args: &[&str], cache: &Path) -> String {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn indicator<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"))
}

/// The national table's rows as (kind, code, indicator) → (value, france_value, france_hexagonale_value).
type Rows = std::collections::HashMap<(String, String, String), (Option<f64>, Option<f64>, Option<f64>)>;

fn rows(df: &DataFrame) -> Rows {
    let text = |c: &str| df.column(c).unwrap().str().unwrap().clone();
    let num = |c: &str| df.column(c).ok().map(|c| c.f64().unwrap().clone());
    let (kind, code, ind) = (text("kind"), text("code"), text("indicator"));
    let (value, fr, fm) = (num("value").unwrap(), num("france_value"), num("france_hexagonale_value"));
    (0..df.height())
        .map(|i| {
            let key = (kind.get(i).unwrap().to_owned(), code.get(i).unwrap().to_owned(), ind.get(i).unwrap().to_owned());
            (key, (value.get(i), fr.as_ref().and_then(|c| c.get(i)), fm.as_ref().and_then(|c| c.get(i))))
        })
        .collect()
}

#[test]
fn france_hexagonale_is_metropolitan_france_in_national_and_diagnose() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let r = Referential::embedded().unwrap();

    // national --france both: a row and columns for each France.
    let out = dir.path().join("national");
    let printed = run(&["national", "--france", "both", "--out", out.to_str().unwrap()], &cache);
    assert!(printed.contains("comparés à : France entière et France hexagonale"), "{printed}");
    let nat = parquet(&out.join("national.parquet"));
    let rows = rows(&nat);
    let key = |kind: &str, code: &str, ind: &str| (kind.to_owned(), code.to_owned(), ind.to_owned());
    let fr = rows[&key("france", "FR", "population")].0.unwrap();
    let fm = rows[&key("france", "FM", "population")].0.unwrap();
    // France hexagonale's population is the sum of the metropolitan départements' rows
    // (zone `metro` of the referential, Corsica included, each with a population); France
    // entière's adds the DROM's (Mayotte's census is absent from the real data).
    let pops = |zone: &[&str]| -> Vec<Option<f64>> {
        r.departements.values().filter(|d| zone.contains(&d.zone.as_str())).map(|d| rows[&key("departement", &d.code, "population")].0).collect()
    };
    assert!(pops(&["metro"]).iter().all(Option::is_some));
    let sum = |zone: &[&str]| -> f64 { pops(zone).into_iter().flatten().sum() };
    assert_eq!(fm, sum(&["metro"]));
    assert_eq!(fr, sum(&["metro", "drom"]));
    assert!(fm < fr);
    // Every row carries both Frances' values.
    let gard = rows[&key("departement", "30", "population")];
    assert_eq!((gard.1, gard.2), (Some(fr), Some(fm)));
    // The ICM's reference stays France entière: its ICM is 100, France hexagonale's is not.
    assert_eq!(rows[&key("france", "FR", "icm_mortalite_generale")].0, Some(100.0));
    assert_ne!(rows[&key("france", "FM", "icm_mortalite_generale")].0, Some(100.0));
    // The default keeps one France and its columns only.
    let default = dir.path().join("national-default");
    run(&["national", "--out", default.to_str().unwrap()], &cache);
    let d = parquet(&default.join("national.parquet"));
    assert!(d.column("france_hexagonale_value").is_err());
    let default_rows = self::rows(&d);
    assert!(!default_rows.contains_key(&key("france", "FM", "population")));
    assert_eq!(
        default_rows[&key("departement", "30", "icm_mortalite_generale")],
        (rows[&key("departement", "30", "icm_mortalite_generale")].0, rows[&key("departement", "30", "icm_mortalite_generale")].1, None)
    );

    // diagnose --france hexagonale: the France column is France hexagonale's, the same as the
    // national table's FM row; the ICM is still against France entière, and says so.
    let diag = dir.path().join("diag");
    let printed = run(&["diagnose", "--territory", "cpts-camargue-gardoise", "--france", "hexagonale", "--out", diag.to_str().unwrap()], &cache);
    assert!(printed.contains("France de comparaison : France hexagonale"), "{printed}");
    assert!(printed.contains("référence des indices comparatifs de mortalité : France entière"), "{printed}");
    let j = json(&diag.join("diagnostic.json"));
    assert_eq!(j["comparators"]["france_hexagonale"], "France hexagonale");
    assert!(j["comparators"].get("france").is_none());
    assert_eq!(indicator(&j, "population")["comparators"]["france_hexagonale"]["value"].as_f64(), Some(fm));
    let icm = indicator(&j, "icm_mortalite_generale");
    assert_eq!(icm["label"], "Indice comparatif de mortalité générale (France entière = 100)");
    let fm_icm = rows[&key("france", "FM", "icm_mortalite_generale")].0.unwrap();
    assert!((icm["comparators"]["france_hexagonale"]["value"].as_f64().unwrap() - fm_icm).abs() < 1e-9, "{icm}");
    let csv = std::fs::read_to_string(diag.join("diagnostic.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(";france_hexagonale_value;difference_france_hexagonale;"), "{csv}");

    // --icm-reference hexagonale: France hexagonale's ICM is 100 by construction.
    let diag = dir.path().join("diag-icm");
    run(
        &[
            "diagnose",
            "--territory",
            "cpts-camargue-gardoise",
            "--france",
            "hexagonale",
            "--icm-reference",
            "hexagonale",
            "--out",
            diag.to_str().unwrap(),
        ],
        &cache,
    );
    let j = json(&diag.join("diagnostic.json"));
    assert_eq!(j["icm_reference"], "France hexagonale");
    let icm = indicator(&j, "icm_mortalite_generale");
    assert_eq!(icm["label"], "Indice comparatif de mortalité générale (France hexagonale = 100)");
    assert!((icm["comparators"]["france_hexagonale"]["value"].as_f64().unwrap() - 100.0).abs() < 1e-9, "{icm}");
}

#[test]
fn a_straddling_territory_is_compared_with_each_of_its_departements_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let territory = data("territories/straddling.toml");
    let out = dir.path().join("all");
    let printed = run(&["diagnose", "--territory", territory.to_str().unwrap(), "--departements", "all", "--out", out.to_str().unwrap()], &cache);
    assert!(printed.contains("comparateurs : 13 Bouches-du-Rhône, 30 Gard, 01 Ain,"), "{printed}");
    let j = json(&out.join("diagnostic.json"));
    assert_eq!(j["comparators"]["departement"], "13 Bouches-du-Rhône");
    assert_eq!(j["comparators"]["departement_30"], "30 Gard");
    assert_eq!(j["comparators"]["departement_01"], "01 Ain");
    assert!(j["comparator_note"].as_str().unwrap().contains("compared with each"), "{}", j["comparator_note"]);
    // Each département's value is its own diagnostic's département value (the Gard's: a
    // territory inside the Gard).
    let gard = dir.path().join("gard");
    run(&["diagnose", "--territory", "cpts-camargue-gardoise", "--out", gard.to_str().unwrap()], &cache);
    let g = json(&gard.join("diagnostic.json"));
    for id in ["population", "sans_mt_17_plus", "icm_mortalite_generale"] {
        let mine = &indicator(&j, id)["comparators"]["departement_30"];
        assert_eq!(mine["value"], indicator(&g, id)["comparators"]["departement"]["value"], "{id}");
    }
    assert_eq!(indicator(&j, "population")["comparators"]["departement_30"]["value"].as_f64(), Some(756_543.0));
    let header = std::fs::read_to_string(out.join("diagnostic.csv")).unwrap().lines().next().unwrap().to_owned();
    assert!(header.contains(";departement_30_value;difference_departement_30;comparison_departement_30_95;"), "{header}");
    // Without the option: the main département only.
    let main = dir.path().join("main");
    run(&["diagnose", "--territory", territory.to_str().unwrap(), "--out", main.to_str().unwrap()], &cache);
    let m = json(&main.join("diagnostic.json"));
    assert!(m["comparators"].get("departement_30").is_none());
    assert!(m["comparator_note"].as_str().unwrap().contains("compared with the first"));
}

#[test]
fn benchmark_ranks_among_the_departements_of_the_france_asked() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let r = Referential::embedded().unwrap();
    let among = |france: &str| -> (String, Option<u32>) {
        let out = dir.path().join(france);
        let printed = run(
            &["benchmark", "--territory", "cpts-camargue-gardoise", "--against", "departements", "--france", france, "--out", out.to_str().unwrap()],
            &cache,
        );
        let b = parquet(&out.join("benchmark.parquet"));
        let ids = b.column("indicator").unwrap().str().unwrap().clone();
        let at = (0..b.height()).find(|&i| ids.get(i) == Some("population")).unwrap();
        (printed, b.column("among").unwrap().u32().unwrap().get(at))
    };
    // The Gard holds the territory: left out of the set.
    let metro = r.departements.values().filter(|d| d.zone == "metro").count() as u32;
    let (printed, n) = among("hexagonale");
    assert!(printed.contains("parmi les départements de la France hexagonale"), "{printed}");
    assert_eq!(n, Some(metro - 1));
    let (printed, n) = among("entiere");
    assert!(printed.contains("parmi les départements de la France entière"), "{printed}");
    // The DROM's too: those with a population in the national table (the census of Mayotte
    // may be absent from the data).
    let out = dir.path().join("national");
    run(&["national", "--out", out.to_str().unwrap()], &cache);
    let rows = rows(&parquet(&out.join("national.parquet")));
    let drom = r
        .departements
        .values()
        .filter(|d| d.zone == "drom")
        .filter(|d| rows[&("departement".to_owned(), d.code.clone(), "population".to_owned())].0.is_some())
        .count() as u32;
    assert!(drom >= 4, "{drom}");
    assert_eq!(n, Some(metro + drom - 1));
}

#[test]
fn the_report_says_which_france() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let page = |args: &[&str], name: &str| -> String {
        let out = dir.path().join(name);
        let mut all = vec!["report", "--territory", "cls-rochefort-ocean", "--format", "html", "--out", out.to_str().unwrap()];
        all.extend(args);
        run(&all, &cache);
        std::fs::read_to_string(out.join("rapport.html")).unwrap()
    };
    let default = page(&[], "default");
    assert!(default.contains("Comparateurs retenus : Charente-Maritime (17), Nouvelle-Aquitaine et la France entière"), "default");
    assert!(default.contains("population de référence de la France entière"));
    let hexagonale = page(&["--france", "hexagonale"], "hexagonale");
    assert!(hexagonale.contains("Nouvelle-Aquitaine et la France hexagonale (France métropolitaine, Corse comprise"));
    assert!(hexagonale.contains("population de référence de la France entière"));
    assert!(hexagonale.contains("(France entière = 100)"));
    assert!(hexagonale.contains("<th>France hexagonale</th>"));
    // The APL's table by year too (its own comparators): France hexagonale's column, and no
    // France entière's.
    let apl = |page: &str| page[page.find("par année").expect("the APL's table by year")..].split("</thead>").next().unwrap().to_owned();
    assert!(apl(&hexagonale).contains("<th>France hexagonale</th>") && !apl(&hexagonale).contains("France entière"), "{}", apl(&hexagonale));
    assert!(apl(&default).contains("<th>France</th>") || apl(&default).contains("<th>France entière</th>"), "{}", apl(&default));
}
