//! `diagsante ingest FILE --out DIR`, no layout named, on every real file of
//! `../shared/realdata/{health_indicators,medical,mortality,deprivation}/`: the layout the
//! summary names and values checked by hand in the files (the row is quoted beside each).

use std::path::Path;

use polars::prelude::*;

use crate::{diagsante, realdata};

/// Ingest one file with its layout detected: the summary printed and the one fact table
/// written.
fn ingest(path: &Path) -> (String, DataFrame) {
    let dir = tempfile::tempdir().unwrap();
    let o = diagsante().args(["ingest", path.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8(o.stdout).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let df = ParquetReader::new(std::fs::File::open(&files[0]).unwrap()).finish().unwrap();
    (summary, df)
}

fn layout_line(summary: &str) -> &str {
    summary.lines().find(|l| l.starts_with("layout:")).unwrap_or_default()
}

/// The value of `measure` for `geo` at `level`, ending in `year`, all sexes, ages from
/// `age_min` (None: all ages).
fn value(df: &DataFrame, geo: &str, level: &str, measure: &str, year: i32, age_min: Option<u32>) -> Option<Option<f64>> {
    let (g, l, m, y, s, a, v) = (
        df.column("geo").unwrap().str().unwrap(),
        df.column("level").unwrap().str().unwrap(),
        df.column("measure").unwrap().str().unwrap(),
        df.column("year").unwrap().i32().unwrap(),
        df.column("sex").unwrap().str().unwrap(),
        df.column("age_min").unwrap().u32().unwrap(),
        df.column("value").unwrap().f64().unwrap(),
    );
    (0..df.height())
        .find(|&i| {
            g.get(i) == Some(geo)
                && l.get(i) == Some(level)
                && m.get(i) == Some(measure)
                && y.get(i) == Some(year)
                && s.get(i) == Some("all")
                && a.get(i) == age_min
        })
        .map(|i| v.get(i))
}

fn unit(df: &DataFrame, measure: &str) -> Option<String> {
    let (m, u) = (df.column("measure").unwrap().str().unwrap(), df.column("unit").unwrap().str().unwrap());
    (0..df.height()).find(|&i| m.get(i) == Some(measure)).and_then(|i| u.get(i).map(str::to_owned))
}

#[test]
fn statloc_departements() {
    let Some(path) = realdata("health_indicators/insee_statloc_sante_departement_2024.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("statloc"), "{summary}");
    assert!(summary.contains("101 departement"), "{summary}");
    // 01;Ain;439;10.8;33;151;5;890;160;323;86;81.4;24810;116.5;7.9;1.4;…;688626
    assert_eq!(value(&df, "01", "departement", "bpe_gp", 2024, None), Some(Some(439.0)));
    assert_eq!(value(&df, "01", "departement", "mortality_rate_std", 2024, Some(0)), Some(Some(1.4)));
    assert_eq!(value(&df, "01", "departement", "population", 2025, None), Some(Some(688626.0)));
    assert_eq!(unit(&df, "life_expectancy_birth").as_deref(), Some("années"));
    assert!(summary.contains("statloc_salles_multisports_gymnases_en_nombre"), "unknown labels listed: {summary}");
}

#[test]
fn statloc_determinants_bassins_de_vie() {
    let Some(path) = realdata("health_indicators/insee_determinants_sociaux_bassin_de_vie.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("statloc"), "{summary}");
    // 01034;Belley;314;11.6;12.5;22620;…
    assert_eq!(value(&df, "01034", "bassin_de_vie", "deaths_all_causes", 2024, None), Some(Some(314.0)));
    assert_eq!(value(&df, "01034", "bassin_de_vie", "population_share", 2022, Some(75)), Some(Some(11.6)));
    assert_eq!(value(&df, "97608", "bassin_de_vie", "poverty_rate", 2021, None), Some(None), "N/A - résultat non disponible");
}

#[test]
fn cartosante_bassins_de_vie() {
    let Some(path) = realdata("health_indicators/cartosante_sante_bassin_de_vie_2023_2024.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("statloc"), "{summary}");
    // 01034;Belley;30.8;3.3;31.1;8.6;21;1.5;N/A - secret statistique;3.1
    assert_eq!(value(&df, "01034", "bassin_de_vie", "apl_mg", 2023, None), Some(Some(3.3)));
    assert_eq!(value(&df, "01034", "bassin_de_vie", "density_speech_therapists", 2024, None), Some(Some(31.1)));
    assert_eq!(value(&df, "01034", "bassin_de_vie", "ald_share", 2024, None), Some(None));
    assert_eq!(value(&df, "977ZZ", "bassin_de_vie", "density_gp", 2024, None), Some(Some(5.7)));
    assert_eq!(unit(&df, "density_pharmacies").as_deref(), Some("pour 10 000 habitants"));
}

#[test]
fn cartosante_apl_bassins_and_cantons() {
    let Some(path) = realdata("health_indicators/cartosante_apl_medecins_generalistes_2023_bv.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("statloc"), "{summary}");
    // 0199;Bourg-en-Bresse;3.2 (a canton-ville); 01004;Ambérieu-en-Bugey;3 (a bassin de vie of
    // this zoning, kept at its level: see statloc::bassin_canton_level)
    assert_eq!(value(&df, "0199", "canton_ville", "apl_mg", 2023, None), Some(Some(3.2)));
    assert_eq!(value(&df, "01004", "canton_ville", "apl_mg", 2023, None), Some(Some(3.0)));
    assert!(summary.contains("canton_ville") && !summary.contains("unknown codes"), "{summary}");
}

#[test]
fn statloc_poverty_bassins_de_vie() {
    let Some(path) = realdata("health_indicators/statloc_taux_pauvrete_2021_bv.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("statloc"), "{summary}");
    // 01033;Valserhône;13
    assert_eq!(value(&df, "01033", "bassin_de_vie", "poverty_rate", 2021, None), Some(Some(13.0)));
    assert_eq!(unit(&df, "poverty_rate").as_deref(), Some("%"));
}

#[test]
fn atih_hospitalised_patients() {
    let Some(path) = realdata("health_indicators/atih_taux_patients_hospitalises_std_dep_2017_2021.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("atih-patients"), "{summary}");
    // "02";2017;198,12 and "00";2021;187,08
    assert_eq!(value(&df, "02", "departement", "hospitalised_patients_rate_std", 2017, None), Some(Some(198.12)));
    assert_eq!(value(&df, "FR", "france", "hospitalised_patients_rate_std", 2021, None), Some(Some(187.08)));
}

#[test]
fn ameli_demographie() {
    let Some(path) = realdata("medical/ameli_demographie_ps_liberaux_dep_2024.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("ameli-demographie"), "{summary}");
    // 2024,Chirurgiens,84,Auvergne-Rhône-Alpes,38,Isère,tout_age,Tout âge,tout sexe,118,9.0
    assert_eq!(value(&df, "38", "departement", "professionals_chirurgien", 2024, None), Some(Some(118.0)));
    assert_eq!(value(&df, "38", "departement", "professionals_chirurgien_density", 2024, None), Some(Some(9.0)));
    // 2024,Allergologues,01,Guadeloupe,999,Tout département,…,5,1.3 and 99,FRANCE,999,…,277,0.4
    assert_eq!(value(&df, "01", "region", "professionals_allergologue", 2024, None), Some(Some(5.0)));
    assert_eq!(value(&df, "FR", "france", "professionals_allergologue", 2024, None), Some(Some(277.0)));
    assert_eq!(unit(&df, "professionals_pediatre_density").as_deref(), Some("pour 100 000 enfants de moins de 15 ans"));
}

#[test]
fn drees_apl_workbook() {
    let Some(path) = realdata("medical/drees_apl_medecins_generalistes_2022_2023.xlsx") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("drees-apl"), "{summary}");
    assert!(summary.contains("sheet Paramètres skipped"), "{summary}");
    // APL 2022, row 01002 L'Abergement-de-Varey: 2.649, 2.059, 250.962, 262
    assert_eq!(value(&df, "01002", "commune", "apl_mg", 2022, None), Some(Some(2.649)));
    assert_eq!(value(&df, "01002", "commune", "apl_population_total", 2022, None), Some(Some(262.0)));
    let x = value(&df, "01002", "commune", "apl_mg65_x_popstd", 2022, None).flatten().unwrap();
    assert!((x - 2.059 * 250.962).abs() < 1e-9, "{x}");
    assert_eq!(unit(&df, "apl_mg").as_deref(), Some("consultations par habitant standardisé"));
}

#[test]
fn drees_apl_long_csv() {
    let Some(path) = realdata("medical/drees_apl_mg_commune_2022_2023_long.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("drees-apl-long"), "{summary}");
    // 2022,01004,Ambérieu-en-Bugey,3.646,2.88,14002.685,14288
    assert_eq!(value(&df, "01004", "commune", "apl_mg", 2022, None), Some(Some(3.646)));
    assert_eq!(value(&df, "01004", "commune", "apl_population_standardised", 2022, None), Some(Some(14002.685)));
}

#[test]
fn observatoire_mortality_series() {
    let period = |df: &DataFrame, geo: &str, start: i32, end: i32| {
        let (g, s, e, v) = (
            df.column("geo").unwrap().str().unwrap(),
            df.column("year_start").unwrap().i32().unwrap(),
            df.column("year_end").unwrap().i32().unwrap(),
            df.column("value").unwrap().f64().unwrap(),
        );
        (0..df.height()).find(|&i| g.get(i) == Some(geo) && s.get(i) == Some(start) && e.get(i) == Some(end)).map(|i| v.get(i))
    };
    let Some(path) = realdata("mortality/insee_rp_evol_1968_departement_2018.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("observatoire"), "{summary}");
    // 01;Ain;1975-1982;9,70
    assert_eq!(period(&df, "01", 1975, 1982), Some(Some(9.7)));
    let Some(path) = realdata("mortality/insee_rp_evol_1968_region_2018.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("observatoire") && summary.contains("18 region"), "{summary}");
    // 01;Guadeloupe;1975-1982;6,60
    assert_eq!(period(&df, "01", 1975, 1982), Some(Some(6.6)));
    let Some(path) = realdata("mortality/insee_rp_evol_1968_epci_2018.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("observatoire") && summary.contains("1254 epci"), "{summary}");
    // 249740119;CA Intercommunale du Nord de la Réunion (CINOR);2013-2018;5,10
    assert_eq!(period(&df, "249740119", 2013, 2018), Some(Some(5.1)));
}

#[test]
fn stats_deces_series() {
    let Some(path) = realdata("mortality/france_deces_par_an_1991_2022.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("stats-deces-annual"), "{summary}");
    // 2021;67407241;670488;9947;9947
    assert_eq!(value(&df, "FR", "france", "deaths_all_causes", 2021, None), Some(Some(670488.0)));
    assert!(summary.contains("deaths not kept") && summary.contains("2022"), "{summary}");
    let Some(path) = realdata("mortality/france_taux_deces_par_age_1991_2022.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("stats-deces-by-age"), "{summary}");
    // Age 1, 1992: 577 per million.
    assert_eq!(value(&df, "FR", "france", "mortality_rate", 1992, Some(1)), Some(Some(577.0)));
}

#[test]
fn deprivation_indices() {
    let Some(path) = realdata("deprivation/indice-de-defavorisation-sociale-fdep-par-commune_head30.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("spf-fdep"), "{summary}");
    // 28243,212.0,0.37386696168422995,3.0,4.0
    assert_eq!(value(&df, "28243", "commune", "fdep", 2020, None), Some(Some(0.37386696168422995)));
    assert_eq!(value(&df, "28243", "commune", "fdep_quintile_weighted", 2020, None), Some(Some(4.0)));
    let Some(path) = realdata("deprivation/french-european-deprivation-index-f-edi-2021-par-commune_head30.csv") else { return };
    let (summary, df) = ingest(&path);
    assert!(layout_line(&summary).contains("spf-edi"), "{summary}");
    // 2A006,Alata,-2.435222887,entre 21 et 40%,2021
    assert_eq!(value(&df, "2A006", "commune", "edi", 2021, None), Some(Some(-2.435222887)));
    assert_eq!(value(&df, "2A006", "commune", "edi_quintile", 2021, None), Some(Some(2.0)));
}

/// Every file of the four folders goes in with its layout detected, none refused.
#[test]
fn every_file_of_the_health_folders_is_read() {
    for folder in ["health_indicators", "medical", "mortality", "deprivation"] {
        let Some(dir) = realdata(folder) else { return };
        let out = tempfile::tempdir().unwrap();
        let o = diagsante().args(["ingest", dir.to_str().unwrap(), "--out", out.path().to_str().unwrap()]).output().unwrap();
        assert!(o.status.success(), "{folder}: {}", String::from_utf8_lossy(&o.stderr));
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), files, "{folder}: one fact file per file");
    }
}

/// DREES's aggregation on the real workbook, through the binary: `ingest` the workbook, then
/// `diagnose --data` on the CPTS Camargue Gardoise (its 10 communes of the Gard, as in
/// data/territories/cpts-camargue-gardoise.toml). The expected values are recomputed here from
/// the long CSV beside it, read as plain text: APL = Σ APL × standardised population / Σ
/// standardised population, share = Σ total population of the communes under the threshold /
/// Σ total population (DREES's note above the workbook's header). By hand (awk), the
/// territory's 2023 APL is 3.9508 and the Gard's 3.5367. Then `report --data`: the access
/// section shows both years.
#[test]
fn drees_aggregation_on_the_real_workbook() {
    let Some(workbook) = realdata("medical/drees_apl_medecins_generalistes_2022_2023.xlsx") else { return };
    let Some(long) = realdata("medical/drees_apl_mg_commune_2022_2023_long.csv") else { return };
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = diagsante().args(["ingest", workbook.to_str().unwrap(), "--out", data.path().to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = diagsante()
        .args(["diagnose", "--territory", "cpts-camargue-gardoise", "--data", data.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("diagnostic.json")).unwrap()).unwrap();
    let get = |id: &str, at: &str| -> f64 {
        let i = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"));
        let v = if at == "territory" { &i["value"] } else { &i["comparators"][at]["value"] };
        v.as_f64().unwrap_or_else(|| panic!("{id} {at}: {i}"))
    };
    let text = std::fs::read_to_string(long).unwrap();
    let communes = ["30003", "30006", "30020", "30033", "30036", "30059", "30128", "30169", "30276", "30341"];
    // Σ over the rows of `year` whose commune `keep` accepts: (APL, APL ≤ 65, % under 2.5, % under 4, the same ≤ 65), rows.
    let expected = |year: &str, keep: &dyn Fn(&str) -> bool| {
        let (mut x, mut x65, mut ps, mut pt, mut n) = (0.0, 0.0, 0.0, 0.0, 0);
        let mut under = [0.0; 4];
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f[0] != year || !keep(f[1]) {
                continue;
            }
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            (x, x65, ps, pt, n) = (x + v(3) * v(5), x65 + v(4) * v(5), ps + v(5), pt + v(6), n + 1);
            for (k, (apl, threshold)) in [(v(3), 2.5), (v(3), 4.0), (v(4), 2.5), (v(4), 4.0)].into_iter().enumerate() {
                if apl < threshold {
                    under[k] += v(6);
                }
            }
        }
        ([x / ps, x65 / ps, 100.0 * under[0] / pt, 100.0 * under[1] / pt, 100.0 * under[2] / pt, 100.0 * under[3] / pt], n)
    };
    let ids =
        ["apl_mg", "apl_mg_65", "part_pop_apl_mg_sous_2_5", "part_pop_apl_mg_sous_4", "part_pop_apl_mg_65_sous_2_5", "part_pop_apl_mg_65_sous_4"];
    let (territory, n) = expected("2023", &|c| communes.contains(&c));
    assert_eq!(n, 10);
    let (gard, _) = expected("2023", &|c| c.starts_with("30"));
    let (france, _) = expected("2023", &|_| true);
    assert!((territory[0] - 3.9508).abs() < 1e-4 && (gard[0] - 3.5367).abs() < 1e-4, "{territory:?} {gard:?}");
    for (k, id) in ids.iter().enumerate() {
        for (at, want) in [("territory", territory[k]), ("departement", gard[k]), ("france", france[k])] {
            let got = get(id, at);
            assert!((got - want).abs() < 1e-9 * want.abs().max(1.0), "{id} {at}: {got} against {want}");
        }
    }
    // Without their intervals (no sampling error), not withheld.
    let apl = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "apl_mg").unwrap();
    assert_eq!(apl["status"], "");
    assert_eq!(apl["limits_95_99_8"][0], serde_json::Value::Null);

    // The report: both years of the territory's APL, and its communes.
    let report = tempfile::tempdir().unwrap();
    let o = diagsante()
        .args(["report", "--territory", "cpts-camargue-gardoise", "--data", data.path().to_str().unwrap(), "--out", report.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(report.path().join("rapport.html")).unwrap();
    // In the access table, the APL's « Effectif » is « — »: Σ APL × standardised population
    // is no headcount.
    let row = &page[page.find(">Accessibilité potentielle localisée (APL) aux médecins généralistes").expect("the APL's row")..];
    let row = &row[row.find("</td>").unwrap() + "</td>".len()..];
    assert!(row.starts_with("<td class=\"num\">—</td>"), "{}", &row[..80]);
    let section = &page[page.find("par année").expect("the APL's table")..];
    let french = |x: f64| format!("{x:.2}").replace('.', ",");
    let (before, _) = expected("2022", &|c| communes.contains(&c));
    for (year, apl) in [("2022", before[0]), ("2023", territory[0])] {
        let row = &section[section.find(&format!(">{year}<")).unwrap_or_else(|| panic!("{year}"))..];
        assert!(row[..row.find("</tr>").unwrap()].contains(&french(apl)), "{year}: {}", french(apl));
    }
    assert!(section.contains("APL 2023 des 10 communes") && section.contains("Aigues-Mortes"), "the communes' table");
}
