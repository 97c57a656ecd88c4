//! `diagsante ingest FILE --out DIR`, the layout detected, on equipment, facility and income
//! files: the real ones of `../shared/realdata/` (bpe/, finess/, social/) and files written in
//! the publishers' shapes in tests/data/facilities/ (see its README).

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::{data, diagsante, realdata};

/// Ingest `file` with the layout detected; the summary printed.
fn ingest(file: &Path, extra: &[&str], out: &Path) -> String {
    let mut args = vec!["ingest".to_owned(), file.to_str().unwrap().to_owned(), "--out".to_owned(), out.to_str().unwrap().to_owned()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let o = diagsante().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).finish().unwrap()
}

/// The value, kind and unit of the cell of `measure` at `geo`, if the table has it.
fn cell(df: &DataFrame, geo: &str, measure: &str) -> Option<(Option<f64>, String, Option<String>)> {
    let (g, m, v, k, u) = (
        df.column("geo").unwrap().str().unwrap(),
        df.column("measure").unwrap().str().unwrap(),
        df.column("value").unwrap().f64().unwrap(),
        df.column("kind").unwrap().str().unwrap(),
        df.column("unit").unwrap().str().unwrap(),
    );
    (0..df.height())
        .find(|&i| g.get(i) == Some(geo) && m.get(i) == Some(measure))
        .map(|i| (v.get(i), k.get(i).unwrap().to_owned(), u.get(i).map(str::to_owned)))
}

fn value(df: &DataFrame, geo: &str, measure: &str) -> Option<Option<f64>> {
    cell(df, geo, measure).map(|c| c.0)
}

fn facilities(name: &str) -> PathBuf {
    data(&format!("facilities/{name}"))
}

#[test]
fn real_bpe_2018_education_by_iris() {
    let Some(path) = realdata("bpe/bpe18_enseignement.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, &[], dir.path());
    assert!(summary.contains("layout:            bpe — INSEE, base permanente des équipements"), "{summary}");
    assert!(summary.contains("rows read:         68294"), "{summary}");
    assert!(summary.contains("summed to their commune") && summary.contains("columns not used:  CANT"), "{summary}");
    let df = parquet(&dir.path().join("facts-bpe-bpe18_enseignement.parquet"));
    // Lines 3 and 4 of the file: 01004 C101 on two IRIS, NB_EQUIP 1 and 2.
    assert_eq!(cell(&df, "01004", "equipment_c101"), Some((Some(3.0), "count".into(), None)));
    assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2018)));
    assert!(df.column("publisher").unwrap().str().unwrap().iter().all(|p| p == Some("INSEE")));
}

#[test]
fn bpe_health_counts_written_in_the_same_shape() {
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&facilities("bpe18_sante.csv"), &[], dir.path());
    assert!(summary.contains("layout:            bpe —"), "{summary}");
    assert!(summary.contains("unknown codes:     1") && summary.contains("99999"), "{summary}");
    assert!(summary.contains("01039 → 01138"), "Béon counted in Culoz-Béon: {summary}");
    assert!(summary.contains("D201 Médecin omnipraticien") && summary.contains("D231 Sage-femme"), "{summary}");
    let df = parquet(&dir.path().join("facts-bpe-bpe18_sante.parquet"));
    // Ambérieu's GPs on two IRIS: 4 + 3.
    assert_eq!(value(&df, "01004", "equipment_d201"), Some(Some(7.0)));
    for (measure, n) in [
        ("equipment_d221", 2.0),
        ("equipment_d232", 5.0),
        ("equipment_d233", 3.0),
        ("equipment_d231", 1.0),
        ("equipment_d301", 2.0),
        ("equipment_d106", 1.0),
    ] {
        assert_eq!(value(&df, "01004", measure), Some(Some(n)), "{measure}");
    }
    // Culoz (2) and Béon (1), one commune since 2019.
    assert_eq!(value(&df, "01138", "equipment_d201"), Some(Some(3.0)));
    assert_eq!(value(&df, "2A004", "equipment_d201"), Some(Some(38.0)));
    assert_eq!(value(&df, "97101", "equipment_d106"), Some(Some(1.0)));
    assert_eq!(value(&df, "99999", "equipment_d201"), None);
    // The file reaches the Ain: its other communes have no GP, rather than an unknown number.
    assert_eq!(value(&df, "01002", "equipment_d201"), Some(Some(0.0)));
    assert_eq!(value(&df, "02001", "equipment_d201"), None, "the Aisne is not in the file");
    assert!(summary.contains("counts of 0 added, in the 4 départements the file covers"), "{summary}");
}

/// A file of one row per equipment (the shape of bpe24.csv), `n` rows drawn over the first
/// `spread` real communes (all when larger); returns the count the generator itself made of
/// (`commune`, `type`) pairs.
fn write_equipments(path: &Path, n: usize, spread: usize) -> std::collections::HashMap<(String, String), u64> {
    let communes = parquet(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo/communes.parquet").as_path());
    // Current communes and arrondissements (not the délégués, nor Paris, Lyon and Marseille
    // whole, which are given by arrondissement).
    let (code, kind) = (communes.column("code").unwrap().str().unwrap(), communes.column("kind").unwrap().str().unwrap());
    let codes: Vec<String> = code
        .iter()
        .zip(kind.iter())
        .filter_map(|(c, k)| c.filter(|c| matches!(k, Some("commune" | "arrondissement")) && !matches!(*c, "75056" | "13055" | "69123")))
        .take(spread)
        .map(str::to_owned)
        .collect();
    let types: Vec<String> = (0..150).map(|i| format!("{}{}", ['A', 'B', 'C', 'D', 'E', 'F'][i % 6], 101 + i)).collect();
    let mut counts = std::collections::HashMap::new();
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "AN;NOMRS;CNOMRS;NUMVOIE;TYPVOIE;LIBVOIE;CODPOS;DEPCOM;DEP;REG;DOM;SDOM;TYPEQU;SIRET;LAMBERT_X;LAMBERT_Y;QUALITE_XY;EPSG;DCIRIS;QUALI_IRIS"
    )
    .unwrap();
    // xorshift64: the same file each time.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        // Skewed as real equipments are: many in few communes, many of few types.
        let c = &codes[((codes.len() as f64).powf(next()) as usize - 1).min(codes.len() - 1)];
        let t = &types[((types.len() as f64).powf(next()) as usize - 1).min(types.len() - 1)];
        *counts.entry((c.clone(), t.clone())).or_insert(0) += 1;
        let (x, y) = (100_000.0 + 1_000_000.0 * next(), 6_000_000.0 + 1_000_000.0 * next());
        writeln!(
            w,
            "2024;\"ÉTABLISSEMENT {i}\";;{};RUE;DES ECOLES;01000;{c};{};84;{};{};{t};{:014};{x:.1};{y:.1};Bonne;2154;{c}_0101;1",
            i % 200,
            &c[..2],
            &t[..1],
            &t[..2],
            i,
        )
        .unwrap();
    }
    counts
}

#[test]
fn bpe_one_row_per_equipment_small() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bpe24.csv");
    let made = write_equipments(&path, 20_000, usize::MAX);
    let summary = ingest(&path, &[], dir.path());
    assert!(summary.contains("layout:            bpe-equipements —"), "{summary}");
    assert!(summary.contains("rows read:         20000") && summary.contains("one row per equipment"), "{summary}");
    let df = parquet(&dir.path().join("facts-bpe-equipements-bpe24.parquet"));
    let total: f64 = df.column("value").unwrap().f64().unwrap().iter().flatten().sum();
    assert_eq!(total, 20_000.0);
    let ((c, t), n) = made.iter().max_by_key(|(k, n)| (**n, (*k).clone())).unwrap();
    assert_eq!(value(&df, c, &format!("equipment_{}", t.to_lowercase())), Some(Some(*n as f64)));
    // One cell per (commune, type) met, and for each health type (D) a 0 in every other
    // commune of the départements the file reaches (the BPE lists every equipment).
    let zeros = df.column("value").unwrap().f64().unwrap().iter().filter(|v| *v == Some(0.0)).count();
    assert_eq!(df.height() - zeros, made.len(), "{summary}");
    let base = base_units_by_departement();
    let reached: std::collections::BTreeSet<&str> = made.keys().map(|(c, _)| base.iter().find(|(_, u)| u.contains(c)).unwrap().0.as_str()).collect();
    let units: usize = reached.iter().map(|d| base[*d].len()).sum();
    let health: std::collections::BTreeSet<&String> = made.keys().filter(|(_, t)| t.starts_with('D')).map(|(_, t)| t).collect();
    let present = made.keys().filter(|(_, t)| t.starts_with('D')).count();
    assert_eq!(zeros, health.len() * units - present, "{summary}");
    assert!(summary.contains(&format!("{zeros} counts of 0 added, in the {} départements", reached.len())), "{summary}");
}

/// The base units (communes, and the arrondissements of Paris, Lyon and Marseille) of each
/// département, from the embedded referential.
fn base_units_by_departement() -> std::collections::BTreeMap<String, Vec<String>> {
    let communes = parquet(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/geo/communes.parquet").as_path());
    let col = |name: &str| communes.column(name).unwrap().str().unwrap().clone();
    let (code, kind, dep) = (col("code"), col("kind"), col("departement"));
    let mut by = std::collections::BTreeMap::<String, Vec<String>>::new();
    for ((c, k), d) in code.iter().zip(kind.iter()).zip(dep.iter()) {
        if let (Some(c), Some("commune" | "arrondissement"), Some(d)) = (c, k, d) {
            if !matches!(c, "75056" | "13055" | "69123") {
                by.entry(d.to_owned()).or_default().push(c.to_owned());
            }
        }
    }
    by
}

/// Ingest `path` (under `/usr/bin/time -v` when present): the seconds taken and the peak
/// memory in kB, if measured.
fn timed_ingest(path: &Path, out: &Path) -> (f64, Option<u64>) {
    let bin = assert_cmd::cargo::cargo_bin("diagsante");
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed { std::process::Command::new("/usr/bin/time") } else { std::process::Command::new(&bin) };
    if timed {
        cmd.arg("-v").arg(&bin);
    }
    let start = std::time::Instant::now();
    let o = cmd.args(["ingest", path.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let peak = stderr.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): ")).and_then(|v| v.parse::<u64>().ok());
    (start.elapsed().as_secs_f64(), peak)
}

/// Two million equipments, read in bounded memory: `cargo test --release --test it --
/// --ignored two_million --nocapture`. With `/usr/bin/time` present, the peak memory is
/// printed: that of reading (a file of two million rows over 200 communes) stays small
/// whatever the number of rows; the fact table written (one cell per commune and type)
/// takes the rest (the second file: realistic spread over every commune).
#[test]
#[ignore]
fn bpe_one_row_per_equipment_two_million() {
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for (name, spread) in [("bpe24_concentrated.csv", 200), ("bpe24.csv", usize::MAX)] {
        let path = dir.path().join(name);
        let made = write_equipments(&path, 2_000_000, spread);
        let size = std::fs::metadata(&path).unwrap().len();
        let out = dir.path().join(format!("out-{spread}"));
        let (seconds, peak) = timed_ingest(&path, &out);
        eprintln!(
            "{name}: 2,000,000 rows ({} MB), {} (commune, type) cells: {seconds:.1} s, peak memory {}",
            size / 1_000_000,
            made.len(),
            peak.map_or_else(|| "not measured".to_owned(), |kb| format!("{} MB", kb / 1024))
        );
        let stem = name.trim_end_matches(".csv");
        let df = parquet(&out.join(format!("facts-bpe-equipements-{stem}.parquet")));
        let total: f64 = df.column("value").unwrap().f64().unwrap().iter().flatten().sum();
        assert_eq!(total, 2_000_000.0);
        let zeros = df.column("value").unwrap().f64().unwrap().iter().filter(|v| *v == Some(0.0)).count();
        assert_eq!(df.height() - zeros, made.len());
        peaks.push((peak, size));
    }
    // Reading does not hold the file: two million rows in a few thousand cells take a small
    // part of the file's size.
    if let (Some(kb), size) = peaks[0] {
        assert!(kb * 1024 < size / 2, "peak {kb} kB for a file of {size} bytes");
    }
}

#[test]
fn finess_establishments_as_published() {
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&facilities("etalab-cs1100507-stock-20240320-0341.csv"), &[], dir.path());
    assert!(summary.contains("layout:            finess-etablissements —"), "{summary}");
    assert!(summary.contains("rows read:         11"), "{summary}");
    assert!(summary.contains("2 lines «geolocalisation» not used"), "{summary}");
    assert!(summary.contains("unknown codes:     1") && summary.contains("01999"), "{summary}");
    assert!(summary.contains("246 Etablissement et Service d'Aide par le Travail"), "{summary}");
    let df = parquet(&dir.path().join("facts-finess-etablissements-etalab-cs1100507-stock-20240320-0341.parquet"));
    assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2024)), "the extract's date");
    assert_eq!(value(&df, "01451", "facility_hospital"), Some(Some(1.0)));
    assert_eq!(value(&df, "01004", "facility_msp"), Some(Some(1.0)));
    assert_eq!(value(&df, "01004", "facility_health_centre"), Some(Some(1.0)));
    // One EHPAD written 01 + 004, the other 1 + 4.
    assert_eq!(value(&df, "01004", "facility_ehpad"), Some(Some(2.0)));
    assert_eq!(value(&df, "01138", "facility_ehpad"), Some(Some(1.0)), "Béon's, in Culoz-Béon");
    assert_eq!(value(&df, "01138", "facility_cat246"), Some(Some(1.0)));
    assert_eq!(value(&df, "2A004", "facility_pharmacy"), Some(Some(1.0)));
    assert_eq!(value(&df, "97101", "facility_multidisciplinary_clinic"), Some(Some(1.0)));
    assert_eq!(value(&df, "97611", "facility_hospital"), Some(Some(1.0)));
    // FINESS lists every établissement: a commune of the départements it reaches without a
    // row has none of a named category; a category diagsante does not name is not filled.
    assert_eq!(value(&df, "01002", "facility_msp"), Some(Some(0.0)));
    assert_eq!(value(&df, "97611", "facility_msp"), Some(Some(0.0)));
    assert_eq!(value(&df, "01002", "facility_cat246"), None);
    assert_eq!(value(&df, "02001", "facility_msp"), None, "the Aisne is not in the extract");
    assert!(summary.contains("a category named in diagsante's table has none"), "{summary}");
}

/// A BPE file lists only the communes that have an equipment: the communes it leaves out have
/// none, so a territory's density is computed rather than withheld. Populations: INSEE's real
/// census 2021 by single year of age (POP1B) for Carcassonne (46,119: the sum of its rows,
/// awk on the file) and Narbonne (56,297).
#[test]
fn a_territory_without_an_equipment_counts_none_of_it() {
    let Some(population) = realdata("population/insee_rp2021_pop1b_25_communes_occitanie.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&population, &[], &data_dir);
    let bpe = dir.path().join("bpe21_sante.csv");
    std::fs::write(&bpe, "DEPCOM;TYPEQU;NB_EQUIP;AN\n11069;D302;3;2021\n11001;D302;1;2021\n").unwrap();
    ingest(&bpe, &[], &data_dir);
    let d = crate::diagnose_territory_file(
        dir.path(),
        "name = \"Carcassonne et Narbonne\"\nkind = \"cls\"\ncommunes = [\"11069\", \"11262\"]\n",
        &data_dir,
    );
    let get = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}")).clone();
    assert_eq!(get("nombre_laboratoires")["value"].as_f64(), Some(3.0), "Narbonne's row is absent: 0");
    let density = get("densite_laboratoires");
    let v = density["value"].as_f64().unwrap_or_else(|| panic!("{density}"));
    assert!((v - 3.0 / (46_119.0 + 56_297.0) * 100_000.0).abs() < 1e-9, "{density}");
    assert!(density["note"].is_null(), "complete: {density}");
}

#[test]
fn real_finess_extracts_by_departement() {
    let Some(heavy) = realdata("finess/finess_materiels_lourds.txt") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&heavy, &["--year", "2026"], dir.path());
    assert!(summary.contains("layout:            finess-materiels-lourds —"), "{summary}");
    assert!(summary.contains("one column left of the header"), "the shift is said: {summary}");
    assert!(summary.contains("counted by département"), "{summary}");
    let df = parquet(&dir.path().join("facts-finess-materiels-lourds-finess_materiels_lourds.parquet"));
    assert!(df.column("level").unwrap().str().unwrap().iter().all(|l| l == Some("departement")));
    // awk: 23 rows with the FINESS number (8th field) of the Nord and the code 05701.
    assert_eq!(value(&df, "59", "heavy_equipment_05701"), Some(Some(23.0)));
    // The 5 of Mayotte, numbered 9805….
    let mayotte: f64 = (0..df.height())
        .filter(|&i| df.column("geo").unwrap().str().unwrap().get(i) == Some("976"))
        .filter_map(|i| df.column("value").unwrap().f64().unwrap().get(i))
        .sum();
    assert_eq!(mayotte, 5.0);

    let Some(activities) = realdata("finess/finess_activites_soin.txt") else { return };
    let summary = ingest(&activities, &["--year", "2026"], dir.path());
    assert!(summary.contains("layout:            finess-activites —") && !summary.contains("column left"), "{summary}");
    let df = parquet(&dir.path().join("facts-finess-activites-finess_activites_soin.parquet"));
    // Aisne: 7 établissements authorised for emergency medicine (activité 14), see finess.rs.
    assert_eq!(value(&df, "02", "care_activity_14"), Some(Some(7.0)));

    let Some(training) = realdata("finess/finess_disciplines_enseignement.txt") else { return };
    let summary = ingest(&training, &["--year", "2026"], dir.path());
    assert!(summary.contains("layout:            finess-enseignement —"), "{summary}");
    let df = parquet(&dir.path().join("facts-finess-enseignement-finess_disciplines_enseignement.parquet"));
    // Loire, nursing diploma: 659 places (the latest authorisation of each établissement).
    assert_eq!(value(&df, "42", "training_places_414"), Some(Some(659.0)));

    // Without --year, each extract's year is that of the latest date it lists (python on the
    // files: datemeo 2025-12-18 for the activities, 2025-08-25 for the heavy equipment read
    // under its right header, dateautor 2025-11-19 for the trainings), said in a note.
    let years = tempfile::tempdir().unwrap();
    for (file, date) in [(&heavy, "2025-08-25"), (&activities, "2025-12-18"), (&training, "2025-11-19")] {
        let summary = ingest(file, &[], years.path());
        assert!(
            summary.contains(&format!("its year, 2025, is that of the latest authorisation or implementation date it lists ({date}")),
            "{summary}"
        );
        assert!(summary.contains("give --year"), "{summary}");
    }
    let df = parquet(&years.path().join("facts-finess-enseignement-finess_disciplines_enseignement.parquet"));
    assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2025)));
    assert_eq!(value(&df, "42", "training_places_414"), Some(Some(659.0)));
}

#[test]
fn real_filosofi_2019_by_commune() {
    let Some(path) = realdata("social/FILO2019_DISP_COM.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, &[], dir.path());
    assert!(summary.contains("layout:            filosofi — INSEE, Filosofi"), "{summary}");
    assert!(summary.contains("rows read:         31361"), "{summary}");
    assert!(summary.contains("75056") && summary.contains("arrondissements are kept"), "{summary}");
    let df = parquet(&dir.path().join("facts-filosofi-FILO2019_DISP_COM.parquet"));
    // Line 4, Ambérieu-en-Bugey: NBMEN19 6711, Q219 20510, S80S2019 4,200.
    assert_eq!(cell(&df, "01004", "tax_households"), Some((Some(6711.0), "count".into(), None)));
    assert_eq!(cell(&df, "01004", "median_income"), Some((Some(20510.0), "published".into(), Some("€".into()))));
    assert_eq!(cell(&df, "01004", "income_s80_s20_ratio").map(|c| (c.0, c.2)), Some((Some(4.2), Some("rapport".into()))));
    // Line 2, L'Abergement-Clémenciat: its first quartile is secret.
    assert_eq!(value(&df, "01001", "income_q1"), Some(None));
    assert!(df.column("year").unwrap().i32().unwrap().iter().all(|y| y == Some(2019)));
}

/// The real heavy-equipment extract ingested, with INSEE's 2023 département estimates for the
/// population, feeds the catalogue's MRI and CT densities through `diagnose --data`: the
/// extract is by département, so the CPTS (part of the Gard) has none and its département reads
/// the Gard's row.
#[test]
fn real_heavy_equipment_feeds_the_catalogue_through_diagnose() {
    let (Some(heavy), Some(population)) =
        (realdata("finess/finess_materiels_lourds.txt"), realdata("population/insee_estim_pop_dep_sexe_aq_2023.xlsx"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&heavy, &["--year", "2026"], &data_dir);
    ingest(&population, &[], &data_dir);
    let d = crate::diagnose_data("cpts-camargue-gardoise", &data_dir, &dir.path().join("out"));
    let get = |id: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}")).clone();
    // awk on the extract: 3 rows 06201 (IRM) and 2 rows 05602 (scanner), all of the CHU de
    // Nîmes (300782117); the Gard's population on 1 January 2023: 757,435 (its « Total » of
    // « Ensemble » in the INSEE workbook).
    let (irm, scanners) = (get("densite_irm"), get("densite_scanners"));
    assert_eq!(get("nombre_irm")["comparators"]["departement"]["value"].as_f64(), Some(3.0));
    let dep = irm["comparators"]["departement"]["value"].as_f64().unwrap();
    assert!((dep - 3.0 / 757_435.0 * 100_000.0).abs() < 1e-9, "{irm}");
    let dep = scanners["comparators"]["departement"]["value"].as_f64().unwrap();
    assert!((dep - 2.0 / 757_435.0 * 100_000.0).abs() < 1e-9, "{scanners}");
    assert!(irm["value"].is_null(), "no commune counts for the CPTS: {irm}");
    assert!(irm["data"].as_str().unwrap().contains("FINESS, équipements matériels lourds"), "{irm}");
}
