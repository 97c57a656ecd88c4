//! `diagsante ingest FILE --out DIR`, the layout detected, on every real file of
//! `../shared/realdata/population/` and on hand-made census files of tests/data/ingest/; the
//! values checked were read by hand in the files (the row is said in each comment).

use std::path::Path;

use polars::prelude::*;

use crate::{data, diagnose_territory_file, diagsante, realdata};

/// Ingest `path` with no layout named; the summary.
fn ingest(path: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["ingest".to_owned(), path.to_str().unwrap().to_owned()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.extend(["--out".to_owned(), out.to_str().unwrap().to_owned()]);
    let o = diagsante().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The one fact file written in `dir`.
fn facts(dir: &Path) -> DataFrame {
    let files: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "parquet")).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    ParquetReader::new(std::fs::File::open(&files[0]).unwrap()).finish().unwrap()
}

/// A cell: place, level, year, measure, sex, ages → its value (`Some(None)`: withheld).
struct Cell<'a> {
    geo: &'a str,
    level: &'a str,
    year: i32,
    measure: &'a str,
    sex: &'a str,
    ages: (Option<u32>, Option<u32>),
}

fn value(df: &DataFrame, c: Cell) -> Option<Option<f64>> {
    let s = |n: &str| df.column(n).unwrap().str().unwrap().clone();
    let (geo, level, measure, sex) = (s("geo"), s("level"), s("measure"), s("sex"));
    let (year, start) = (df.column("year").unwrap().i32().unwrap(), df.column("year_start").unwrap().i32().unwrap());
    let (min, max) = (df.column("age_min").unwrap().u32().unwrap(), df.column("age_max").unwrap().u32().unwrap());
    let v = df.column("value").unwrap().f64().unwrap();
    let rows: Vec<usize> = (0..df.height())
        .filter(|&i| {
            geo.get(i) == Some(c.geo)
                && level.get(i) == Some(c.level)
                && year.get(i) == Some(c.year)
                && start.get(i) == Some(c.year)
                && measure.get(i) == Some(c.measure)
                && sex.get(i) == Some(c.sex)
                && (min.get(i), max.get(i)) == c.ages
        })
        .collect();
    assert!(rows.len() <= 1, "one cell per key");
    rows.first().map(|&i| v.get(i))
}

fn pop(geo: &str, level: &'static str, year: i32, sex: &'static str, ages: (Option<u32>, Option<u32>)) -> Cell<'static> {
    Cell { geo: Box::leak(geo.to_owned().into_boxed_str()), level, year, measure: "population", sex, ages }
}

const ALL: (Option<u32>, Option<u32>) = (None, None);

#[test]
fn populations_legales_by_commune() {
    let Some(path) = realdata("population/donnees_communes.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-populations-legales"), "{summary}");
    assert!(summary.contains("millésime 2022 assumed"), "{summary}");
    let df = facts(dir.path());
    // Line 2: 01001 L'Abergement-Clémenciat, PMUN 860, PCAP 16, PTOT 876.
    let c = |measure| Cell { geo: "01001", level: "commune", year: 2022, measure, sex: "all", ages: ALL };
    assert_eq!(value(&df, c("population_municipale")), Some(Some(860.0)));
    assert_eq!(value(&df, c("population_comptee_a_part")), Some(Some(16.0)));
    assert_eq!(value(&df, c("population_totale")), Some(Some(876.0)));
    // Les Abymes (97101: DEP 971, CODCOM 101), PMUN 51055.
    let c = Cell { geo: "97101", level: "commune", year: 2022, measure: "population_municipale", sex: "all", ages: ALL };
    assert_eq!(value(&df, c), Some(Some(51055.0)));
    // --year says another millésime.
    let other = tempfile::tempdir().unwrap();
    let summary = ingest(&path, other.path(), &["--year", "2021"]);
    assert!(!summary.contains("assumed"), "{summary}");
    assert_eq!(
        value(&facts(other.path()), Cell { geo: "01001", level: "commune", year: 2021, measure: "population_municipale", sex: "all", ages: ALL }),
        Some(Some(860.0))
    );
}

#[test]
fn populations_legales_by_departement_and_region() {
    let Some(deps) = realdata("population/donnees_departements.csv") else { return };
    let Some(regions) = realdata("population/donnees_regions.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&deps, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-populations-legales") && summary.contains("100 departement"), "{summary}");
    // Line 2: 01 Ain, PMUN 679344, PTOT 694945.
    let df = facts(dir.path());
    assert_eq!(
        value(&df, Cell { geo: "01", level: "departement", year: 2022, measure: "population_municipale", sex: "all", ages: ALL }),
        Some(Some(679344.0))
    );
    assert_eq!(
        value(&df, Cell { geo: "01", level: "departement", year: 2022, measure: "population_totale", sex: "all", ages: ALL }),
        Some(Some(694945.0))
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&regions, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-populations-legales") && summary.contains("17 region"), "{summary}");
    // 84 Auvergne-Rhône-Alpes: PMUN 8205557, PTOT 8373427.
    let df = facts(dir.path());
    assert_eq!(
        value(&df, Cell { geo: "84", level: "region", year: 2022, measure: "population_municipale", sex: "all", ages: ALL }),
        Some(Some(8205557.0))
    );
    assert_eq!(
        value(&df, Cell { geo: "84", level: "region", year: 2022, measure: "population_totale", sex: "all", ages: ALL }),
        Some(Some(8373427.0))
    );
}

#[test]
fn estimates_workbook_1975_2021_one_sheet_a_year() {
    let Some(path) = realdata("population/estim-pop-dep-sexe-aq-1975-2021.xlsx") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-estimates"), "{summary}");
    assert!(summary.contains("sheet À savoir skipped"), "{summary}");
    assert!(summary.contains("ditto mark") && summary.contains("read as 5-9"), "{summary}");
    assert!(summary.contains("1975, 1976") && summary.contains("2020, 2021"), "a year per sheet: {summary}");
    let df = facts(dir.path());
    // Sheet 2021, row 01 Ain: Ensemble 0-4 38718; the ditto column (Ensemble 5-9) 44414 =
    // Hommes 22919 + Femmes 21495; Total 662244.
    assert_eq!(value(&df, pop("01", "departement", 2021, "all", (Some(0), Some(4)))), Some(Some(38718.0)));
    assert_eq!(value(&df, pop("01", "departement", 2021, "all", (Some(5), Some(9)))), Some(Some(44414.0)));
    assert_eq!(value(&df, pop("01", "departement", 2021, "M", (Some(5), Some(9)))), Some(Some(22919.0)));
    assert_eq!(value(&df, pop("01", "departement", 2021, "all", ALL)), Some(Some(662244.0)));
    // Sheet 2020: « France métropolitaine et DOM », Total Ensemble 67287241.
    assert_eq!(value(&df, pop("FR", "france", 2020, "all", ALL)), Some(Some(67287241.0)));
    // Sheet 1995: France métropolitaine 57752535; Guadeloupe's last band is 90 and over (1133).
    assert_eq!(value(&df, pop("FM", "france", 1995, "all", ALL)), Some(Some(57752535.0)));
    assert_eq!(value(&df, pop("971", "departement", 1995, "all", (Some(90), None))), Some(Some(1133.0)));
    assert_eq!(value(&df, pop("971", "departement", 1995, "all", (Some(95), None))), None);
    // Sheet 1980: Ain total 404139, no DOM estimates yet.
    assert_eq!(value(&df, pop("01", "departement", 1980, "all", ALL)), Some(Some(404139.0)));
    assert_eq!(value(&df, pop("971", "departement", 1980, "all", ALL)), None);
}

#[test]
fn estimates_workbook_2023_year_from_its_title() {
    let Some(path) = realdata("population/insee_estim_pop_dep_sexe_aq_2023.xlsx") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-estimates") && summary.contains("year 2023 from its title line"), "{summary}");
    assert!(summary.contains("101 departement, 3 france"), "{summary}");
    let df = facts(dir.path());
    // Row 01 Ain: Ensemble 0-4 37167, Hommes 0-4 19270, Femmes 95+ 1584; France métropolitaine
    // et DOM: 68042591 (the README's sum); DOM 2207754.
    assert_eq!(value(&df, pop("01", "departement", 2023, "all", (Some(0), Some(4)))), Some(Some(37167.0)));
    assert_eq!(value(&df, pop("01", "departement", 2023, "M", (Some(0), Some(4)))), Some(Some(19270.0)));
    assert_eq!(value(&df, pop("01", "departement", 2023, "F", (Some(95), None))), Some(Some(1584.0)));
    assert_eq!(value(&df, pop("FR", "france", 2023, "all", ALL)), Some(Some(68042591.0)));
    assert_eq!(value(&df, pop("DOM", "france", 2023, "all", ALL)), Some(Some(2207754.0)));
}

#[test]
fn estimates_long_csv_year_from_its_name() {
    let Some(path) = realdata("population/insee_estim_pop_dep_sexe_aq_2023_long.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-long"), "{summary}");
    assert!(summary.contains("year 2023 read from the file name") && summary.contains("columns not used:  dep_name"), "{summary}");
    let df = facts(dir.path());
    // Line 2: 01,Ain,M,0,4,19270 — the workbook's value.
    assert_eq!(value(&df, pop("01", "departement", 2023, "M", (Some(0), Some(4)))), Some(Some(19270.0)));
}

#[test]
fn france_pyramids_by_sex_one_column_a_year() {
    for (file, sex, year, age0) in
        [("france_pyramide_femmes_1991_2022.csv", "F", 1991, 379319.0), ("france_pyramide_hommes_1991_2022.csv", "M", 2022, 352683.0)]
    {
        let Some(path) = realdata(&format!("population/{file}")) else { return };
        let dir = tempfile::tempdir().unwrap();
        let summary = ingest(&path, dir.path(), &[]);
        assert!(summary.contains("layout:            insee-pyramid-years") && summary.contains("1 france"), "{summary}");
        let df = facts(dir.path());
        // The row of age 0, the column of the year.
        assert_eq!(value(&df, pop("FR", "france", year, sex, (Some(0), Some(0)))), Some(Some(age0)), "{file}");
        assert!(value(&df, pop("FR", "france", year, sex, (Some(100), None))).is_some(), "100 is 100 and over: {file}");
    }
}

#[test]
fn pyramid_of_2022_year_from_birth_years() {
    let Some(path) = realdata("population/insee_pyramide_ages_france_2022.xlsx") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-pyramid") && summary.contains("year 2022: the birth year"), "{summary}");
    let df = facts(dir.path());
    // Row 4: born 2021, age 0: 338259 women, 352683 men, 690942 in all; the last row « 100 ou
    // plus »: 26184 women.
    assert_eq!(value(&df, pop("FR", "france", 2022, "F", (Some(0), Some(0)))), Some(Some(338259.0)));
    assert_eq!(value(&df, pop("FR", "france", 2022, "M", (Some(0), Some(0)))), Some(Some(352683.0)));
    assert_eq!(value(&df, pop("FR", "france", 2022, "all", (Some(0), Some(0)))), Some(Some(690942.0)));
    assert_eq!(value(&df, pop("FR", "france", 2022, "F", (Some(100), None))), Some(Some(26184.0)));
}

#[test]
fn bilan_demographique_pyramids_france_and_metropole_apart() {
    let Some(path) = realdata("population/insee_pyramides_des_ages_bilan_demo_2019.xls") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-pyramid-years") && summary.contains("2 france"), "{summary}");
    assert!(summary.contains("geo FM"), "{summary}");
    let df = facts(dir.path());
    // Sheet France: « Sexe masculin », age 0, 1991: 399548 (the derived CSV's value too);
    // « Total Ensemble » 2020: 67063703; « 100 ou + » 2020: 3551 men (row 111), 18309 women
    // (row 215).
    assert_eq!(value(&df, pop("FR", "france", 1991, "M", (Some(0), Some(0)))), Some(Some(399548.0)));
    assert_eq!(value(&df, pop("FR", "france", 2020, "all", ALL)), Some(Some(67063703.0)));
    assert_eq!(value(&df, pop("FR", "france", 2020, "M", (Some(100), None))), Some(Some(3551.0)));
    assert_eq!(value(&df, pop("FR", "france", 2020, "F", (Some(100), None))), Some(Some(18309.0)));
    // Sheet France métropolitaine: 1901, men aged 100: 21, the last age given (101 and over
    // are « - »), so 100 and over; Total Ensemble 1901: 38485925.
    assert_eq!(value(&df, pop("FM", "france", 1901, "M", (Some(100), None))), Some(Some(21.0)));
    assert_eq!(value(&df, pop("FM", "france", 1901, "M", (Some(101), Some(101)))), None);
    assert_eq!(value(&df, pop("FM", "france", 1901, "all", ALL)), Some(Some(38485925.0)));
}

#[test]
fn departement_pyramids_estimates_then_projections() {
    for (dep, age0_2013) in [("01", 4019.0), ("02", 3349.0), ("03", 1599.0)] {
        let Some(path) = realdata(&format!("population/insee_pyramide_dep{dep}_2013_2070.csv")) else { return };
        let dir = tempfile::tempdir().unwrap();
        let summary = ingest(&path, dir.path(), &[]);
        assert!(summary.contains("layout:            insee-pyramid-dep") && summary.contains("population_projected (2019,"), "{summary}");
        let df = facts(dir.path());
        // Line 2: "2013";0;"M";…
        assert_eq!(value(&df, pop(dep, "departement", 2013, "M", (Some(0), Some(0)))), Some(Some(age0_2013)), "{dep}");
        assert_eq!(value(&df, pop(dep, "departement", 2030, "M", (Some(0), Some(0)))), None, "{dep}: 2030 is projected");
        let projected = Cell { geo: dep, level: "departement", year: 2030, measure: "population_projected", sex: "M", ages: (Some(0), Some(0)) };
        assert!(value(&df, projected).is_some(), "{dep}");
    }
}

/// The pyramid's estimates match INSEE's estimates workbook until 2018 (within the rounding of
/// the two publications), not after: the years after 2018 are projections.
#[test]
fn departement_pyramid_estimates_match_the_estimates_workbook_until_2018() {
    let (Some(pyramid), Some(workbook)) =
        (realdata("population/insee_pyramide_dep01_2013_2070.csv"), realdata("population/estim-pop-dep-sexe-aq-1975-2021.xlsx"))
    else {
        return;
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    ingest(&pyramid, a.path(), &[]);
    ingest(&workbook, b.path(), &[]);
    let (p, w) = (facts(a.path()), facts(b.path()));
    let total = |df: &DataFrame, year: i32, measure: &str| -> f64 {
        df.clone()
            .lazy()
            .filter(
                col("geo")
                    .eq(lit("01"))
                    .and(col("year").eq(lit(year)))
                    .and(col("measure").eq(lit(measure)))
                    .and(col("sex").neq(lit("all")))
                    .and(col("age_min").is_not_null()),
            )
            .select([col("value").sum()])
            .collect()
            .unwrap()
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
    };
    for year in 2013..=2018 {
        assert!((total(&p, year, "population") - total(&w, year, "population")).abs() < 10.0, "{year}");
    }
    // 2021: the projection (663,736) is not the estimate (662,244).
    assert!((total(&p, 2021, "population_projected") - total(&w, 2021, "population")).abs() > 1000.0);
}

/// INSEE's children's bands (0-2, 3-5, 6-10, 11-17) from single-year ages: Toulouse's shares
/// as the file's own sums give them (ages 0-2 of men and women over all ages).
#[test]
fn the_childrens_bands_are_read_from_single_year_ages() {
    let Some(path) = realdata("population/insee_rp2021_pop1b_25_communes_occitanie.csv") else { return };
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut total, mut bands) = (0.0, [0.0; 4]);
    for r in crate::csv_records(&text, ',').iter().skip(1).filter(|r| r.first().map(String::as_str) == Some("31555")) {
        let age: u32 = r[6].trim_end_matches('+').parse().unwrap();
        let n: f64 = r[7].parse::<f64>().unwrap() + r[8].trim().parse::<f64>().unwrap();
        total += n;
        if let Some(k) = [(0, 2), (3, 5), (6, 10), (11, 17)].iter().position(|&(lo, hi)| (lo..=hi).contains(&age)) {
            bands[k] += n;
        }
    }
    assert!(total > 400_000.0, "Toulouse's ages read from the file: {total}");
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&path, &data_dir, &[]);
    let d = diagnose_territory_file(dir.path(), "name = \"Toulouse\"\nkind = \"custom\"\ncommunes = [\"31555\"]\n", &data_dir);
    for (k, id) in ["part_0_2", "part_3_5", "part_6_10", "part_11_17"].iter().enumerate() {
        let row = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == *id).unwrap();
        let value = row["value"].as_f64().unwrap_or_else(|| panic!("{id}: {row}"));
        assert!((value - bands[k] / total * 100.0).abs() < 1e-9, "{id}: {value}");
    }
}

/// Projections are never the latest population: a folder with the pyramid reads 2018.
#[test]
fn diagnose_reads_the_pyramids_estimates_not_its_projections() {
    let Some(path) = realdata("population/insee_pyramide_dep01_2013_2070.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    ingest(&path, &data_dir, &[]);
    let d = diagnose_territory_file(dir.path(), "name = \"Ain\"\nkind = \"custom\"\ndepartements = [\"01\"]\n", &data_dir);
    let row = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "population").unwrap();
    let data = row["data"].as_str().unwrap();
    assert!(data.contains("Omphale 2022") && data.ends_with(" 2018"), "the population read is 2018's, not a projection: {data}");
}

#[test]
fn pop1b_with_men_and_women_columns() {
    let Some(path) = realdata("population/insee_rp2021_pop1b_25_communes_occitanie.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&path, dir.path(), &[]);
    assert!(summary.contains("layout:            insee-pop1b-wide") && summary.contains("25 communes"), "{summary}");
    assert!(summary.contains("year 2021 read from the file name") && summary.contains("LIBGEO"), "{summary}");
    let df = facts(dir.path());
    // Line 2: 31555 Toulouse, age 0: 2980 men, 2735 women; Toulouse's age 100: 46 men, 100+.
    assert_eq!(value(&df, pop("31555", "commune", 2021, "M", (Some(0), Some(0)))), Some(Some(2980.0)));
    assert_eq!(value(&df, pop("31555", "commune", 2021, "F", (Some(0), Some(0)))), Some(Some(2735.0)));
    assert_eq!(value(&df, pop("31555", "commune", 2021, "M", (Some(100), None))), Some(Some(46.0)));
    let given = tempfile::tempdir().unwrap();
    // A year given for a whole folder does not override the one the file's name says.
    let summary = ingest(&path, given.path(), &["--year", "2020"]);
    assert!(summary.contains("year 2021 read from the file name"), "{summary}");
    assert_eq!(value(&facts(given.path()), pop("31555", "commune", 2021, "M", (Some(0), Some(0)))), Some(Some(2980.0)));
}

#[test]
fn comparateur_de_territoires_in_its_published_shape() {
    let dir = tempfile::tempdir().unwrap();
    let summary = ingest(&data("ingest/insee-comparateur.csv"), dir.path(), &[]);
    assert!(summary.contains("layout:            insee-comparateur"), "{summary}");
    assert!(summary.contains("births (2024)") && summary.contains("deaths_all_causes (2024)"), "{summary}");
    assert!(summary.contains("births_period (2016-2021)") && summary.contains("deaths_period (2016-2021)"), "{summary}");
    assert!(!summary.contains("columns not used"), "every column is read: {summary}");
    let df = facts(dir.path());
    let c = |geo, year, measure| Cell { geo, level: "commune", year, measure, sex: "all", ages: ALL };
    // Line 2, 01004: NAIS1621 1325 over 2016-2021; NAISD24 175; P22_MEN 7107,01 (decimal comma).
    assert_eq!(value(&df, c("01004", 2024, "births")), Some(Some(175.0)));
    assert_eq!(value(&df, c("01004", 2022, "households")), Some(Some(7107.01)));
    assert_eq!(value(&df, c("01004", 2021, "median_income")), Some(Some(22990.0)));
    assert_eq!(value(&df, c("01004", 2021, "poverty_rate")), Some(Some(12.5)));
    assert_eq!(value(&df, c("01004", 2024, "establishments")), Some(Some(1320.0)));
    assert_eq!(value(&df, c("01004", 2022, "area_km2")), Some(Some(24.6)));
    // 52.3 % of 6,950 tax households.
    assert!((value(&df, c("01004", 2021, "taxed_households")).unwrap().unwrap() - 0.523 * 6950.0).abs() < 1e-6);
    // Line 3, 01006: secret cells `s` are withheld, never 0.
    assert_eq!(value(&df, c("01006", 2021, "median_income")), Some(None));
    assert_eq!(value(&df, c("01006", 2021, "poverty_rate")), Some(None));
    // The period counts: births 2016-2021 with their start year, a measure of their own.
    let start = df.column("year_start").unwrap().i32().unwrap();
    let measure = df.column("measure").unwrap().str().unwrap();
    let geo = df.column("geo").unwrap().str().unwrap();
    let v = df.column("value").unwrap().f64().unwrap();
    let births =
        (0..df.height()).find(|&i| geo.get(i) == Some("01004") && measure.get(i) == Some("births_period") && start.get(i) == Some(2016)).unwrap();
    assert_eq!(v.get(births), Some(1325.0));
    // The growth of the two communes and its two parts, from the sums: P16_POP 14,081 + 110,
    // P22_POP 15,554 + 114, births 2016-2021 1,325 + 5, deaths 808 + 4. Total
    // (15,668 / 14,191)^(1/6) − 1 = 1.663899 % a year; natural 518 / (6 × 14,929.5) =
    // 0.578273 %; apparent migratory the rest, 1.085625 %.
    let d = diagnose_territory_file(dir.path(), "name = \"Pair\"\nkind = \"custom\"\ncommunes = [\"01004\", \"01006\"]\n", dir.path());
    let value_of = |id: &str| {
        let row = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap();
        row["value"].as_f64().unwrap_or_else(|| panic!("{id}: {row}"))
    };
    let (total, natural, migratory) =
        (value_of("croissance_population"), value_of("croissance_solde_naturel"), value_of("croissance_solde_migratoire"));
    assert!((total - 1.663_899).abs() < 1e-6, "{total}");
    assert!((natural - 0.578_273).abs() < 1e-6, "{natural}");
    assert!((migratory - 1.085_625).abs() < 1e-6, "{migratory}");
    assert!((natural + migratory - total).abs() < 1e-12);
    let kind = df.column("kind").unwrap().str().unwrap();
    let unit = df.column("unit").unwrap().str().unwrap();
    let med = (0..df.height()).find(|&i| measure.get(i) == Some("median_income")).unwrap();
    assert_eq!((kind.get(med), unit.get(med)), (Some("published"), Some("€")));
}

#[test]
fn census_communal_bases_every_family() {
    let dir = tempfile::tempdir().unwrap();
    // The complementary exploitation's total of the active (C21_ACT1564) is not read: it is
    // not the principal one (P21_ACT1564).
    for (file, unused) in [
        ("base-cc-logement-2021.csv", "LIBGEO"),
        ("base-cc-couples-familles-menages-2021.csv", "LIBGEO"),
        ("base-cc-diplomes-formation-2021.csv", "LIBGEO"),
        ("base-cc-emploi-pop-active-2021.csv", "C21_ACT1564, LIBGEO"),
    ] {
        let out = dir.path().join(file);
        let summary = ingest(&data(&format!("ingest/{file}")), &out, &[]);
        assert!(summary.contains("layout:            insee-base"), "{file}: {summary}");
        assert!(summary.contains(&format!("columns not used:  {unused}\n")), "{file}: {summary}");
    }
    let df = |file: &str| facts(&dir.path().join(file));
    let c = |measure, sex, ages| Cell { geo: "30003", level: "commune", year: 2021, measure, sex, ages };
    // Each file's line 2 (30003).
    let housing = df("base-cc-logement-2021.csv");
    // The mean household size of the two communes, from the sums of P21_PMEN and P21_MEN:
    // (8,600 + 6,050) / (3,900 + 2,700) = 2.219697 people.
    let d = diagnose_territory_file(
        dir.path(),
        "name = \"Pair\"\nkind = \"custom\"\ncommunes = [\"30003\", \"30006\"]\n",
        &dir.path().join("base-cc-logement-2021.csv"),
    );
    let size = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "taille_moyenne_menages").unwrap();
    assert!((size["value"].as_f64().unwrap() - 2.219_697).abs() < 1e-6, "{size}");
    assert_eq!(value(&housing, c("main_residences_social_housing", "all", ALL)), Some(Some(420.0)));
    assert_eq!(value(&housing, c("vacant_dwellings", "all", ALL)), Some(Some(310.5)));
    assert_eq!(value(&housing, c("households", "all", ALL)), Some(Some(3900.0)));
    let families = df("base-cc-couples-familles-menages-2021.csv");
    assert_eq!(value(&families, c("people_living_alone", "all", (Some(80), None))), Some(Some(260.0)));
    assert_eq!(value(&families, c("household_population", "all", (Some(80), None))), Some(Some(610.0)));
    assert_eq!(value(&families, c("families_single_parent", "all", ALL)), Some(Some(330.0)));
    assert_eq!(value(&families, c("households_one_person", "F", ALL)), Some(Some(820.0)));
    let diplomas = df("base-cc-diplomes-formation-2021.csv");
    assert_eq!(value(&diplomas, c("out_of_school_15p_diplmin", "all", (Some(15), None))), Some(Some(1650.0)));
    assert_eq!(value(&diplomas, c("out_of_school_15p_sup5", "all", (Some(15), None))), Some(Some(480.0)));
    let work = df("base-cc-emploi-pop-active-2021.csv");
    assert_eq!(value(&work, c("active_by_age", "all", (Some(15), Some(24)))), Some(Some(390.0)));
    assert_eq!(value(&work, c("unemployed_by_age", "all", (Some(15), Some(24)))), Some(Some(95.0)));
    assert_eq!(value(&work, c("active_15_64", "F", (Some(15), Some(64)))), Some(Some(1880.0)));
    assert_eq!(value(&work, c("unemployed_15_64", "all", (Some(15), Some(64)))), Some(Some(520.0)));
    assert_eq!(value(&work, c("population", "all", (Some(55), Some(64)))), Some(Some(1150.0)));
    assert_eq!(value(&work, c("active_15_64_cs6", "all", (Some(15), Some(64)))), Some(Some(610.0)));
}

/// The census bases feed the catalogue's social indicators: the four hand-made bases ingested
/// together, `diagnose --data` on a territory of their two communes; each value recomputed
/// here from the files' columns summed over both communes.
#[test]
fn census_bases_feed_the_social_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        "base-cc-logement-2021.csv",
        "base-cc-couples-familles-menages-2021.csv",
        "base-cc-diplomes-formation-2021.csv",
        "base-cc-emploi-pop-active-2021.csv",
    ];
    let data_dir = dir.path().join("data");
    let mut args = vec!["ingest".to_owned()];
    args.extend(files.iter().map(|f| data(&format!("ingest/{f}")).to_str().unwrap().to_owned()));
    args.extend(["--out".to_owned(), data_dir.to_str().unwrap().to_owned()]);
    let o = diagsante().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Σ of a column over the two communes, wherever it is.
    let mut sums = std::collections::HashMap::<String, f64>::new();
    for f in files {
        let records = crate::csv_records(&std::fs::read_to_string(data(&format!("ingest/{f}"))).unwrap(), ';');
        for row in &records[1..] {
            for (name, v) in records[0].iter().zip(row) {
                if let Ok(x) = v.parse::<f64>() {
                    *sums.entry(name.clone()).or_default() += x;
                }
            }
        }
    }
    let sum = |c: &str| sums[c];
    let d = diagnose_territory_file(dir.path(), "name = \"Deux communes\"\nkind = \"custom\"\ncommunes = [\"30003\", \"30006\"]\n", &data_dir);
    let value = |id: &str| {
        let row = d["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"));
        row["value"].as_f64().unwrap_or_else(|| panic!("{id}: {row}"))
    };
    let expected = [
        ("chomage_15_24", 100.0 * sum("P21_CHOM1524") / sum("P21_ACT1524")),
        ("chomage_25_54", 100.0 * sum("P21_CHOM2554") / sum("P21_ACT2554")),
        ("chomage_55_64", 100.0 * sum("P21_CHOM5564") / sum("P21_ACT5564")),
        ("chomage_femmes_15_64", 100.0 * sum("P21_FCHOM1564") / sum("P21_FACT1564")),
        ("chomage_hommes_15_64", 100.0 * sum("P21_HCHOM1564") / sum("P21_HACT1564")),
        ("rapport_ouvriers_cadres", sum("C21_ACTOCC1564_CS6") / sum("C21_ACTOCC1564_CS3")),
        ("part_sans_diplome", 100.0 * sum("P21_NSCOL15P_DIPLMIN") / sum("P21_NSCOL15P")),
        ("part_bac_2", 100.0 * sum("P21_NSCOL15P_SUP2") / sum("P21_NSCOL15P")),
        ("part_bac_5", 100.0 * sum("P21_NSCOL15P_SUP5") / sum("P21_NSCOL15P")),
        ("part_familles_monoparentales", 100.0 * sum("C21_FAMMONO") / sum("C21_FAM")),
        ("part_80_plus_seuls", 100.0 * sum("P21_POP80P_PSEUL") / sum("P21_POPMEN80P")),
        ("part_proprietaires", 100.0 * sum("P21_RP_PROP") / sum("P21_RP")),
        ("part_hlm", 100.0 * sum("P21_RP_LOCHLMV") / sum("P21_RP")),
        ("part_logements_vacants", 100.0 * sum("P21_LOGVAC") / sum("P21_LOG")),
        ("part_menages_voiture", 100.0 * sum("P21_RP_VOIT1P") / sum("P21_RP")),
        ("part_logements_avant_1946", 100.0 * (sum("P21_RP_ACH19") + sum("P21_RP_ACH45")) / sum("P21_RP_ACHTOT")),
        ("part_logements_sans_salle_de_bain", 100.0 * (sum("P21_RP") - sum("P21_RP_SDB")) / sum("P21_RP")),
        ("part_actifs_travaillant_commune", 100.0 * sum("P21_ACTOCC15P_ILT1") / sum("P21_ACTOCC15P")),
    ];
    for (id, want) in expected {
        assert!((value(id) - want).abs() < 1e-9 * want.abs().max(1.0), "{id}: {} != {want}", value(id));
    }
}
