//! `diagsante report --data DIR` on a folder ingested from real published files of
//! `../shared/realdata/` (INSEE's commune file, ameli, INSEE statistiques locales): the
//! numbers are the files' own, recomputed here from the published files, and every row says
//! its real source.

use std::collections::BTreeMap;

use crate::{csv_records, diagsante, realdata};

/// A French decimal of the CSV outputs.
fn number(text: &str) -> f64 {
    text.replace(',', ".").parse().unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

#[test]
fn a_report_on_real_files_quotes_their_numbers_with_their_sources() {
    let files = [
        "geo/communes_france_2024_centroids_pop.csv",
        "medical/ameli_demographie_ps_liberaux_dep_2024.csv",
        "health_indicators/insee_statloc_sante_departement_2024.csv",
    ];
    let Some(paths) = files.iter().map(|f| realdata(f)).collect::<Option<Vec<_>>>() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let mut args = vec!["ingest".to_owned()];
    args.extend(paths.iter().map(|p| p.to_str().unwrap().to_owned()));
    args.extend(["--out".to_owned(), data.to_str().unwrap().to_owned()]);
    let o = diagsante().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = diagsante()
        .args(["report", "--territory", "cls-rochefort-ocean", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The expected figures, from the published commune file itself (one row per commune and
    // postal code: each commune once) and the territory's communes as the referential lists them.
    let show = diagsante().args(["territory", "show", "cls-rochefort-ocean"]).output().unwrap();
    let codes: Vec<String> = String::from_utf8(show.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().filter(|c| c.len() == 5 && c.starts_with("17")).map(str::to_owned))
        .collect();
    assert_eq!(codes.len(), 25);
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    let records = csv_records(&text, ',');
    let at = |name: &str| records[0].iter().position(|c| c == name).unwrap();
    let (com, kind, dep, pop, area) = (at("insee_com"), at("commune_type"), at("insee_dep"), at("population_2021"), at("superficie_km2"));
    // Current communes only (a commune déléguée may carry the code of its commune nouvelle).
    let communes: BTreeMap<&str, &Vec<String>> = records[1..].iter().filter(|r| r[kind] == "COM").map(|r| (r[com].as_str(), r)).collect();
    let sum = |keep: &dyn Fn(&Vec<String>) -> bool, column: usize| -> f64 {
        communes.values().filter(|r| keep(r)).map(|r| r[column].parse::<f64>().unwrap_or(0.0)).sum()
    };
    let mine = |r: &Vec<String>| codes.contains(&r[com]);
    let (population, km2) = (sum(&mine, pop), sum(&mine, area));
    let departement = sum(&|r: &Vec<String>| r[dep] == "17", pop);
    assert!(population > 60_000.0 && departement > 600_000.0, "{population} {departement}");

    let table = csv_records(std::fs::read_to_string(out.join("diagnostic.csv")).unwrap().as_str(), ';');
    let column = |name: &str| table[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("{name}"));
    let row = |id: &str| table.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("{id}"));
    let (value, dep_value, source) = (column("value"), column("departement_value"), column("data"));
    assert_eq!(number(&row("population")[value]), population);
    assert_eq!(number(&row("population")[dep_value]), departement);
    let density = number(&row("densite_population")[value]);
    assert!((density - population / km2).abs() < 1e-9 * density, "{density} against {}", population / km2);
    for id in ["population", "densite_population", "croissance_population"] {
        assert!(row(id)[source].starts_with("INSEE, comparateur de territoires"), "{id}: {}", row(id)[source]);
    }

    // The page: nothing said synthetic; the published values of the département with their
    // French labels, ameli's density of physiotherapists in Charente-Maritime as ameli gives it.
    let html = std::fs::read_to_string(out.join("rapport.html")).unwrap();
    assert!(!html.to_lowercase().contains("synthétiques"), "real data marked synthetic");
    let ameli = csv_records(&std::fs::read_to_string(&paths[1]).unwrap(), ',');
    let a = |name: &str| ameli[0].iter().position(|c| c.trim_start_matches('\u{feff}') == name).unwrap();
    let physio = ameli[1..]
        .iter()
        .find(|r| r[a("profession_sante")] == "Masseurs-kinésithérapeutes" && r[a("departement")] == "17" && r[a("classe_age")] == "tout_age")
        .map(|r| r[a("densite")].replace('.', ","))
        .expect("the physiotherapists of Charente-Maritime in ameli's file");
    let label = "Densité de professionnels libéraux : Masseurs-kinésithérapeutes";
    let start = html.find(label).unwrap_or_else(|| panic!("{label} in the page"));
    let line = &html[start..start + html[start..].find("</tr>").unwrap()];
    assert!(line.contains(&format!(">{physio}<")), "{physio} in {line}");
    assert!(line.contains("Assurance Maladie"), "{line}");
}
