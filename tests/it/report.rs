//! `diagsante report` and `diagsante demo` on the synthetic demo data: the HTML report's
//! sections and numbers, the chart files, escaping, and the demo end to end.

use std::path::Path;

use serde_json::Value;

use crate::{data, diagsante};

/// The sections every report has, in order (titles as written in the page).
pub const SECTIONS: [&str; 10] = [
    "Présentation du territoire",
    "Contexte démographique",
    "Contexte socio-économique",
    "Besoins de santé",
    "Accès aux soins",
    "Prévention",
    "Offre de soins",
    "Projection démographique médicale",
    "Comparaison aux territoires similaires",
    "Méthodes et sources",
];

fn report(territory: &str, cache: &Path, out: &Path) -> String {
    let o = diagsante().env("DIAGSANTE_CACHE", cache).args(["report", "--territory", territory, "--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rapport.html"));
    std::fs::read_to_string(out.join("rapport.html")).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn value_of(d: &Value, id: &str) -> f64 {
    let i = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"));
    i["value"].as_f64().unwrap_or_else(|| panic!("{id} has no value"))
}

/// 12345 → "12 345" with the narrow no-break space French typography uses.
fn thousands(v: f64) -> String {
    let digits = format!("{v:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height declared by an SVG's root element.
fn svg_size(text: &str) -> (u32, u32) {
    let start = text.find("<svg").expect("an <svg> element");
    let head = &text[start..start + text[start..].find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let at = head.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {head}")) + name.len() + 3;
        head[at..at + head[at..].find('"').unwrap()].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn a_report_has_every_section_the_diagnostic_numbers_and_valid_charts() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, out, diag) = (dir.path().join("cache"), dir.path().join("out"), dir.path().join("diag"));
    let html = report("cpts-camargue-gardoise", &cache, &out);

    // Sections, in order, and the synthetic-data warning.
    let mut from = 0;
    for s in SECTIONS {
        let at = html[from..].find(&format!("{s}</h2>")).unwrap_or_else(|| panic!("section «{s}» missing or out of order"));
        from += at;
    }
    // The « Offre de soins » table of the professions and facilities, in its section.
    let (supply, projection) = (html.find("Offre de soins</h2>").unwrap(), html.find("Projection démographique médicale</h2>").unwrap());
    let table = html.find("Professionnels de santé et équipements : effectifs et densités").expect("the table of the professions");
    assert!(supply < table && table < projection, "the professions' table in « Offre de soins »");
    assert!(html[table..projection].contains("Infirmiers") && html[table..projection].contains("Pharmacies"));
    assert!(html.contains("Données en partie synthétiques"), "the banner of partly synthetic data");
    assert!(html.contains("Superficie : <strong>406,49 km²</strong> (INSEE, comparateur de territoires (via datas.fun) 2021)"), "the real area");
    assert!(!html.contains("<script"), "the report needs no script");
    assert!(!html.contains(" src=") && !html.contains("<link"), "no external asset");

    // The numbers are the diagnostic's: `report` and `diagnose` agree, and the page shows them.
    let o = diagsante()
        .env("DIAGSANTE_CACHE", &cache)
        .args(["diagnose", "--territory", "cpts-camargue-gardoise", "--out", diag.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let (from_report, from_diagnose) = (json(&out.join("diagnostic.json")), json(&diag.join("diagnostic.json")));
    for id in ["population", "part_65_plus", "ald_diabete", "icm_mortalite_prematuree", "sans_mt_17_plus", "densite_mg", "densite_infirmiers"] {
        let (a, b) = (value_of(&from_report, id), value_of(&from_diagnose, id));
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{id}: report {a}, diagnose {b}");
    }
    // The national data the report reads gives the comparators the département rows too
    // (ameli's Gard: 1,814 liberal nurses).
    let nurses = from_report["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "nombre_infirmiers").unwrap();
    assert_eq!(nurses["comparators"]["departement"]["value"].as_f64(), Some(1814.0));
    let population = value_of(&from_report, "population");
    assert!(html.contains(&format!("<td class=\"num strong\">{}</td>", thousands(population))), "population {population}");
    let share = value_of(&from_report, "part_65_plus");
    assert!(html.contains(&format!("{}\u{a0}%", format!("{share:.1}").replace('.', ","))), "part des 65 ans et plus {share}");

    // The APL computed and projected, in the projection section, as `diagsante apl` computes
    // it, marked synthetic (the demo's roster).
    let apl_out = dir.path().join("apl");
    let o = diagsante()
        .env("DIAGSANTE_CACHE", &cache)
        .args(["apl", "--territory", "cpts-camargue-gardoise", "--out", apl_out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let apl = json(&apl_out.join("apl.json"));
    let fr = |v: f64| format!("{v:.1}").replace('.', ",");
    let at = |offset: u64| {
        apl["projection"].as_array().unwrap().iter().find(|p| p["scenario"] == "legal-62" && p["year_offset"] == offset).unwrap()["apl_mg"]
            .as_f64()
            .unwrap()
    };
    let sentence = format!(
        "L&#39;APL de CPTS Camargue Gardoise passerait de {} à {} en 2029 et {} en 2034 (départ à 62 ans, synthétique).",
        fr(apl["apl_mg"].as_f64().unwrap()),
        fr(at(5)),
        fr(at(10))
    );
    let projection_at = html.find("Projection démographique médicale</h2>").unwrap();
    assert!(html[projection_at..].contains(&sentence), "{sentence}");
    assert_eq!(html.matches("passerait de").count(), 4, "one sentence per scenario");

    // Charts: each as SVG and as PNG at twice its size, with the synthetic mark.
    let charts = out.join("graphiques");
    let mut stems: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect();
    stems.sort();
    for expected in ["pyramide", "comparaison-besoins-de-sante", "profil-epci", "projection-medecins", "ages-medecins"] {
        assert!(stems.iter().any(|s| s == expected), "{expected} not in {stems:?}");
    }
    assert!(stems.iter().any(|s| s.starts_with("entonnoir-")), "no funnel plot in {stems:?}");
    // The trends: a chart per theme with series (the demo's 2019-2023 access and prevention
    // pairs, DREES's APL 2022-2023), the territory against its comparators, each panel with
    // the territory's trend; and in the tables, the trend and Fingertips' flag beside the note.
    for expected in ["evolution-acces-aux-soins", "evolution-prevention"] {
        assert!(stems.iter().any(|s| s == expected), "{expected} not in {stems:?}");
    }
    let access = std::fs::read_to_string(charts.join("evolution-acces-aux-soins.svg")).unwrap();
    for text in ["CPTS Camargue Gardoise", "Gard", "Occitanie", "France", "en dégradation", "2019", "2023"] {
        assert!(access.contains(text), "{text} not in the access trend chart");
    }
    assert!(html.contains("Tendance 2019-2023 : en dégradation — moins bon et en dégradation"), "the flag of sans_mt_17_plus in the table");
    assert!(html.find("graphiques/evolution-prevention.png").unwrap() > html.find("Prévention</h2>").unwrap(), "in its theme's section");
    for stem in &stems {
        let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
        let (w, h) = svg_size(&svg);
        assert_eq!(w, 1000, "{stem}");
        assert!((200..4000).contains(&h), "{stem}: height {h}");
        // The map draws only real data (DREES's APL, INSEE's centroids): no synthetic mark.
        assert_eq!(svg.contains("DONNÉES SYNTHÉTIQUES"), stem != "carte-apl", "{stem}");
        let png = std::fs::read(charts.join(format!("{stem}.png"))).unwrap();
        assert_eq!(png_size(&png), (2 * w, 2 * h), "{stem}");
        // A chart is not a blank page: its PNG compresses to more than a flat image would.
        assert!(png.len() > 20_000, "{stem}.png is {} bytes", png.len());
        // The page carries the same chart inline.
        assert!(html.contains(&format!("graphiques/{stem}.png")), "{stem} not in the page");
    }
    // The map of the communes' APL, on the embedded contours of the Gard (no --contours given):
    // one shape per commune of the territory, lighter ones for the communes of the Gard within
    // 20 minutes (those of the Hérault are outside the contours), the classes' legend, the
    // source; in the APL section, after the per-commune table.
    let map = std::fs::read_to_string(charts.join("carte-apl.svg")).expect("the map of the communes' APL");
    assert_eq!(map.matches("<path class=\"commune\"").count(), 10, "one shape per commune of the CPTS");
    assert!(map.matches("<path class=\"voisine\"").count() > 10, "the communes within 20 minutes of the CPTS");
    assert!(map.contains("commune à moins de 20 min") && !map.contains("<circle class=\"commune\""));
    // The GP density and the share aged 75 and over are mapped too, by quantiles.
    for stem in ["carte-densite_mg", "carte-part_75_plus"] {
        let map = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap_or_else(|_| panic!("{stem}"));
        assert_eq!(map.matches("<path class=\"commune\"").count(), 10, "{stem}");
        assert!(map.contains("classes par quantiles") && !map.contains("class=\"voisine\""), "{stem}");
    }
    for text in ["APL aux médecins généralistes par commune, 2023", "&lt; 2,5 (sous-dense)", "2,5 – 4,0", "≥ 4,0", "non disponible"] {
        assert!(map.contains(text), "{text} not in the map");
    }
    let source = "Source : contours IGN, Admin Express COG 2018 simplifié (france-geojson), communes de la Charente-Maritime, du Gard et de la \
                  Vienne, intégrées à diagsante — DREES, APL aux médecins généralistes 2023 — diagsante";
    assert!(crate::svg_text(&map).contains(source), "the source once each");
    let table = html.find("APL 2023 des 10 communes").expect("the per-commune APL table");
    let figure = html.find("graphiques/carte-apl.png").unwrap();
    assert!(table < figure && figure < html.find("Prévention</h2>").unwrap(), "the map follows the communes' table");
    assert!(!html.contains("Sans coordonnées"), "every commune of the CPTS has its centroid");
    // The tables beside the page.
    for f in ["diagnostic.csv", "diagnostic.parquet", "benchmark.csv", "peers.csv", "projection.csv"] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn names_are_escaped_in_the_page_and_in_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let html = report(data("territories/script-name.toml").to_str().unwrap(), &dir.path().join("cache"), &out);
    assert!(!html.contains("<script"), "a raw <script> in the page");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    for entry in std::fs::read_dir(out.join("graphiques")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            assert!(!std::fs::read_to_string(&path).unwrap().contains("<script"), "{path:?}");
        }
    }
}

#[test]
fn the_demo_writes_five_reports_and_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    // The user's files in the demo's folders are kept.
    let mine = [out.join("notes.txt"), out.join("cls-rochefort-ocean/graphiques/mon-graphique.png")];
    for f in &mine {
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, b"mine").unwrap();
    }
    let o = diagsante().env("DIAGSANTE_CACHE", dir.path().join("cache")).args(["demo", "--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("index.html"), "{stdout}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("Données en partie synthétiques"));
    let links: Vec<&str> = index.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(links.len(), 15, "{links:?}");
    for link in links {
        assert!(out.join(link).is_file(), "{link}");
        if link.ends_with(".html") {
            let page = std::fs::read_to_string(out.join(link)).unwrap_or_else(|_| panic!("{link}"));
            assert!(page.contains("Méthodes et sources</h2>"), "{link}");
        }
    }
    for f in &mine {
        assert!(f.exists(), "{f:?} removed");
    }
    assert_eq!(manifest(&out), ["index.html"]);
    demo_rows_say_their_source(&out.join("cpts-camargue-gardoise"));
}

/// The demo is real where the embedded data allows and says so per row: in the diagnostic
/// table, an indicator read from the census alone says « INSEE … 2021 » and nothing synthetic,
/// one read from synthetic data alone says « données synthétiques de démonstration » and no
/// real source, one from both says both; each chart names its sources.
fn demo_rows_say_their_source(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("diagnostic.csv")).unwrap();
    let records = crate::csv_records(&text, ';');
    let header = &records[0];
    let (id, data) = (header.iter().position(|h| h == "id").unwrap(), header.iter().position(|h| h == "data").unwrap());
    let data_of = |wanted: &str| records[1..].iter().find(|r| r[id] == wanted).map(|r| r[data].clone()).unwrap_or_else(|| panic!("{wanted}"));
    const CENSUS: &str = "INSEE, comparateur de territoires (via datas.fun) 2021";
    const SYNTHETIC: &str = "données synthétiques de démonstration";
    assert_eq!(data_of("population"), CENSUS);
    assert_eq!(data_of("densite_population"), CENSUS, "the real areas");
    assert_eq!(data_of("chomage_15_64"), CENSUS);
    assert_eq!(data_of("croissance_population"), format!("{CENSUS} ; INSEE, comparateur de territoires (via datas.fun) 2015"));
    for synthetic in ["ald_toutes", "ald_diabete", "sans_mt_17_plus", "depistage_sein", "mortalite_generale", "icm_cancers"] {
        assert_eq!(data_of(synthetic), SYNTHETIC, "{synthetic}");
    }
    // The age structure: the census total, split by age by the generator.
    assert_eq!(data_of("part_65_plus"), format!("{SYNTHETIC} ; {CENSUS}"));
    // The APL: DREES's workbook, real.
    assert_eq!(data_of("apl_mg"), "DREES, APL aux médecins généralistes 2023");
    for r in &records[1..] {
        assert!(r[data].contains(SYNTHETIC) || r[data].contains("INSEE") || r[data].starts_with("DREES"), "{}: {}", r[id], r[data]);
    }
    let chart = |stem: &str| crate::svg_text(&std::fs::read_to_string(dir.join(format!("graphiques/{stem}.svg"))).unwrap());
    let social = chart("comparaison-contexte-socio-economique");
    assert!(social.contains(CENSUS) && social.contains(SYNTHETIC) && social.contains("DONNÉES SYNTHÉTIQUES"), "chômage (real) and C2S (synthetic)");
    assert!(chart("pyramide").contains(SYNTHETIC), "the split by age is synthetic");
}

/// The files a report folder's manifest lists.
fn manifest(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join(".diagsante-manifest")).expect("a manifest");
    text.lines().filter(|l| !l.starts_with('#')).map(str::to_owned).collect()
}

#[test]
fn a_new_report_removes_only_the_files_an_earlier_run_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, out) = (dir.path().join("cache"), dir.path().join("out"));
    report("cpts-camargue-gardoise", &cache, &out);
    let first = manifest(&out);
    for f in [
        "rapport.html",
        "rapport.docx",
        "tableaux.xlsx",
        "diagnostic.json",
        "diagnostic.csv",
        "diagnostic.parquet",
        "graphiques/pyramide.svg",
        "graphiques/pyramide.png",
    ] {
        assert!(first.iter().any(|l| l == f), "{f} not in {first:?}");
    }
    // The user's own files, beside the report and among its charts.
    let charts = out.join("graphiques");
    std::fs::write(charts.join("mon-graphique.png"), b"mine").unwrap();
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    // A chart of an earlier run that the next one does not draw, and entries naming files
    // outside the folder (a manifest is a file anyone can edit).
    std::fs::write(charts.join("entonnoir-ancien.svg"), b"<svg/>").unwrap();
    std::fs::write(charts.join("entonnoir-ancien.png"), b"png").unwrap();
    let outside = dir.path().join("dehors.txt");
    std::fs::write(&outside, b"mine").unwrap();
    let mut text = std::fs::read_to_string(out.join(".diagsante-manifest")).unwrap();
    text.push_str(&format!(
        "graphiques/entonnoir-ancien.svg\ngraphiques/entonnoir-ancien.png\n../dehors.txt\ngraphiques/../../dehors.txt\n{}\n",
        outside.display()
    ));
    std::fs::write(out.join(".diagsante-manifest"), text).unwrap();

    // Another territory into the same folder.
    report("cls-aunis-atlantique", &cache, &out);
    assert_eq!(std::fs::read(charts.join("mon-graphique.png")).unwrap(), b"mine");
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert!(outside.exists(), "a file outside the folder was removed");
    assert!(!charts.join("entonnoir-ancien.svg").exists() && !charts.join("entonnoir-ancien.png").exists(), "a stale chart left");
    // What is left of diagsante's is what the second run listed, and it lists only its own.
    let second = manifest(&out);
    for f in &first {
        assert_eq!(out.join(f).exists(), second.contains(f), "{f}");
    }
    for f in &second {
        assert!(out.join(f).is_file(), "{f} listed but not written");
    }
    assert!(!second.iter().any(|f| f.contains("mon-graphique") || f.contains("notes") || f.contains("dehors")), "{second:?}");
}

#[test]
fn a_report_of_an_unknown_territory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    diagsante()
        .env("DIAGSANTE_CACHE", dir.path().join("cache"))
        .args(["report", "--territory", "cpts-nulle-part", "--out", out.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cpts-nulle-part"));
    assert!(!out.exists(), "no output for a failed run");
}

#[test]
fn a_report_on_ingested_data_is_not_marked_synthetic_and_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // A patientèle of every commune of the CPTS (a file of a few of them gives it no value).
    let patientele = dir.path().join("patientele.csv");
    let communes = ["30003", "30006", "30020", "30033", "30036", "30059", "30128", "30169", "30276", "30341"];
    let rows: String = communes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c};17+;{};{}\n{c};70+;{};{}\n", 2000 + 100 * i, 150 + 10 * i, 500 + 20 * i, 20 + i))
        .collect();
    std::fs::write(&patientele, format!("commune;age;patients;sans_medecin_traitant\n{rows}")).unwrap();
    for args in [["patientele", patientele.to_str().unwrap()], ["rezone", data("ingest/rezone.csv").to_str().unwrap()]] {
        let mut all = vec!["ingest".to_owned(), args[0].to_owned(), args[1].to_owned()];
        if args[0] == "patientele" {
            all.extend(["--year".to_owned(), "2024".to_owned()]);
        }
        all.extend(["--out".to_owned(), data_dir.to_str().unwrap().to_owned()]);
        let o = diagsante().args(&all).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // A demo report first in the same folder: none of its files may stay beside the new one.
    let out = dir.path().join("out");
    report("cpts-camargue-gardoise", &dir.path().join("cache"), &out);
    assert!(out.join("projection.csv").exists() && out.join("graphiques/pyramide.png").exists());
    let o = diagsante()
        .args(["report", "--territory", "cpts-camargue-gardoise", "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("rapport.html")).unwrap();
    assert!(!html.to_lowercase().contains("synthétiques"), "real data marked synthetic");
    // Each table says where its rows come from: the access indicators from the patientèle file
    // (under each row's label: the APL's rows, absent from these data, come from none).
    assert!(html.contains("<span class=\"small\">Assurance Maladie, patientèle 2024</span>"), "the access table names its source");
    // The APL absent: its indicators not given, the access section says how to get it.
    assert!(html.contains("absente des données chargées"), "the APL's absence said");
    for s in SECTIONS {
        assert!(html.contains(&format!("{s}</h2>")), "{s}");
    }
    // Without a roster or a profile: no projection and no peers, said in words.
    assert!(html.contains("Pas de projection"));
    assert!(html.contains("Pas de comparaison aux EPCI"));
    // Rezone's published values are in the page. The patientèle gives the CPTS's share without
    // a médecin traitant: 1,950 of 24,500 patients aged 17+ (8,0 %); its département, région
    // and France, of which the file gives 10 communes, are « n.d. » (so no comparison chart).
    assert!(html.contains("Autres indicateurs"));
    let row = html.find("Part des patients de 17 ans et plus sans médecin traitant").expect("the access row");
    let cells = &html[row..row + html[row..].find("</tr>").unwrap()];
    assert!(
        cells.contains("strong\">8,0") && cells.contains("donné pour 10 communes sur 350 seulement\">n.d."),
        "the share computed from the file, its comparators not: {cells}"
    );
    assert!(!out.join("graphiques/comparaison-acces-aux-soins.svg").exists());
    assert!(!out.join("projection.csv").exists() && !out.join("peers.csv").exists(), "tables of the demo run left behind");
    for entry in std::fs::read_dir(out.join("graphiques")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            assert!(!std::fs::read_to_string(&path).unwrap().contains("SYNTHÉTIQUES"), "{path:?} left from the demo run");
        }
    }
    assert!(!out.join("graphiques/pyramide.png").exists());
}

/// The demo roster of a cache folder filled by a run.
fn demo_roster(cache: &Path) -> polars::prelude::DataFrame {
    let dir = std::fs::read_dir(cache).unwrap().next().expect("a demo folder").unwrap().path();
    let file = std::fs::File::open(dir.join("roster.parquet")).unwrap();
    use polars::prelude::SerReader;
    polars::prelude::ParquetReader::new(file).finish().unwrap()
}

#[test]
fn a_territory_with_one_or_two_gps_shows_neither_their_ages_nor_their_projection() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    // Fill the cache, then pick a commune of the demo roster with one or two GPs.
    report("cls-aunis-atlantique", &cache, &dir.path().join("first"));
    // The first such commune by code: a group_by's order changes from run to run.
    let counts = demo_roster(&cache)
        .lazy()
        .group_by([col("geo")])
        .agg([len().alias("n")])
        .filter(col("n").lt(lit(3)))
        .sort(["geo"], Default::default())
        .collect()
        .unwrap();
    let commune = counts.column("geo").unwrap().str().unwrap().get(0).expect("a commune with 1 or 2 GPs").to_owned();
    let territory = dir.path().join("small.toml");
    std::fs::write(&territory, format!("name = \"Petit territoire\"\nkind = \"custom\"\ncommunes = [\"{commune}\"]\n")).unwrap();
    let out = dir.path().join("small");
    let html = report(territory.to_str().unwrap(), &cache, &out);
    assert!(html.contains("ne sont pas diffusés (secret statistique)"), "{commune}");
    assert!(!out.join("graphiques/ages-medecins.svg").exists());
    assert!(!out.join("graphiques/projection-medecins.svg").exists());
    assert!(!html.contains("passerait de"), "nor the projected APL");
    assert!(html.contains("1 commune") && !html.contains("1 communes"));
}
