//! `diagsante ingest …` on the hand-made files of tests/data/ingest/ (see its README).

use std::path::Path;

use polars::prelude::*;
use predicates::prelude::*;

use crate::{data, diagsante};

fn ingest(args: &[&str], out: &Path) -> String {
    let mut all = vec!["ingest"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = diagsante().args(&all).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

/// The value of one cell of the fact table.
fn fact(df: &DataFrame, geo: &str, measure: &str, sex: &str, age_min: Option<u32>) -> Option<Option<f64>> {
    let (g, m, s, a, v) = (
        df.column("geo").unwrap().str().unwrap(),
        df.column("measure").unwrap().str().unwrap(),
        df.column("sex").unwrap().str().unwrap(),
        df.column("age_min").unwrap().u32().unwrap(),
        df.column("value").unwrap().f64().unwrap(),
    );
    (0..df.height()).find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure) && s.get(i) == Some(sex) && a.get(i) == age_min).map(|i| v.get(i))
}

fn file(name: &str) -> String {
    data(&format!("ingest/{name}")).to_str().unwrap().to_owned()
}

#[test]
fn insee_wide_base_in_windows_1252_becomes_commune_counts() {
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&["insee", &file("insee-wide-latin1.csv")], dir.path());
    assert!(summary.contains("unknown codes:     1") && summary.contains("99999"), "{summary}");
    assert!(summary.contains("01039 → 01138"), "{summary}");
    assert!(summary.contains("former communes not added (their commune is in the file): 01138"), "{summary}");
    assert!(summary.contains("columns not used:  LIBGEO"), "columns not used are listed: {summary}");
    let df = parquet(&dir.path().join("facts-insee-base-insee-wide-latin1.parquet"));
    // Lost zero restored; decimal comma read; year from the prefix.
    assert_eq!(fact(&df, "01001", "population", "all", Some(0)), Some(Some(170.5)));
    assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2021)));
    assert_eq!(fact(&df, "2A004", "population", "all", None), Some(Some(73000.0)));
    assert_eq!(fact(&df, "75101", "population", "all", None), Some(Some(15917.0)));
    // The 2021 file lists Culoz-Béon and, as well, its commune déléguée Béon, already counted
    // in it: Béon's rows are not added again.
    assert_eq!(fact(&df, "01138", "population", "all", None), Some(Some(3100.0)));
    assert_eq!(fact(&df, "01138", "unemployed_15_64", "all", Some(15)), Some(Some(120.0)));
    assert_eq!(fact(&df, "01039", "population", "all", None), None);
    assert_eq!(fact(&df, "01001", "population", "M", None), Some(Some(432.0)));
    assert_eq!(fact(&df, "01001", "active_15_64_cs3", "all", Some(15)), Some(Some(60.0)));
    assert_eq!(fact(&df, "01001", "households", "all", None), Some(Some(350.0)), "P21_MEN");
    assert_eq!(fact(&df, "99999", "population", "all", None), None);
}

#[test]
fn strict_mode_stops_on_the_unknown_code() {
    let dir = tempfile::tempdir().unwrap();
    diagsante()
        .args(["ingest", "insee", &file("insee-wide-latin1.csv"), "--strict", "--out", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 7").and(predicate::str::contains("99999")));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn long_tables_deaths_and_patientele() {
    let dir = tempfile::tempdir().unwrap();
    ingest(&["insee-long", &file("insee-long.csv"), "--year", "2021"], dir.path());
    let df = parquet(&dir.path().join("facts-insee-long-insee-long.parquet"));
    assert_eq!(df.height(), 16);
    assert_eq!(fact(&df, "30003", "population", "F", Some(100)), Some(Some(12.0)));
    let open = df.column("age_max").unwrap().u32().unwrap().iter().filter(Option::is_none).count();
    assert_eq!(open, 4, "age 100 is 100 and over");

    ingest(&["deaths", &file("deaths.csv")], dir.path());
    let df = parquet(&dir.path().join("facts-deaths-deaths.parquet"));
    assert_eq!(fact(&df, "30003", "deaths_cancer", "M", Some(65)), Some(Some(4.0)), "Tumeurs → the vocabulary's cancer");
    assert_eq!(fact(&df, "30003", "deaths_all_causes", "F", Some(90)), Some(None), "secret kept as missing");
    assert_eq!(fact(&df, "30006", "deaths_all_causes", "F", Some(90)), Some(Some(12.0)));

    ingest(&["patientele", &file("patientele.csv"), "--year", "2024"], dir.path());
    let df = parquet(&dir.path().join("facts-patientele-patientele.parquet"));
    assert_eq!(fact(&df, "30003", "patients_70p_without_gp", "all", Some(70)), Some(Some(95.0)), "70+ takes the vocabulary's name");
    assert_eq!(fact(&df, "30003", "patients_without_gp", "all", Some(17)), Some(Some(610.0)), "17-69 stays banded");
    assert_eq!(fact(&df, "30006", "patients_without_gp", "all", Some(17)), Some(None));
    let suppressed = df.column("suppressed").unwrap().bool().unwrap().sum();
    assert_eq!(suppressed, Some(1));
}

#[test]
fn rezone_exports_and_rosters_have_their_own_tables() {
    let dir = tempfile::tempdir().unwrap();
    ingest(&["rezone", &file("rezone.csv")], dir.path());
    let df = parquet(&dir.path().join("rezone-rezone.parquet"));
    assert_eq!(df.height(), 2);
    let v: Vec<Option<f64>> = df.column("value").unwrap().f64().unwrap().iter().collect();
    assert_eq!(v, [Some(12.3), None]);
    assert_eq!(df.column("count").unwrap().f64().unwrap().get(0), Some(5120.0));
    assert_eq!(df.column("france").unwrap().f64().unwrap().get(0), Some(11.0));

    let summary = ingest(&["roster", &file("roster.tsv"), "--year", "2024"], dir.path());
    assert!(summary.contains("99999"), "{summary}");
    let df = parquet(&dir.path().join("roster.parquet"));
    assert_eq!(df.height(), 3);
    let births: Vec<Option<i32>> = df.column("birth_year").unwrap().i32().unwrap().iter().collect();
    assert_eq!(births, [Some(1962), Some(1986), Some(1958)]);
    let sexes: Vec<Option<&str>> = df.column("sex").unwrap().str().unwrap().iter().collect();
    assert_eq!(sexes, [Some("M"), Some("F"), Some("M")]);
}

#[test]
fn bad_files_name_the_line_and_column_and_write_nothing() {
    let cases = [
        (vec!["insee", "duplicate.csv"], "line 4", "given twice"),
        (vec!["insee", "negative.csv"], "line 3, column P21_POP", "negative"),
        (vec!["patientele", "patientele-above.csv", "--year", "2024"], "line 3, column sans_medecin_traitant", "above"),
        (vec!["insee-long", "insee-long.csv"], "insee-long.csv", "--year"),
        (vec!["insee", "unemployed-above-active.csv"], "line 3, column P21_CHOM1564", "above"),
        (vec!["insee", "bath-above-main-residences.csv"], "line 3, column P21_RP_SDB", "above P21_RP"),
        (vec!["--strict", "AAHCom2013-above.csv"], "line 3, column ALL_AAH", "above the 10 of NB_Allocataires"),
        (vec!["insee", "repeated-column.csv"], "line 1, column P21_POP", "twice"),
        (vec!["insee", "ragged.csv"], "line 3", "2 fields"),
    ];
    for (args, place, what) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut all = vec!["ingest".to_owned(), args[0].to_owned(), file(args[1])];
        all.extend(args[2..].iter().map(|s| s.to_string()));
        all.extend(["--out".to_owned(), dir.path().to_str().unwrap().to_owned()]);
        diagsante()
            .args(&all)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(place).and(predicate::str::contains(what)).and(predicate::str::contains("panicked").not()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{args:?}: nothing written");
    }
}

#[test]
fn diagnose_reads_ingested_data() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&["patientele", &file("patientele-17p-70p.csv"), "--year", "2024"], &data_dir);
    ingest(&["rezone", &file("rezone.csv")], &data_dir);
    let d = crate::diagnose_data("cpts-camargue-gardoise", &data_dir, &dir.path().join("out"));
    assert!(d["data"].as_str().unwrap().contains("données de"), "not labelled synthetic: {}", d["data"]);
    let row = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "sans_mt_17_plus").unwrap();
    // The CPTS has 10 communes; the file gives 2: a share of those two is not the CPTS's.
    assert!(row["value"].is_null(), "{row}");
    assert_eq!(row["note"].as_str(), Some("«patients_17p_without_gp» donné pour 2 communes sur 10 seulement"), "{row}");
    // A territory of those two communes (Aigues-Mortes, Aimargues) has its share, complete:
    // (705 + 300) / (7,020 + 2,100).
    let pair =
        crate::diagnose_territory_file(dir.path(), "name = \"Deux communes\"\nkind = \"custom\"\ncommunes = [\"30003\", \"30006\"]\n", &data_dir);
    let row = pair["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "sans_mt_17_plus").unwrap();
    assert_eq!(row["count"].as_f64(), Some(1005.0));
    assert!((row["value"].as_f64().unwrap() - 100.0 * 1005.0 / 9120.0).abs() < 1e-9);
    assert!(row["note"].is_null(), "{row}");
    // Rezone's published values are merged in as they are.
    let published = d["indicators"].as_array().unwrap().iter().find(|i| i["theme"] == "valeurs publiées (Rezone)").unwrap();
    assert_eq!(published["value"].as_f64(), Some(12.3));
    assert_eq!(published["comparators"]["france"]["value"].as_f64(), Some(11.0));
    let other = dir.path().join("other");
    let o = diagsante()
        .args(["diagnose", "--territory", "cls-rochefort-ocean", "--data", data_dir.to_str().unwrap(), "--out", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d2: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(other.join("diagnostic.json")).unwrap()).unwrap();
    assert!(d2["indicators"].as_array().unwrap().iter().all(|i| i["theme"] != "valeurs publiées (Rezone)"), "Camargue's values stay Camargue's");
    let missing = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "depistage_sein").unwrap();
    assert!(missing["value"].is_null() && missing["note"].as_str().unwrap().contains("absente"), "{missing}");
}

#[test]
fn spreadsheets_are_read_by_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = format!("{}#COM_2021", file("insee-wide.xlsx"));
    ingest(&["insee", &sheet], dir.path());
    let df = parquet(&dir.path().join("facts-insee-base-insee-wide.parquet"));
    assert_eq!(fact(&df, "30003", "population", "all", None), Some(Some(8699.0)));
    assert_eq!(fact(&df, "30003", "population", "all", Some(0)), Some(Some(1200.5)));
    assert_eq!(fact(&df, "30006", "population", "all", Some(0)), Some(None), "secret in a sheet too");
    let bad = format!("{}#Feuil9", file("insee-wide.xlsx"));
    diagsante()
        .args(["ingest", "insee", &bad, "--out", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Feuil9").and(predicate::str::contains("COM_2021")));
}

#[test]
fn two_censuses_in_one_base_are_not_added_together() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&["insee", &file("insee-two-censuses.csv")], &data_dir);
    // The file's two communes, Aigues-Mortes and Aimargues.
    let d = crate::diagnose_territory_file(dir.path(), "name = \"Deux communes\"\nkind = \"custom\"\ncommunes = [\"30003\", \"30006\"]\n", &data_dir);
    let get = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    // 2021 only: 8,699 + 6,100, not the 2015 figures on top.
    assert_eq!(get("population")["value"].as_f64(), Some(14_799.0));
    assert!((get("part_65_plus")["value"].as_f64().unwrap() - 100.0 * 3_500.0 / 14_799.0).abs() < 1e-9);
    // The 2015 census is the start of the growth rate: (14,799 / 14,400)^(1/6) − 1 a year.
    let growth = get("croissance_population");
    let expected = 100.0 * ((14_799.0f64 / 14_400.0).powf(1.0 / 6.0) - 1.0);
    assert!((growth["value"].as_f64().unwrap() - expected).abs() < 1e-9, "{growth}");
    assert_eq!(growth["count"].as_f64(), Some(14_799.0));
    assert_eq!(growth["difference_unit"], "points");
    // The density: the 2021 population over INSEE's SUPERF (km², decimal comma).
    let density = get("densite_population");
    assert!((density["value"].as_f64().unwrap() - 14_799.0 / 65.75).abs() < 1e-9, "{density}");
}

fn write_parquet(mut df: DataFrame, path: &Path) {
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut df).unwrap();
}

/// A --data folder with a damaged or foreign parquet file: exit 2, naming the file and the
/// column, never a polars error (exit 1).
#[test]
fn a_malformed_data_folder_names_the_file_and_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    ingest(&["patientele", &file("patientele-17p-70p.csv"), "--year", "2024"], &good);
    ingest(&["rezone", &file("rezone.csv")], &good);
    let facts = parquet(&good.join("facts-patientele-patientele-17p-70p.parquet"));
    let mut text_year = facts.clone();
    let years: Vec<String> = facts.column("year").unwrap().i32().unwrap().iter().map(|y| y.unwrap().to_string()).collect();
    text_year.replace("year", Column::new("year".into(), years)).unwrap();
    let mut text_flag = facts.clone();
    text_flag.replace("synthetic", Column::new("synthetic".into(), vec!["non"; facts.height()])).unwrap();
    let roster = DataFrame::new_infer_height(vec![Column::new("nom".into(), ["A"]), Column::new("commune".into(), ["30003"])]).unwrap();
    // (file name, how to write the broken file, the column the error must name)
    type Case<'a> = (&'a str, Box<dyn Fn(&Path) + 'a>, &'a str);
    let cases: Vec<Case> = vec![
        ("facts-broken.parquet", Box::new(|p: &Path| write_parquet(facts.drop("value").unwrap(), p)), "value"),
        ("facts-typed.parquet", Box::new(|p: &Path| write_parquet(text_year.clone(), p)), "year"),
        ("facts-flag.parquet", Box::new(|p: &Path| write_parquet(text_flag.clone(), p)), "synthetic"),
        (
            "facts-x.parquet",
            Box::new(|p: &Path| {
                std::fs::copy(good.join("rezone-rezone.parquet"), p).unwrap();
            }),
            "geo",
        ),
        ("roster.parquet", Box::new(|p: &Path| write_parquet(roster.clone(), p)), "id"),
    ];
    for (name, write, column) in cases {
        let data_dir = dir.path().join(name);
        std::fs::create_dir(&data_dir).unwrap();
        for f in std::fs::read_dir(&good).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, data_dir.join(f.file_name().unwrap())).unwrap();
        }
        write(&data_dir.join(name));
        diagsante()
            .args([
                "diagnose",
                "--territory",
                "cpts-camargue-gardoise",
                "--data",
                data_dir.to_str().unwrap(),
                "--out",
                dir.path().join("out").to_str().unwrap(),
            ])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("{name}, column {column}"))
                    .and(predicate::str::contains("diagsante ingest"))
                    .and(predicate::str::contains("internal error").not()),
            );
    }
}

/// Two sources in one --data folder: each row of the diagnostic names where its values come
/// from; a fact file written before the provenance columns still loads, its origin read from
/// its name.
#[test]
fn each_row_names_the_provenance_of_its_measures() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&["insee", &file("insee-two-censuses.csv")], &data_dir);
    ingest(&["patientele", &file("patientele-17p-70p.csv"), "--year", "2024"], &data_dir);
    ingest(&["rezone", &file("rezone.csv")], &data_dir);
    let insee = data_dir.join("facts-insee-base-insee-two-censuses.parquet");
    let written = parquet(&insee);
    for c in ["publisher", "dataset", "synthetic", "year_start", "year_end", "kind", "unit", "level"] {
        assert!(written.column(c).is_ok(), "the fact table has a {c} column");
    }
    assert_eq!(written.column("publisher").unwrap().str().unwrap().get(0), Some("INSEE"));
    let diagnose = |out: &Path| -> serde_json::Value {
        let o = diagsante()
            .args(["diagnose", "--territory", "cpts-camargue-gardoise", "--data", data_dir.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str(&std::fs::read_to_string(out.join("diagnostic.json")).unwrap()).unwrap()
    };
    let check = |d: &serde_json::Value| {
        let get = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()["data"].as_str().unwrap().to_owned();
        assert_eq!(get("population"), "INSEE, RP 2021");
        assert_eq!(get("croissance_population"), "INSEE, RP 2021 ; INSEE, RP 2015");
        assert_eq!(get("sans_mt_17_plus"), "Assurance Maladie, patientèle 2024");
        let published = d["indicators"].as_array().unwrap().iter().find(|i| i["theme"] == "valeurs publiées (Rezone)").unwrap();
        assert!(published["data"].as_str().unwrap().starts_with("données de"), "{published}");
    };
    let out = dir.path().join("out");
    check(&diagnose(&out));
    let csv = std::fs::read_to_string(out.join("diagnostic.csv")).unwrap();
    assert!(csv.contains("INSEE, RP 2021") && csv.contains("Assurance Maladie, patientèle 2024"));
    // The same file as ingested before the provenance columns: the same provenance.
    let old = written.select(["geo", "level", "year", "measure", "sex", "age_min", "age_max", "value", "source", "suppressed"]).unwrap();
    write_parquet(old, &insee);
    check(&diagnose(&dir.path().join("out-old")));
}

/// Files of several layouts in one call, their layout told from their columns: each gets its
/// own fact file and its own summary; a file no layout reads stops the run before anything
/// is written, unless --keep-going (then the others are written and the exit code is 2).
#[test]
fn layouts_are_detected_and_a_bad_file_stops_everything_unless_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    for name in ["insee-wide-latin1.csv", "deaths.csv", "rezone.csv", "roster.tsv", "patientele.csv", "README.md"] {
        std::fs::copy(file(name), inputs.path().join(name)).unwrap();
    }
    let summary = ingest(&[inputs.path().to_str().unwrap(), &file("insee-long.csv"), "--year", "2021"], dir.path());
    assert!(summary.contains("the years of the column annee are read, not the year given (2021)"), "{summary}");
    for layout in ["insee-base", "deaths", "rezone", "roster", "patientele", "insee-long"] {
        assert!(summary.contains(&format!("layout:            {layout} — ")), "{layout}: {summary}");
    }
    let mut written: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(
        written,
        [
            "facts-deaths-deaths.parquet",
            "facts-insee-base-insee-wide-latin1.parquet",
            "facts-insee-long-insee-long.parquet",
            "facts-patientele-patientele.parquet",
            "rezone-rezone.parquet",
            "roster.parquet"
        ]
    );
    // A file of no known layout: the error names it, the closest layout and what it lacks.
    let odd = inputs.path().join("odd.csv");
    std::fs::write(&odd, "CODGEO;SEXE;effectif_x\n01001;1;3\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    diagsante().args(["ingest", inputs.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]).assert().code(2).stderr(
        predicate::str::contains("odd.csv, line 1").and(predicate::str::contains("closest is insee-long")).and(predicate::str::contains("--layout")),
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written");
    diagsante()
        .args(["ingest", inputs.path().to_str().unwrap(), "--keep-going", "--year", "2024", "--out", out.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("1 of 6 files could not be read").and(predicate::str::contains("odd.csv")));
    assert!(out.path().join("facts-deaths-deaths.parquet").exists(), "the readable files are written");
    // --layout forces one layout on every file.
    let forced = tempfile::tempdir().unwrap();
    ingest(&["--layout", "insee-base", &file("insee-wide-latin1.csv")], forced.path());
    assert!(forced.path().join("facts-insee-base-insee-wide-latin1.parquet").exists());
}

/// The real commune file (INSEE's comparateur de territoires, copy of datas.fun): its layout
/// detected, one row per commune read once, the summary's notes, and values checked by hand in
/// the file (30341 Vauvert: `30341,76,30,Vauvert,…,COM,,…,109.86,11774,…`).
#[test]
fn the_real_commune_file_is_detected_and_read() {
    let Some(path) = crate::realdata("geo/communes_france_2024_centroids_pop.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&[path.to_str().unwrap()], dir.path());
    assert!(summary.contains("layout:            communes-file — INSEE, comparateur de territoires"), "{summary}");
    assert!(summary.contains("rows read:         36208"), "{summary}");
    assert!(summary.contains("793 rows of communes déléguées (COMD) skipped"), "{summary}");
    assert!(summary.contains("population (2015, 2021)") && summary.contains("deaths_all_causes (2022)"), "{summary}");
    assert!(summary.contains("columns not used:") && summary.contains("lat, lng"), "{summary}");
    let df = parquet(&dir.path().join("facts-communes-file-communes_france_2024_centroids_pop.parquet"));
    assert_eq!(fact(&df, "30341", "area_km2", "all", None), Some(Some(109.86)));
    assert_eq!(fact(&df, "30341", "deaths_all_causes", "all", None), Some(Some(121.0)));
    let dataset: Vec<&str> = df.column("dataset").unwrap().str().unwrap().iter().flatten().collect();
    assert!(dataset.iter().all(|d| *d == "comparateur de territoires (via datas.fun)"));
    assert!(!df.column("synthetic").unwrap().bool().unwrap().any());
}

/// A CPAM patientèle by age band (17-69, 70+) feeds the share of the 17-69 without a médecin
/// traitant, as Rezone's pre-diagnostics quote it: Aigues-Mortes alone, recomputed from the
/// file's 17-69 row (its other commune's count is withheld: a territory holding it is too).
#[test]
fn a_patientele_by_age_band_gives_the_17_69_without_a_medecin_traitant() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&["patientele", &file("patientele.csv"), "--year", "2024"], &data_dir);
    let text = std::fs::read_to_string(data("ingest/patientele.csv")).unwrap();
    let records = crate::csv_records(&text, ';');
    let row = records.iter().find(|r| r[0] == "30003" && r[1] == "17-69").unwrap();
    let (patients, without): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
    let diagnose = |communes: &str, name: &str| -> serde_json::Value {
        let territory = format!("name = \"{name}\"\nkind = \"custom\"\ncommunes = [{communes}]\n");
        let d = crate::diagnose_territory_file(dir.path(), &territory, &data_dir);
        d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "sans_mt_17_69").unwrap().clone()
    };
    let one = diagnose("\"30003\"", "aigues-mortes");
    assert!((one["value"].as_f64().unwrap() - 100.0 * without / patients).abs() < 1e-9, "{one}");
    assert_eq!(one["count"].as_f64(), Some(without));
    let two = diagnose("\"30003\", \"30006\"", "deux");
    assert!(two["value"].is_null() && two["status"].as_str().unwrap().starts_with("secret"), "{two}");
}

/// The Caf's commune files as data.caf.fr publishes them (one per benefit, the year in the
/// name): auto-detected, each `ALL_<X>` a count of households, the AAH's withheld cell kept
/// withheld, and the rates of the catalogue recomputed from the files' own numbers.
#[test]
fn caf_commune_files_give_the_benefits() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // With a census base for the population 25-64 (P21_POP2554 + P21_POP5564).
    let files = ["AAHCom2013.csv", "AEEHCom2013.csv", "RSACom2013.csv", "base-cc-emploi-pop-active-2021.csv"];
    let mut args = vec!["ingest".to_owned()];
    args.extend(files.iter().map(|f| file(f)));
    args.extend(["--out".to_owned(), data_dir.to_str().unwrap().to_owned()]);
    let o = diagsante().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("caf") && out.contains("2013"), "{out}");
    let df = parquet(&data_dir.join("facts-caf-AAHCom2013.parquet"));
    assert_eq!(fact(&df, "30003", "caf_aah_households", "all", None), Some(Some(118.0)));
    assert_eq!(fact(&df, "30006", "caf_aah_households", "all", None), Some(None), "withheld, not zero");
    assert_eq!(fact(&df, "30003", "caf_households", "all", None), Some(Some(1610.0)));
    let year = df.column("year").unwrap().i32().unwrap().get(0);
    assert_eq!(year, Some(2013), "the year of the file name");
    // Aigues-Mortes alone: the households of the RSA file over the census population 25-64.
    let rsa = crate::csv_records(&std::fs::read_to_string(data("ingest/RSACom2013.csv")).unwrap(), ';');
    let households: f64 = rsa.iter().find(|r| r[1] == "30003").unwrap()[3].parse().unwrap();
    let territory = "name = \"aigues-mortes\"\nkind = \"custom\"\ncommunes = [\"30003\"]\n";
    let d = crate::diagnose_territory_file(dir.path(), territory, &data_dir);
    let row = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(row("allocataires_rsa")["value"].as_f64(), Some(households));
    let census = crate::csv_records(&std::fs::read_to_string(data("ingest/base-cc-emploi-pop-active-2021.csv")).unwrap(), ';');
    let col = |name: &str| census[0].iter().position(|h| h == name).unwrap();
    let aigues = census.iter().find(|r| r[0] == "30003").unwrap();
    let people: f64 = aigues[col("P21_POP2554")].parse::<f64>().unwrap() + aigues[col("P21_POP5564")].parse::<f64>().unwrap();
    let rate = row("taux_rsa");
    assert!((rate["value"].as_f64().unwrap() - 100.0 * households / people).abs() < 1e-9, "{rate}");
    assert_eq!((row("allocataires_aah")["value"].as_f64(), row("allocataires_aeeh")["value"].as_f64()), (Some(118.0), Some(41.0)));
}
