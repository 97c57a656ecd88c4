//! The communes' centroids (COG 2024, from INSEE's comparateur de territoires 2024 via
//! datas.fun; see `data/README.md`), embedded as `data/geo/coordinates.csv` and written by
//! `scripts/embed-coordinates.sh`: one row `code;lat;lng` per commune code, sorted by code.

use std::collections::HashMap;
use std::sync::OnceLock;

const COORDINATES: &str = include_str!("../../data/geo/coordinates.csv");

/// The embedded centroids, parsed once. A malformed row is skipped (the converter writes
/// none; a test reads every row).
fn table() -> &'static HashMap<&'static str, (f64, f64)> {
    static TABLE: OnceLock<HashMap<&'static str, (f64, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| COORDINATES.lines().skip(1).filter_map(parse).collect())
}

fn parse(line: &'static str) -> Option<(&'static str, (f64, f64))> {
    let mut fields = line.split(';');
    let code = fields.next()?;
    let lat = fields.next()?.parse().ok()?;
    let lng = fields.next()?.parse().ok()?;
    Some((code, (lat, lng)))
}

/// The centroid (latitude, longitude in WGS 84 degrees) of the commune (or commune déléguée,
/// or municipal arrondissement) `code`, when the COG 2024 file gives one.
pub fn coordinates(code: &str) -> Option<(f64, f64)> {
    table().get(code).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_commune_has_its_centroid_and_a_missing_one_none() {
        // Aigues-Mortes (30003): « 30003;43.54822;4.16057 » in data/geo/coordinates.csv.
        assert_eq!(coordinates("30003"), Some((43.54822, 4.16057)));
        // Paris, given by arrondissement only: their population-weighted centroid.
        let (lat, lng) = coordinates("75056").unwrap();
        assert!((48.8..48.9).contains(&lat) && (2.3..2.4).contains(&lng));
        // Hauts-Talican (60694) has no coordinates in the source file; 99999 is no commune.
        assert_eq!(coordinates("60694"), None);
        assert_eq!(coordinates("99999"), None);
    }

    #[test]
    fn every_row_parses_once_and_in_france_or_overseas() {
        let rows: Vec<&str> = COORDINATES.lines().skip(1).collect();
        assert_eq!(table().len(), rows.len(), "a row failed to parse or a code is repeated");
        for (code, (lat, lng)) in table() {
            assert!((-25.0..=52.0).contains(lat) && (-180.0..=180.0).contains(lng), "{code}: {lat}, {lng}");
        }
    }
}
