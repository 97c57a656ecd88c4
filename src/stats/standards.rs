//! Standard populations for direct standardisation, in 19 five-year age bands
//! 0-4, 5-9, …, 85-89, 90+.

/// Start ages of the 19 bands of the standard populations (the last is 90+).
pub const STANDARD_BAND_STARTS: [u32; 19] = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90];

/// The 2013 European Standard Population (ESP 2013), 19 bands 0-4 … 90+, summing
/// to 100 000.
///
/// Source: Eurostat. *Revision of the European Standard Population — Report of
/// Eurostat's task force*. Methodologies and Working papers, 2013 edition
/// (Luxembourg: Publications Office of the EU), with 90-94 (800) and 95+ (200)
/// merged into one 90+ band;
/// as `esp2013` in PHEindicatormethods.
pub const ESP2013: [f64; 19] = [
    5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0,
    1000.0,
];

/// The population of France (metropolitan France and the five overseas
/// departments, 101 departments), both sexes, on 1 January 2023, in the 19 bands
/// 0-4 … 85-89, 90+ (the published 90-94 and 95+ merged); total 68 042 591.
///
/// Source: INSEE, *Estimation de population au 1er janvier 2023, par département,
/// sexe et âge quinquennal* (résultats provisoires arrêtés fin 2022), Licence
/// Ouverte / Open Licence Etalab; summed over departments and sexes from the file
/// `shared/realdata/population/insee_estim_pop_dep_sexe_aq_2023_long.csv` (the
/// test `france_2023_matches_the_insee_file` recomputes it).
pub const FRANCE_2023: [f64; 19] = [
    3_528_519.0,
    3_963_628.0,
    4_283_679.0,
    4_243_962.0,
    3_974_246.0,
    3_718_567.0,
    4_041_269.0,
    4_179_961.0,
    4_294_724.0,
    4_210_764.0,
    4_500_572.0,
    4_440_273.0,
    4_198_598.0,
    3_908_807.0,
    3_705_258.0,
    2_754_934.0,
    1_805_432.0,
    1_352_198.0,
    937_200.0,
];

/// A built-in standard population by name, case-insensitive: "esp2013" or "france"
/// (France 2023). `None` for any other name.
///
/// Source: [`ESP2013`] and [`FRANCE_2023`].
pub fn standard_by_name(name: &str) -> Option<&'static [f64; 19]> {
    match name.trim().to_ascii_lowercase().as_str() {
        "esp2013" => Some(&ESP2013),
        "france" => Some(&FRANCE_2023),
        _ => None,
    }
}

/// The index (0…18) of the standard band starting at `start_age`, if it is one of
/// [`STANDARD_BAND_STARTS`].
///
/// Source: the band layout of [`ESP2013`].
pub fn band_index(start_age: u32) -> Option<usize> {
    STANDARD_BAND_STARTS.iter().position(|&s| s == start_age)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    #[test]
    fn esp2013_sums_to_100000() {
        assert_eq!(ESP2013.iter().sum::<f64>(), 100_000.0);
        assert_eq!(ESP2013[0], 5000.0);
        assert_eq!(ESP2013[18], 1000.0);
    }

    #[test]
    fn france_2023_total() {
        assert_eq!(FRANCE_2023.iter().sum::<f64>(), 68_042_591.0);
    }

    #[test]
    fn lookups() {
        assert_eq!(standard_by_name("ESP2013"), Some(&ESP2013));
        assert_eq!(standard_by_name("esp2013"), Some(&ESP2013));
        assert_eq!(standard_by_name("France"), Some(&FRANCE_2023));
        assert_eq!(standard_by_name("who"), None);
        assert_eq!(band_index(0), Some(0));
        assert_eq!(band_index(45), Some(9));
        assert_eq!(band_index(90), Some(18));
        assert_eq!(band_index(1), None);
        assert_eq!(band_index(95), None);
    }

    /// The realdata folder: `$DIAGSANTE_REALDATA`, else `../shared/realdata` beside
    /// the crate.
    fn realdata() -> PathBuf {
        match std::env::var_os("DIAGSANTE_REALDATA") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"),
        }
    }

    #[test]
    fn france_2023_matches_the_insee_file() {
        let path = realdata().join("population/insee_estim_pop_dep_sexe_aq_2023_long.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipped: ../shared/realdata absent ({} not found; set DIAGSANTE_REALDATA)", path.display());
            return;
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        assert_eq!(header.trim(), "dep_code,dep_name,sex,age_min,age_max,population");
        let mut sums = [0.0_f64; 19];
        let mut rows = 0;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            // Read from the right: a department name could contain a comma.
            let fields: Vec<&str> = line.rsplitn(4, ',').collect();
            let population: f64 = fields[0].trim().parse().expect("population");
            let age_min: u32 = fields[2].trim().parse().expect("age_min");
            let band = band_index(age_min.min(90)).expect("five-year band");
            sums[band] += population;
            rows += 1;
        }
        // 101 departments × 2 sexes × 20 bands.
        assert_eq!(rows, 4040);
        assert_eq!(sums, FRANCE_2023);
    }
}
