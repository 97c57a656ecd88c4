//! Travel times between communes: a commune × commune matrix the user gives (`origin,
//! destination, minutes`, as INSEE's Metric computes them for DREES), or an estimate from the
//! communes' centroids: great-circle distance × a road detour factor ÷ a speed.
//!
//! The estimate's defaults (see the README's APL section): a detour factor of 1.3 (road
//! distance over straight-line distance; studies of road circuity find about 1.2 to 1.4, e.g.
//! Ballou, Rahardja & Sakai, *Transportation Research Part A* 36, 2002; Boscoe, Henry & Zdeb,
//! *The Professional Geographer* 64(2), 2012) and 60 km/h (an off-peak car trip between
//! neighbouring communes mixes departmental roads limited to 80 km/h and village crossings at
//! 50). Each commune is 0 minutes from itself, as in DREES's matrix.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{Network, CUTOFF_MINUTES};

/// Mean Earth radius (km, IUGG).
const EARTH_KM: f64 = 6371.0088;

/// The estimate's assumptions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Road distance over great-circle distance.
    pub detour: f64,
    pub speed_kmh: f64,
}

impl Default for Estimate {
    fn default() -> Estimate {
        Estimate { detour: 1.3, speed_kmh: 60.0 }
    }
}

/// Great-circle distance in km between two (latitude, longitude) points in degrees
/// (haversine).
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let (dp, dl) = (p2 - p1, (b.1 - a.1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

impl Estimate {
    pub fn minutes(&self, a: (f64, f64), b: (f64, f64)) -> f64 {
        great_circle_km(a, b) * self.detour / self.speed_kmh * 60.0
    }

    /// The network of communes at `points` (None: no coordinates, reaching only itself):
    /// each commune looks only at the cells of a grid around it, cells as wide as the
    /// straight-line distance the cut-off allows.
    pub fn network(&self, points: &[Option<(f64, f64)>]) -> Network {
        let reach_km = CUTOFF_MINUTES / 60.0 * self.speed_kmh / self.detour;
        // Cell size in degrees: latitude exactly; longitude at 60° of latitude, wider than
        // needed everywhere in France (metropolitan France stops at 51.1° N).
        let cell_lat = (reach_km / EARTH_KM).to_degrees();
        let cell_lng = cell_lat / 60f64.to_radians().cos();
        let cell = |p: (f64, f64)| ((p.0 / cell_lat).floor() as i64, (p.1 / cell_lng).floor() as i64);
        let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for (i, p) in points.iter().enumerate() {
            if let Some(p) = p {
                grid.entry(cell(*p)).or_default().push(i as u32);
            }
        }
        let lists: Vec<Vec<(u32, f64)>> = points
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let Some(p) = p else { return vec![(i as u32, 0.0)] };
                let (cy, cx) = cell(*p);
                let mut out = Vec::new();
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        for &j in grid.get(&(cy + dy, cx + dx)).map_or(&[][..], Vec::as_slice) {
                            let m = if j as usize == i { 0.0 } else { self.minutes(*p, points[j as usize].unwrap_or(*p)) };
                            if m <= CUTOFF_MINUTES {
                                out.push((j, m));
                            }
                        }
                    }
                }
                out.sort_by_key(|(j, _)| *j);
                out
            })
            .collect();
        Network::from_lists(lists)
    }
}

/// The network from a time matrix: `(origin index, destination index, minutes)` rows; a
/// commune missing from its own rows is added at 0 minutes.
pub fn network_of_times(n: usize, rows: impl IntoIterator<Item = (usize, usize, f64)>) -> Network {
    let mut lists: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (o, d, m) in rows {
        if o < n && d < n && m <= CUTOFF_MINUTES {
            lists[o].push((d as u32, m));
        }
    }
    for (i, list) in lists.iter_mut().enumerate() {
        if !list.iter().any(|(j, _)| *j as usize == i) {
            list.push((i as u32, 0.0));
        }
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        list.dedup_by_key(|(j, _)| *j);
    }
    Network::from_lists(lists)
}

/// The network from a time matrix file (CSV or XLSX): an origin commune, a destination
/// commune and minutes per row (columns `origine`/`origin`, `destination`, `minutes`/`duree`/
/// `temps`). Pairs beyond the cut-off may be left out; communes not in `index` are skipped.
pub fn read_times(path: &std::path::Path, index: &HashMap<&str, usize>) -> crate::Result<Network> {
    use crate::error::{Error, Location};
    let table = crate::ingest::TextTable::read(path, crate::ingest::Encoding::Auto)?;
    let o = table.require_column("origin commune", &["origine", "origin", "commune_origine", "code_origine", "from", "depart", "départ"])?;
    let d = table.require_column("destination commune", &["destination", "commune_destination", "code_destination", "to", "arrivee", "arrivée"])?;
    let m = table.require_column("minutes", &["minutes", "duree", "durée", "temps", "duree_minutes", "time"])?;
    let (origins, destinations, minutes) = (table.texts(&o)?, table.texts(&d)?, table.numbers(&m)?);
    let code = |raw: &str| crate::geo::canonical_code(raw).and_then(|c| index.get(c.as_str()).copied());
    let mut rows = Vec::with_capacity(table.height());
    for row in 0..table.height() {
        let Some(t) = minutes[row].value() else { continue };
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::input(
                Location::file(&table.file).at(table.line_of(row), m.as_str()),
                format!("{t} minutes"),
                "give times in minutes, ≥ 0",
            ));
        }
        if let (Some(a), Some(b)) = (code(&origins[row]), code(&destinations[row])) {
            rows.push((a, b, t));
        }
    }
    Ok(network_of_times(index.len().max(index.values().max().map_or(0, |m| m + 1)), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_distance_of_known_points() {
        // Paris (48.8566, 2.3522) – Lyon (45.7640, 4.8357): about 392 km as the crow flies.
        let d = great_circle_km((48.8566, 2.3522), (45.7640, 4.8357));
        assert!((d - 392.0).abs() < 2.0, "{d}");
        // One degree of latitude: 111.2 km.
        assert!((great_circle_km((45.0, 3.0), (46.0, 3.0)) - 111.19).abs() < 0.05);
    }

    #[test]
    fn the_estimate_keeps_the_communes_within_twenty_minutes_and_itself() {
        let e = Estimate::default();
        // 0.1° of latitude = 11.12 km → × 1.3 / 60 km/h = 14.45 minutes; 0.2° = 28.9 minutes.
        assert!((e.minutes((45.0, 3.0), (45.1, 3.0)) - 14.455).abs() < 0.01);
        let points = [Some((45.0, 3.0)), Some((45.1, 3.0)), Some((45.2, 3.0)), None];
        let net = e.network(&points);
        let reach = |i| net.reach(i).collect::<Vec<_>>();
        assert_eq!(reach(0), vec![(0, 1.0), (1, 2.0 / 3.0)]);
        assert_eq!(reach(1), vec![(0, 2.0 / 3.0), (1, 1.0), (2, 2.0 / 3.0)]);
        assert_eq!(reach(3), vec![(3, 1.0)], "a commune without coordinates reaches only itself");
    }

    #[test]
    fn the_grid_misses_no_neighbour() {
        // Every pair within the cut-off found by brute force is in the network, on a
        // lattice of points spaced 0.03° that crosses cell boundaries.
        let e = Estimate::default();
        let points: Vec<Option<(f64, f64)>> =
            (0..20).flat_map(|a| (0..20).map(move |b| Some((43.0 + 0.03 * a as f64, 1.0 + 0.041 * b as f64)))).collect();
        let net = e.network(&points);
        let mut brute = 0;
        for (i, p) in points.iter().enumerate() {
            for q in &points {
                if e.minutes(p.unwrap(), q.unwrap()) <= CUTOFF_MINUTES {
                    brute += 1;
                }
            }
            assert!(net.reach(i).any(|(j, w)| j == i && w == 1.0));
        }
        assert_eq!(net.pairs(), brute);
    }

    #[test]
    fn a_time_file_is_read_by_its_columns() {
        let dir = std::env::temp_dir().join(format!("diagsante-times-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("temps.csv");
        std::fs::write(&file, "origine;destination;minutes\n30003;30133;12,5\n30133;30003;12,5\n30003;99999;3\n").unwrap();
        let index: HashMap<&str, usize> = [("30003", 0), ("30133", 1)].into_iter().collect();
        let net = read_times(&file, &index).unwrap();
        assert_eq!(net.reach(0).collect::<Vec<_>>(), vec![(0, 1.0), (1, 2.0 / 3.0)]);
        std::fs::write(&file, "origine;destination;minutes\n30003;30133;-4\n").unwrap();
        assert!(read_times(&file, &index).unwrap_err().to_string().contains("-4 minutes"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_matrix_adds_each_commune_to_itself() {
        let net = network_of_times(3, [(0, 1, 12.0), (1, 0, 12.0), (1, 1, 0.0), (2, 0, 25.0)]);
        assert_eq!(net.reach(0).collect::<Vec<_>>(), vec![(0, 1.0), (1, 2.0 / 3.0)]);
        assert_eq!(net.reach(2).collect::<Vec<_>>(), vec![(2, 1.0)]);
    }
}
