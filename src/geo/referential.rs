//! The real French commune referential (COG via `@etalab/decoupage-administratif` 6.0.0),
//! embedded in the binary from `data/geo/*.parquet` so that every command works offline
//! and from any folder. `scripts/update-referential.sh` rebuilds those files.
//!
//! Geographic *units* are what facts are attached to: every current commune, and the
//! municipal arrondissements of Paris, Lyon and Marseille, which are units of their own
//! (CPTS in those cities are drawn by arrondissement) and sum up to their commune.
//! Communes déléguées/associées and former codes are *aliases* of a current commune.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use polars::prelude::*;

use crate::error::{Error, Result};

/// Name and version of the referential source, quoted in every output.
pub const SOURCE: &str = "Code officiel géographique (INSEE) via @etalab/decoupage-administratif 6.0.0, \
     populations légales en vigueur au 1er janvier 2026";

const COMMUNES: &[u8] = include_bytes!("../../data/geo/communes.parquet");
const FORMER_CODES: &[u8] = include_bytes!("../../data/geo/former_codes.parquet");
const EPCI: &[u8] = include_bytes!("../../data/geo/epci.parquet");
const DEPARTEMENTS: &[u8] = include_bytes!("../../data/geo/departements.parquet");
const REGIONS: &[u8] = include_bytes!("../../data/geo/regions.parquet");

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Commune,
    /// Municipal arrondissement of Paris, Lyon or Marseille.
    Arrondissement,
}

/// A commune or municipal arrondissement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// The current commune this unit belongs to (itself for a commune).
    pub commune: String,
    pub departement: String,
    pub region: String,
    pub epci: Option<String>,
    /// Population as shipped by the referential (municipal population); a few overseas
    /// collectivities have none.
    pub population: Option<u64>,
    /// `metro`, `drom` or `com` (overseas collectivities, outside "France" in statistics).
    pub zone: String,
}

impl Unit {
    /// Whether the unit counts in the France aggregate (metropolitan France and DROM,
    /// as INSEE's "France"; the overseas collectivities are outside it).
    pub fn in_france(&self) -> bool {
        self.zone != "com"
    }
}

/// Why a code that is not a current unit still resolves to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasKind {
    /// Commune déléguée of a commune nouvelle.
    Deleguee,
    /// Commune associée.
    Associee,
    /// Former code of a merged commune.
    Former,
}

impl AliasKind {
    pub fn label(self) -> &'static str {
        match self {
            AliasKind::Deleguee => "commune déléguée",
            AliasKind::Associee => "commune associée",
            AliasKind::Former => "former commune code",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    pub current: String,
    pub kind: AliasKind,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Epci {
    pub code: String,
    pub name: String,
    /// CC, CA, CU, METRO or MET69.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Departement {
    pub code: String,
    pub name: String,
    pub region: String,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub zone: String,
}

/// The loaded referential: units, aliases, EPCI, départements, régions.
#[derive(Debug, Clone)]
pub struct Referential {
    units: Vec<Unit>,
    index: HashMap<String, usize>,
    aliases: HashMap<String, Alias>,
    /// Current commune code → its arrondissements (Paris, Lyon, Marseille only).
    arrondissements: HashMap<String, Vec<usize>>,
    pub epcis: BTreeMap<String, Epci>,
    pub departements: BTreeMap<String, Departement>,
    pub regions: BTreeMap<String, Region>,
}

fn read_parquet(bytes: &[u8], what: &str) -> Result<DataFrame> {
    ParquetReader::new(Cursor::new(bytes)).finish().map_err(|e| Error::Internal(format!("embedded referential {what}: {e}")))
}

/// String column as owned optional values (the referential is small: ~40k rows).
fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.map(str::to_owned)).collect())
}

fn required(values: Vec<Option<String>>, what: &str) -> Result<Vec<String>> {
    values.into_iter().map(|v| v.ok_or_else(|| Error::Internal(format!("referential: missing {what}")))).collect()
}

impl Referential {
    /// The referential shipped inside the binary.
    pub fn embedded() -> Result<Referential> {
        Self::from_parquet(COMMUNES, FORMER_CODES, EPCI, DEPARTEMENTS, REGIONS)
    }

    fn from_parquet(communes: &[u8], former: &[u8], epci: &[u8], departements: &[u8], regions: &[u8]) -> Result<Referential> {
        let df = read_parquet(communes, "communes")?;
        let codes = required(strings(&df, "code")?, "commune code")?;
        let names = required(strings(&df, "name")?, "commune name")?;
        let kinds = required(strings(&df, "kind")?, "commune kind")?;
        let parents = strings(&df, "parent")?;
        let deps = required(strings(&df, "departement")?, "département")?;
        let regs = required(strings(&df, "region")?, "région")?;
        let epci_of = strings(&df, "epci")?;
        let zones = required(strings(&df, "zone")?, "zone")?;
        let pops: Vec<Option<i64>> = df.column("population")?.i64()?.iter().collect();

        let mut units = Vec::new();
        let mut aliases = HashMap::new();
        let mut pending_aliases = Vec::new();
        for i in 0..df.height() {
            let kind = match kinds[i].as_str() {
                "commune" => UnitKind::Commune,
                "arrondissement" => UnitKind::Arrondissement,
                "deleguee" | "associee" => {
                    let kind = if kinds[i] == "deleguee" { AliasKind::Deleguee } else { AliasKind::Associee };
                    let parent = parents[i].clone().ok_or_else(|| Error::Internal(format!("referential: {} has no parent", codes[i])))?;
                    pending_aliases.push((codes[i].clone(), Alias { current: parent, kind, name: Some(names[i].clone()) }));
                    continue;
                }
                other => return Err(Error::Internal(format!("referential: unknown kind {other}"))),
            };
            let commune = match kind {
                UnitKind::Commune => codes[i].clone(),
                UnitKind::Arrondissement => {
                    parents[i].clone().ok_or_else(|| Error::Internal(format!("referential: arrondissement {} has no commune", codes[i])))?
                }
            };
            units.push(Unit {
                code: codes[i].clone(),
                name: names[i].clone(),
                kind,
                commune,
                departement: deps[i].clone(),
                region: regs[i].clone(),
                epci: epci_of[i].clone(),
                population: pops[i].and_then(|p| u64::try_from(p).ok()),
                zone: zones[i].clone(),
            });
        }
        let index: HashMap<String, usize> = units.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
        // A déléguée often shares the code of its commune nouvelle: the current unit wins.
        for (code, alias) in pending_aliases {
            if !index.contains_key(&code) {
                aliases.entry(code).or_insert(alias);
            }
        }
        let former_df = read_parquet(former, "former codes")?;
        let fcodes = required(strings(&former_df, "code")?, "former code")?;
        let fcurrent = required(strings(&former_df, "current")?, "current code")?;
        for (code, current) in fcodes.into_iter().zip(fcurrent) {
            if !index.contains_key(&code) {
                aliases.entry(code).or_insert(Alias { current, kind: AliasKind::Former, name: None });
            }
        }
        let mut arrondissements: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if u.kind == UnitKind::Arrondissement {
                arrondissements.entry(u.commune.clone()).or_default().push(i);
            }
        }

        let e = read_parquet(epci, "EPCI")?;
        let epcis = required(strings(&e, "code")?, "EPCI code")?
            .into_iter()
            .zip(required(strings(&e, "name")?, "EPCI name")?)
            .zip(required(strings(&e, "type")?, "EPCI type")?)
            .map(|((code, name), kind)| (code.clone(), Epci { code, name, kind }))
            .collect();
        let d = read_parquet(departements, "départements")?;
        let departements = required(strings(&d, "code")?, "département code")?
            .into_iter()
            .zip(required(strings(&d, "name")?, "département name")?)
            .zip(required(strings(&d, "region")?, "département region")?)
            .zip(required(strings(&d, "zone")?, "département zone")?)
            .map(|(((code, name), region), zone)| (code.clone(), Departement { code, name, region, zone }))
            .collect();
        let r = read_parquet(regions, "régions")?;
        let regions = required(strings(&r, "code")?, "région code")?
            .into_iter()
            .zip(required(strings(&r, "name")?, "région name")?)
            .zip(required(strings(&r, "zone")?, "région zone")?)
            .map(|((code, name), zone)| (code.clone(), Region { code, name, zone }))
            .collect();

        Ok(Referential { units, index, aliases, arrondissements, epcis, departements, regions })
    }

    /// Every unit: current communes (Paris, Lyon and Marseille included as communes) and
    /// municipal arrondissements.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Current communes only (34,969 in the 2026 referential).
    pub fn communes(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.kind == UnitKind::Commune)
    }

    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.index.get(code).map(|&i| &self.units[i])
    }

    pub fn alias(&self, code: &str) -> Option<&Alias> {
        self.aliases.get(code)
    }

    /// Every alias: (code, what it resolves to), in no particular order.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, &Alias)> {
        self.aliases.iter().map(|(c, a)| (c.as_str(), a))
    }

    /// The finest units making up `code`: its arrondissements for Paris, Lyon and
    /// Marseille, the unit itself otherwise. Empty for an unknown code.
    pub fn base_units(&self, code: &str) -> Vec<&Unit> {
        if let Some(arr) = self.arrondissements.get(code) {
            return arr.iter().map(|&i| &self.units[i]).collect();
        }
        self.unit(code).into_iter().collect()
    }

    /// Whether a unit is split into arrondissements (so its data may come either way).
    pub fn has_arrondissements(&self, code: &str) -> bool {
        self.arrondissements.contains_key(code)
    }

    /// Base units (communes, or arrondissements for Paris/Lyon/Marseille) of an EPCI.
    pub fn base_units_of_epci(&self, epci: &str) -> Vec<&Unit> {
        self.base_units_where(|u| u.epci.as_deref() == Some(epci))
    }

    /// Base units of a département.
    pub fn base_units_of_departement(&self, dep: &str) -> Vec<&Unit> {
        self.base_units_where(|u| u.departement == dep)
    }

    /// Base units of a région.
    pub fn base_units_of_region(&self, reg: &str) -> Vec<&Unit> {
        self.base_units_where(|u| u.region == reg)
    }

    /// Base units kept by `keep` (Paris, Lyon and Marseille by their arrondissements only).
    pub fn base_units_where(&self, keep: impl Fn(&Unit) -> bool) -> Vec<&Unit> {
        self.units.iter().filter(|u| keep(u) && !self.has_arrondissements(&u.code)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn referential() -> Referential {
        Referential::embedded().expect("embedded referential loads")
    }

    #[test]
    fn counts_match_the_2026_cog() {
        let r = referential();
        assert_eq!(r.communes().count(), 34_969);
        assert_eq!(r.units().iter().filter(|u| u.kind == UnitKind::Arrondissement).count(), 45);
        assert_eq!(r.epcis.len(), 1_255);
        let in_france = |zone: &str| zone != "com";
        assert_eq!(r.departements.values().filter(|d| in_france(&d.zone)).count(), 101);
        assert_eq!(r.regions.values().filter(|d| in_france(&d.zone)).count(), 18);
    }

    #[test]
    fn every_unit_has_a_known_departement_region_and_epci() {
        let r = referential();
        for u in r.units() {
            let dep = r.departements.get(&u.departement).unwrap_or_else(|| panic!("{} dep", u.code));
            assert_eq!(dep.region, u.region, "{}: région of its département", u.code);
            assert!(r.regions.contains_key(&u.region), "{} region", u.code);
            if let Some(e) = &u.epci {
                assert!(r.epcis.contains_key(e), "{}: EPCI {e}", u.code);
            }
        }
        // Every EPCI has members, and only metropolitan islands and overseas
        // collectivities lack an EPCI.
        let with_members: HashSet<_> = r.units().iter().filter_map(|u| u.epci.clone()).collect();
        assert_eq!(with_members.len(), r.epcis.len());
        let orphans = r.communes().filter(|u| u.epci.is_none() && u.zone != "com").count();
        assert_eq!(orphans, 4, "the four island communes outside any EPCI");
    }

    #[test]
    fn arrondissements_sum_to_their_commune() {
        let r = referential();
        for (city, n) in [("75056", 20), ("69123", 9), ("13055", 16)] {
            let parts = r.base_units(city);
            assert_eq!(parts.len(), n, "{city}");
            let sum: u64 = parts.iter().filter_map(|u| u.population).sum();
            assert_eq!(Some(sum), r.unit(city).unwrap().population, "{city}");
        }
        assert_eq!(r.base_units("30003").len(), 1);
        assert!(r.base_units("99999").is_empty());
    }

    #[test]
    fn aliases_point_to_current_communes() {
        let r = referential();
        for (code, alias) in &r.aliases {
            assert!(r.unit(code).is_none(), "{code} is both a unit and an alias");
            let target = r.unit(&alias.current).unwrap_or_else(|| panic!("{code} → {}", alias.current));
            assert_eq!(target.kind, UnitKind::Commune);
        }
        assert!(r.aliases.values().any(|a| a.kind == AliasKind::Deleguee));
        assert!(r.aliases.values().any(|a| a.kind == AliasKind::Associee));
    }
}
