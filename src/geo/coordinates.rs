//! The communes' centroids (COG 2024, from INSEE's comparateur de territoires 2024 via
//! datas.fun; see `data/README.md`), embedded as `data/geo/coordinates.csv` and written by
//! `scripts/embed-coordinates.sh`: one row `code;lat;lng;population` per commune code (the
//! population of 2021, empty when the file has none), sorted by code.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::referential::{AliasKind, Referential};

const COORDINATES: &str = include_str!("../../data/geo/coordinates.csv");

/// The embedded centroids, parsed once. A malformed row is skipped (the converter writes
/// none; a test reads every row).
fn table() -> &'static HashMap<&'static str, Row> {
    static TABLE: OnceLock<HashMap<&'static str, Row>> = OnceLock::new();
    TABLE.get_or_init(|| COORDINATES.lines().skip(1).filter_map(parse).collect())
}

/// A centroid and the population of 2021, if given.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    point: (f64, f64),
    population: Option<f64>,
}

fn parse(line: &'static str) -> Option<(&'static str, Row)> {
    let mut fields = line.split(';');
    let code = fields.next()?;
    let lat = fields.next()?.parse().ok()?;
    let lng = fields.next()?.parse().ok()?;
    let population = fields.next().and_then(|p| p.parse().ok());
    Some((code, Row { point: (lat, lng), population }))
}

/// The centroid (latitude, longitude in WGS 84 degrees) of the commune (or commune déléguée,
/// or municipal arrondissement) `code`, when the COG 2024 file gives one.
pub fn coordinates(code: &str) -> Option<(f64, f64)> {
    table().get(code).map(|r| r.point)
}

/// The centroid of every current commune of `r`: its own (COG 2024), or, for a commune
/// created since, the centroid of its former communes (former codes and communes déléguées of
/// the referential) weighted by their 2021 population (their plain mean when none has one).
/// Communes with neither are left out.
pub fn centroids(r: &Referential) -> HashMap<&str, (f64, f64)> {
    let mut parts: HashMap<&str, Vec<Row>> = HashMap::new();
    for (code, alias) in r.aliases() {
        if matches!(alias.kind, AliasKind::Former | AliasKind::Deleguee | AliasKind::Associee) {
            if let Some(row) = table().get(code) {
                parts.entry(alias.current.as_str()).or_default().push(*row);
            }
        }
    }
    r.communes()
        .filter_map(|u| {
            let code = u.code.as_str();
            coordinates(code).or_else(|| parts.get(code).and_then(|rows| weighted(rows))).map(|p| (code, p))
        })
        .collect()
}

/// The population-weighted centroid of `rows` (plain mean without populations), on the
/// plane of latitude and longitude (the parts of a commune are a few km apart).
fn weighted(rows: &[Row]) -> Option<(f64, f64)> {
    let total: f64 = rows.iter().filter_map(|r| r.population).sum();
    let w = |r: &Row| if total > 0.0 { r.population.unwrap_or(0.0) / total } else { 1.0 / rows.len() as f64 };
    (!rows.is_empty()).then(|| rows.iter().fold((0.0, 0.0), |(a, b), r| (a + w(r) * r.point.0, b + w(r) * r.point.1)))
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
    fn a_commune_created_since_2024_gets_its_former_communes_centroid() {
        let r = Referential::embedded().unwrap();
        let all = centroids(&r);
        // Orée d'Anjou (49126 in the referential) was 49069 in COG 2024, whose centroid is
        // « 49069;47.30425;-1.21350 »; its other former codes (49040, 49172…) have none.
        assert_eq!(all.get("49126"), Some(&(47.30425, -1.2135)));
        assert_eq!(coordinates("49126"), None);
        // 69114, whose former codes are 69159 (with a centroid) and 69101 (none).
        assert_eq!(all.get("69114"), coordinates("69159").as_ref());
        // In France, only communes whose COG 2024 file gives no coordinates for them nor for
        // their former communes are left out (the three rows of the file without coordinates,
        // and five Cantal and Eure codes it has no row for).
        let missing: Vec<&str> = r.communes().filter(|u| u.in_france() && !all.contains_key(u.code.as_str())).map(|u| u.code.as_str()).collect();
        assert_eq!(missing, ["15031", "15035", "15047", "15171", "27676", "60694", "85165", "85212"]);
    }

    #[test]
    fn parts_are_weighted_by_population() {
        let row = |lat, lng, population| Row { point: (lat, lng), population };
        // (45·100 + 46·300) / 400 = 45.75; (3·100 + 4·300) / 400 = 3.75.
        assert_eq!(weighted(&[row(45.0, 3.0, Some(100.0)), row(46.0, 4.0, Some(300.0))]), Some((45.75, 3.75)));
        assert_eq!(weighted(&[row(45.0, 3.0, None), row(46.0, 4.0, None)]), Some((45.5, 3.5)));
        assert_eq!(weighted(&[]), None);
    }
}
