//! Commune contours for the report's maps (`--contours FILE`): GeoJSON (RFC 7946, `Polygon`
//! and `MultiPolygon` features) or TopoJSON (topojson-specification 1.0: shared `arcs`,
//! delta-encoded and quantised when the topology has a `transform`), keyed by the INSEE code
//! of each commune — IGN's Admin Express COG (`INSEE_COM`), or the `code` of
//! france-geojson, or any property whose values are commune codes.
//!
//! Codes are resolved by the referential as every commune code entering diagsante
//! ([`Referential::resolve`]): a former commune's code (a file older than the mergers since)
//! goes to its current commune, whose features are then drawn as one shape; codes it does not
//! know are kept for the report's methods.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Location, Result};
use crate::geo::Referential;

/// A ring of (longitude, latitude) points, closed or not.
pub type Ring = Vec<(f64, f64)>;
/// An outer ring and its holes.
pub type Polygon = Vec<Ring>;

/// The properties tried first for the commune code, in this order (any other property whose
/// values are commune codes is accepted after them).
const KEYS: [&str; 8] = ["code", "INSEE_COM", "insee", "codgeo", "CODGEO", "code_insee", "INSEE", "com"];

/// A contours file read and matched to the referential.
#[derive(Debug, Clone)]
pub struct Contours {
    /// The file's name, as the report cites it.
    pub file: String,
    /// The property read as the commune code.
    pub key: String,
    /// Features read.
    pub features: usize,
    /// Each current commune's polygons (every feature resolving to it).
    shapes: BTreeMap<String, Vec<Polygon>>,
    /// (code in the file, current commune) of former codes and communes déléguées remapped.
    pub remapped: Vec<(String, String)>,
    /// Codes of the file the referential does not know.
    pub unmatched: Vec<String>,
}

/// The contours embedded in diagsante (`data/geo/contours.geojson`, written by
/// `scripts/embed-contours.sh`): the communes of the Charente-Maritime, the Gard and the Vienne
/// (IGN's Admin Express COG 2018, simplified, via france-geojson; Licence Ouverte), where four
/// of the five shipped territories lie.
const EMBEDDED: &str = include_str!("../../data/geo/contours.geojson");

/// How the report cites the embedded contours.
const EMBEDDED_NAME: &str =
    "IGN, Admin Express COG 2018 simplifié (france-geojson), communes de la Charente-Maritime, du Gard et de la Vienne, intégrées à diagsante";

impl Contours {
    /// The embedded contours when they draw every commune of `t` (the default of its maps,
    /// where no `--contours` is given), else `None`: its maps are then circles.
    pub fn embedded_for(t: &crate::geo::Territory, r: &Referential) -> Result<Option<Contours>> {
        let c = Contours::parse(EMBEDDED, "data/geo/contours.geojson", EMBEDDED_NAME, r)?;
        Ok(t.units.iter().all(|u| c.shapes.contains_key(u)).then_some(c))
    }

    /// Read a GeoJSON or TopoJSON file of communes.
    pub fn read(path: &Path, r: &Referential) -> Result<Contours> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Contours::parse(&text, &path.display().to_string(), &name, r)
    }

    /// Parse the text of a contours file; `file` names it in errors, `name` in the report.
    pub fn parse(text: &str, file: &str, name: &str, r: &Referential) -> Result<Contours> {
        let bad = |what: String| {
            Error::input(
                Location::file(file),
                what,
                "give --contours a GeoJSON (FeatureCollection of Polygon/MultiPolygon) or TopoJSON file of communes with their INSEE code, \
                 such as IGN's Admin Express COG communes exported as GeoJSON",
            )
        };
        let json: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let features = match json.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => geojson_features(&json).map_err(bad)?,
            Some("Topology") => topojson_features(&json).map_err(bad)?,
            other => return Err(bad(format!("a JSON of type {other:?}, neither a GeoJSON FeatureCollection nor a TopoJSON Topology"))),
        };
        if features.is_empty() {
            return Err(bad("no Polygon or MultiPolygon feature".into()));
        }
        // Admin Express is published in Lambert-93 (metres): its GeoJSON must be reprojected.
        let degrees = |&(x, y): &(f64, f64)| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y);
        if let Some(p) = features.iter().flat_map(|f| f.1.iter().flatten().flatten()).find(|p| !degrees(p)) {
            return Err(Error::input(
                Location::file(file),
                format!(
                    "a position ({}, {}) that is not a longitude and latitude in degrees (the file is in another projection, such as Lambert-93)",
                    p.0, p.1
                ),
                "reproject the contours to WGS 84 longitude and latitude, e.g. `ogr2ogr -f GeoJSON -t_srs EPSG:4326 communes.geojson COMMUNE.shp`",
            ));
        }
        let key =
            code_property(&features, r).ok_or_else(|| bad("no property whose values are commune codes (INSEE_COM, code, insee, codgeo…)".into()))?;
        let mut shapes: BTreeMap<String, Vec<Polygon>> = BTreeMap::new();
        let (mut remapped, mut unmatched) = (Vec::new(), Vec::new());
        for (properties, polygons) in &features {
            let raw = property_text(properties.get(&key)).unwrap_or_default();
            match r.resolve(&raw) {
                Ok(resolved) => {
                    if let Some(m) = &resolved.remap {
                        remapped.push((m.from.clone(), resolved.code.clone()));
                    }
                    shapes.entry(resolved.code).or_default().extend(polygons.iter().cloned());
                }
                Err(_) => unmatched.push(if raw.is_empty() { "(sans code)".to_owned() } else { raw }),
            }
        }
        remapped.sort();
        unmatched.sort();
        unmatched.dedup();
        Ok(Contours { file: name.to_owned(), key, features: features.len(), shapes, remapped, unmatched })
    }

    /// The polygons of a current commune (or arrondissement), if the file has it.
    pub fn shape(&self, code: &str) -> Option<&[Polygon]> {
        self.shapes.get(code).map(Vec::as_slice)
    }
}

/// A feature: its properties and its polygons.
type Feature = (serde_json::Map<String, Value>, Vec<Polygon>);

/// A property's value as text (a number too: some exports write codes as numbers).
fn property_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The property holding the commune code: the one whose values the referential resolves for
/// the most features (at least half of them), the usual names first on a tie.
fn code_property(features: &[Feature], r: &Referential) -> Option<String> {
    let mut names: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
    for (p, _) in features.iter().take(50) {
        for k in p.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let resolved = |k: &str| features.iter().filter(|(p, _)| property_text(p.get(k)).is_some_and(|v| r.resolve(&v).is_ok())).count();
    let mut best: Option<(String, usize)> = None;
    for name in names {
        let n = resolved(&name);
        if n > best.as_ref().map_or(0, |b| b.1) {
            best = Some((name, n));
        }
    }
    best.filter(|(_, n)| 2 * n >= features.len()).map(|(name, _)| name)
}

fn point(v: &Value) -> std::result::Result<(f64, f64), String> {
    match v.as_array().map(Vec::as_slice) {
        Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok((x, y)),
            _ => Err(format!("a position that is not two numbers: {v}")),
        },
        _ => Err(format!("a position that is not [longitude, latitude]: {v}")),
    }
}

fn array<'a>(v: &'a Value, what: &str) -> std::result::Result<&'a Vec<Value>, String> {
    v.as_array().ok_or_else(|| format!("{what} is not an array"))
}

/// A GeoJSON Polygon's coordinates.
fn geojson_polygon(v: &Value) -> std::result::Result<Polygon, String> {
    array(v, "a Polygon's coordinates")?.iter().map(|ring| array(ring, "a ring")?.iter().map(point).collect()).collect()
}

/// The Polygon and MultiPolygon features of a GeoJSON FeatureCollection (others skipped).
fn geojson_features(json: &Value) -> std::result::Result<Vec<Feature>, String> {
    let mut out = Vec::new();
    for (n, f) in array(json.get("features").unwrap_or(&Value::Null), "«features»")?.iter().enumerate() {
        let properties = f.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let Some(g) = f.get("geometry").filter(|g| !g.is_null()) else { continue };
        let coordinates = g.get("coordinates").unwrap_or(&Value::Null);
        let polygons = match g.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![geojson_polygon(coordinates).map_err(|e| format!("feature {}: {e}", n + 1))?],
            Some("MultiPolygon") => array(coordinates, "a MultiPolygon's coordinates")?
                .iter()
                .map(geojson_polygon)
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| format!("feature {}: {e}", n + 1))?,
            _ => continue,
        };
        out.push((properties, polygons));
    }
    Ok(out)
}

/// The Polygon and MultiPolygon geometries of every object of a TopoJSON Topology, their
/// arcs decoded: with a `transform`, each arc's positions after the first are deltas of
/// quantised integers, scaled and translated; an arc index `i < 0` is arc `!i` reversed.
fn topojson_features(json: &Value) -> std::result::Result<Vec<Feature>, String> {
    let transform = match json.get("transform") {
        Some(t) => {
            let pair = |k: &str| point(t.get(k).unwrap_or(&Value::Null)).map_err(|e| format!("transform «{k}»: {e}"));
            Some((pair("scale")?, pair("translate")?))
        }
        None => None,
    };
    let arcs: Vec<Vec<(f64, f64)>> = array(json.get("arcs").unwrap_or(&Value::Null), "«arcs»")?
        .iter()
        .map(|arc| {
            let mut out = Vec::new();
            let (mut x, mut y) = (0.0, 0.0);
            for p in array(arc, "an arc")? {
                let (a, b) = point(p)?;
                out.push(match transform {
                    Some(((sx, sy), (tx, ty))) => {
                        (x, y) = (x + a, y + b);
                        (x * sx + tx, y * sy + ty)
                    }
                    None => (a, b),
                });
            }
            Ok(out)
        })
        .collect::<std::result::Result<_, String>>()?;
    let ring = |indices: &Value| -> std::result::Result<Ring, String> {
        let mut out: Ring = Vec::new();
        for i in array(indices, "a ring's arcs")? {
            let i = i.as_i64().ok_or_else(|| format!("an arc index that is not an integer: {i}"))?;
            let (k, reversed) = if i < 0 { (!i, true) } else { (i, false) };
            let arc = usize::try_from(k).ok().and_then(|k| arcs.get(k)).ok_or_else(|| format!("arc {i} is not in «arcs»"))?;
            let points: Vec<(f64, f64)> = if reversed { arc.iter().rev().copied().collect() } else { arc.clone() };
            // Each arc after the first starts where the previous ended.
            let skip = usize::from(!out.is_empty());
            out.extend(points.into_iter().skip(skip));
        }
        Ok(out)
    };
    let polygon = |v: &Value| -> std::result::Result<Polygon, String> { array(v, "a Polygon's arcs")?.iter().map(ring).collect() };
    let mut out = Vec::new();
    let objects = json.get("objects").and_then(Value::as_object).ok_or("no «objects»")?;
    for object in objects.values() {
        let geometries: Vec<&Value> = match object.get("type").and_then(Value::as_str) {
            Some("GeometryCollection") => array(object.get("geometries").unwrap_or(&Value::Null), "«geometries»")?.iter().collect(),
            _ => vec![object],
        };
        for g in geometries {
            let properties = g.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            let arcs = g.get("arcs").unwrap_or(&Value::Null);
            let polygons = match g.get("type").and_then(Value::as_str) {
                Some("Polygon") => vec![polygon(arcs)?],
                Some("MultiPolygon") => array(arcs, "a MultiPolygon's arcs")?.iter().map(polygon).collect::<std::result::Result<_, _>>()?,
                _ => continue,
            };
            out.push((properties, polygons));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded contours: every 2018 code of the three départements resolves, and they draw
    /// the four shipped territories there, not the Mauges (Maine-et-Loire).
    #[test]
    fn the_embedded_contours_draw_the_shipped_territories_of_their_departements() {
        let r = Referential::embedded().unwrap();
        let c = Contours::parse(EMBEDDED, "e", EMBEDDED_NAME, &r).unwrap();
        // 466 + 353 + 274 features of 2018 (scripts/embed-contours.sh prints 1093).
        assert_eq!(c.features, 1093);
        assert!(c.unmatched.is_empty(), "{:?}", c.unmatched);
        assert!(!c.remapped.is_empty(), "communes merged since 2018");
        let mut drawn = Vec::new();
        for (id, _) in crate::geo::perimeter::SHIPPED {
            let t = crate::geo::Territory::find(id, &r).unwrap();
            if Contours::embedded_for(&t, &r).unwrap().is_some() {
                drawn.push(*id);
            }
        }
        assert_eq!(drawn, ["cpts-camargue-gardoise", "cpts-alienor-o-poitou", "cls-rochefort-ocean", "cls-aunis-atlantique"]);
    }

    fn referential() -> Referential {
        Referential::embedded().unwrap()
    }

    /// A square feature of side 0.01° at (x, y) with property `key` = `code`.
    fn square(key: &str, code: &str, x: f64, y: f64) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"{key}":"{code}","nom":"x"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{a},{y}],[{a},{b}],[{x},{b}],[{x},{y}]]]}}}}"#,
            a = x + 0.01,
            b = y + 0.01
        )
    }

    #[test]
    fn geojson_polygons_and_multipolygons_keyed_by_the_property_holding_commune_codes() {
        // Aigues-Mortes (30003) as a Polygon, Le Grau-du-Roi (30133) as a MultiPolygon of two
        // squares; the postal code is a property too, but its values are not commune codes.
        let multi = r#"{"type":"Feature","properties":{"cp":"30240","INSEE_COM":"30133"},"geometry":{"type":"MultiPolygon","coordinates":[[[[4.1,43.5],[4.11,43.5],[4.11,43.51],[4.1,43.5]]],[[[4.2,43.5],[4.21,43.5],[4.21,43.51],[4.2,43.5]]]]}}"#;
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{},{multi},{{"type":"Feature","properties":{{"INSEE_COM":"30003"}},"geometry":null}}]}}"#,
            square("INSEE_COM", "30003", 4.0, 43.5)
        );
        let c = Contours::parse(&text, "t.geojson", "t.geojson", &referential()).unwrap();
        assert_eq!(c.key, "INSEE_COM");
        assert_eq!(c.features, 2, "the feature without geometry is skipped");
        assert_eq!(c.shape("30003").unwrap().len(), 1);
        assert_eq!(c.shape("30133").unwrap().len(), 2);
        assert_eq!(c.shape("30003").unwrap()[0][0][2], (4.01, 43.51));
        assert!(c.unmatched.is_empty() && c.remapped.is_empty());
    }

    #[test]
    fn former_codes_go_to_their_current_commune_and_unknown_codes_are_listed() {
        // A former code of Vienne (any of the referential's), the current commune it
        // resolves to, and a code that never existed.
        let r = referential();
        let (former, alias) = r.aliases().find(|(c, a)| c.starts_with("86") && a.kind == crate::geo::referential::AliasKind::Former).unwrap();
        let current = alias.current.clone();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
            square("code", former, 0.3, 46.5),
            square("code", &current, 0.31, 46.5),
            square("code", "86999", 0.5, 46.5)
        );
        let c = Contours::parse(&text, "t.geojson", "t.geojson", &r).unwrap();
        assert_eq!(c.key, "code");
        assert_eq!(c.shape(&current).unwrap().len(), 2, "the former commune's square joins its current commune");
        assert!(c.shape(former).is_none());
        assert_eq!(c.remapped, vec![(former.to_owned(), current.clone())]);
        assert_eq!(c.unmatched, vec!["86999".to_owned()]);
    }

    #[test]
    fn topojson_arcs_are_decoded_from_quantised_deltas_and_reversed_when_negative() {
        // Two unit squares sharing the arc 0 (x = 1): scale 0.5, translate (4, 43). Arc 0 goes
        // from quantised (2, 0) up to (2, 2); arc 1 from (2, 2) round the left square back to
        // (2, 0); arc 2 from (2, 0) round the right square to (2, 2). The left square is
        // [0, 1], the right one [~0] + [2] (arc 0 reversed).
        let text = r#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[4,43]},
            "arcs":[[[2,0],[0,2]],[[2,2],[-2,0],[0,-2],[2,0]],[[2,0],[2,0],[0,2],[-2,0]]],
            "objects":{"communes":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","arcs":[[0,1]],"properties":{"insee":"30003"}},
              {"type":"MultiPolygon","arcs":[[[-1,2]]],"properties":{"insee":"30133"}}]}}}"#;
        let c = Contours::parse(text, "t.topojson", "t.topojson", &referential()).unwrap();
        assert_eq!(c.key, "insee");
        let left = &c.shape("30003").unwrap()[0][0];
        assert_eq!(left, &vec![(5.0, 43.0), (5.0, 44.0), (4.0, 44.0), (4.0, 43.0), (5.0, 43.0)]);
        let right = &c.shape("30133").unwrap()[0][0];
        assert_eq!(right, &vec![(5.0, 44.0), (5.0, 43.0), (6.0, 43.0), (6.0, 44.0), (5.0, 44.0)]);
    }

    #[test]
    fn a_bad_file_is_an_input_error_naming_it() {
        let r = referential();
        for text in [
            "not json",
            r#"{"type":"Feature"}"#,
            r#"{"type":"FeatureCollection","features":[]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"30003"},"geometry":{"type":"Polygon","coordinates":[[["a",0]]]}}]}"#,
            r#"{"type":"Topology","arcs":[],"objects":{"c":{"type":"Polygon","arcs":[[3]],"properties":{"code":"30003"}}}}"#,
            // Lambert-93 metres, not degrees.
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"30003"},"geometry":{"type":"Polygon","coordinates":[[[812000,6270000],[813000,6270000],[813000,6271000],[812000,6270000]]]}}]}"#,
        ] {
            let e = Contours::parse(text, "bad.geojson", "bad.geojson", &r).unwrap_err();
            assert!(matches!(e, Error::Input(_)), "{text}: {e}");
            assert!(e.to_string().contains("bad.geojson"), "{e}");
        }
    }

    #[test]
    fn the_real_2018_contours_of_vienne_map_their_merged_communes_to_the_current_ones() {
        let Some(path) = crate::ingest::realdata("geo/contours/communes-86-vienne.geojson") else { return };
        let r = referential();
        let c = Contours::read(&path, &r).unwrap();
        assert_eq!(c.key, "code");
        // 274 features of 2018 (see ../shared/realdata/README.md), 265 current communes there.
        assert_eq!(c.features, 274);
        let current: Vec<&str> = r.communes().filter(|u| u.departement == "86").map(|u| u.code.as_str()).collect();
        assert_eq!(current.len(), 265);
        assert!(current.iter().all(|code| c.shape(code).is_some()), "every current commune of Vienne has a shape");
        assert_eq!(c.shapes.len(), 265);
        assert_eq!(c.remapped.len(), 274 - 265, "{:?}", c.remapped);
        assert!(c.unmatched.is_empty(), "{:?}", c.unmatched);
    }
}
