//! Territory perimeters: a small TOML file naming communes, EPCI and/or départements,
//! minus exclusions, resolved against the referential to a set of base units.
//!
//! ```toml
//! name = "CPTS Aliénor Ô Poitou"
//! kind = "cpts"              # cpts, cls, epci or custom
//! epci = ["200069763"]       # any of: communes, epci, departements
//! exclude = ["86204"]
//! ```
//! Codes may be written as strings or numbers (a lost leading zero is restored).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::code::normalise_departement;
use super::code::CodeError;
use super::referential::{Referential, Unit};
use crate::error::{Error, Location, Result};

/// The territories of the five source documents, shipped inside the binary.
pub const SHIPPED: &[(&str, &str)] = &[
    ("cpts-camargue-gardoise", include_str!("../../data/territories/cpts-camargue-gardoise.toml")),
    ("cpts-alienor-o-poitou", include_str!("../../data/territories/cpts-alienor-o-poitou.toml")),
    ("cls-rochefort-ocean", include_str!("../../data/territories/cls-rochefort-ocean.toml")),
    ("cls-aunis-atlantique", include_str!("../../data/territories/cls-aunis-atlantique.toml")),
    ("cls-mauges-communaute", include_str!("../../data/territories/cls-mauges-communaute.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TerritoryKind {
    Cpts,
    Cls,
    Epci,
    Custom,
}

impl TerritoryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TerritoryKind::Cpts => "cpts",
            TerritoryKind::Cls => "cls",
            TerritoryKind::Epci => "epci",
            TerritoryKind::Custom => "custom",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TerritoryFile {
    name: String,
    kind: TerritoryKind,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    communes: Vec<toml::Value>,
    #[serde(default)]
    epci: Vec<toml::Value>,
    #[serde(default)]
    departements: Vec<toml::Value>,
    #[serde(default)]
    exclude: Vec<toml::Value>,
}

/// A resolved territory.
#[derive(Debug, Clone, PartialEq)]
pub struct Territory {
    /// Short identifier: the file stem (`cpts-camargue-gardoise`).
    pub id: String,
    pub name: String,
    pub kind: TerritoryKind,
    pub description: Option<String>,
    /// Base unit codes (communes; arrondissements for Paris, Lyon, Marseille), sorted.
    pub units: Vec<String>,
    /// Things the user should know (alias codes mapped, useless exclusions).
    pub warnings: Vec<String>,
}

/// The reference territories a territory is set against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparators {
    pub departement: String,
    pub region: String,
    /// Set when the territory straddles several départements or régions.
    pub note: Option<String>,
}

/// A département or région touched by a territory, with the population it holds there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub code: String,
    pub name: String,
    pub population: u64,
    pub units: usize,
}

/// Line and column (1-based) of a byte offset in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where a value of `key` appears in the file, for error messages.
fn locate(text: &str, source: &str, key: &str, raw: &str) -> Location {
    let key_at = text.find(&format!("{key} ")).or_else(|| text.find(&format!("{key}="))).unwrap_or(0);
    let found = text[key_at..].find(raw).map(|i| i + key_at);
    match found {
        Some(offset) => {
            let (line, col) = line_col(text, offset);
            Location::file(source).at(line, format!("{col} (key `{key}`)"))
        }
        None => Location { file: source.to_owned(), line: None, column: Some(format!("key `{key}`")) },
    }
}

fn value_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

impl Territory {
    /// Parse and resolve a territory file's text. `source` names the file in errors.
    pub fn from_toml(text: &str, source: &str, id: &str, r: &Referential) -> Result<Territory> {
        let file: TerritoryFile = toml::from_str(text).map_err(|e| {
            let mut location = Location::file(source);
            if let Some(span) = e.span() {
                let (line, col) = line_col(text, span.start);
                location = location.at(line, col.to_string());
            }
            Error::input(
                location,
                format!("invalid territory file: {}", e.message()),
                "a territory file needs `name = \"…\"`, `kind = \"cpts\"` (or cls, epci, custom) and \
                 at least one of `communes`, `epci`, `departements` as lists of codes; \
                 see data/territories/ for examples",
            )
        })?;
        if file.name.trim().is_empty() {
            return Err(Error::input(Location::file(source), "`name` is empty", "give the territory a name"));
        }
        if file.communes.is_empty() && file.epci.is_empty() && file.departements.is_empty() {
            return Err(Error::input(
                Location::file(source),
                "the perimeter is empty: no `communes`, `epci` or `departements`",
                "list at least one commune, EPCI or département code",
            ));
        }

        let mut warnings = Vec::new();
        let bad = |key: &str, raw: &str, message: String, hint: &str| Error::input(locate(text, source, key, raw), message, hint);
        let text_of = |key: &str, v: &toml::Value| {
            value_text(v)
                .ok_or_else(|| bad(key, "", format!("`{key}` must list codes as strings, found {v}"), "write codes in quotes, e.g. \"30003\""))
        };

        // Resolve a commune code to its base units, warning on aliases.
        let commune_units = |key: &str, v: &toml::Value, warnings: &mut Vec<String>| -> Result<Vec<String>> {
            let raw = text_of(key, v)?;
            let resolved = r.resolve(&raw).map_err(|e| {
                let hint = match e {
                    CodeError::Malformed(_) => "commune codes have 5 characters, e.g. \"30003\" or \"2A004\"",
                    CodeError::Unknown(_) => "check the code against the INSEE Code officiel géographique (2026)",
                };
                bad(key, &raw, format!("`{key}`: {e}"), hint)
            })?;
            if let Some(remap) = &resolved.remap {
                let name = r.unit(&resolved.code).map_or("", |u| u.name.as_str());
                warnings.push(format!("`{key}`: {remap}: counted as its commune {} {name}", resolved.code));
            }
            Ok(r.base_units(&resolved.code).into_iter().map(|u| u.code.clone()).collect())
        };

        let mut units = BTreeSet::new();
        for v in &file.communes {
            units.extend(commune_units("communes", v, &mut warnings)?);
        }
        for v in &file.epci {
            let code = text_of("epci", v)?;
            let code = code.trim();
            if !r.epcis.contains_key(code) {
                return Err(bad(
                    "epci",
                    code,
                    format!("`epci`: unknown EPCI code «{code}»"),
                    "use the 9-digit SIREN of an EPCI à fiscalité propre (2026), e.g. \"200041762\"",
                ));
            }
            units.extend(r.base_units_of_epci(code).into_iter().map(|u| u.code.clone()));
        }
        for v in &file.departements {
            let raw = text_of("departements", v)?;
            let code = normalise_departement(&raw);
            if !r.departements.contains_key(&code) {
                return Err(bad(
                    "departements",
                    raw.trim(),
                    format!("`departements`: unknown département code «{}»", raw.trim()),
                    "use a département code such as \"30\", \"2A\" or \"971\"",
                ));
            }
            units.extend(r.base_units_of_departement(&code).into_iter().map(|u| u.code.clone()));
        }
        for v in &file.exclude {
            let removed = commune_units("exclude", v, &mut warnings)?;
            let mut any = false;
            for code in &removed {
                any |= units.remove(code);
            }
            if !any {
                warnings.push(format!("`exclude`: {} is not in the perimeter; nothing removed", value_text(v).unwrap_or_default()));
            }
        }
        if units.is_empty() {
            return Err(Error::input(Location::file(source), "the perimeter is empty once the exclusions are removed", "check `exclude`"));
        }
        Ok(Territory {
            id: id.to_owned(),
            name: file.name.trim().to_owned(),
            kind: file.kind,
            description: file.description,
            units: units.into_iter().collect(),
            warnings,
        })
    }

    /// Load a territory from a TOML file.
    pub fn load(path: &Path, r: &Referential) -> Result<Territory> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Territory::from_toml(&text, &path.display().to_string(), &id, r)
    }

    /// A shipped territory by its identifier (`cls-rochefort-ocean`).
    pub fn shipped(id: &str, r: &Referential) -> Option<Result<Territory>> {
        SHIPPED.iter().find(|(name, _)| *name == id).map(|(name, text)| Territory::from_toml(text, &format!("data/territories/{name}.toml"), name, r))
    }

    /// A territory given on the command line: a file path, else a shipped identifier.
    pub fn find(spec: &str, r: &Referential) -> Result<Territory> {
        let path = Path::new(spec);
        if path.is_file() {
            return Territory::load(path, r);
        }
        let id = spec.trim_end_matches(".toml");
        if let Some(t) = Territory::shipped(id, r) {
            return t;
        }
        let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
        Err(Error::input(
            Location::file(spec),
            "no such territory file, nor a shipped territory of that name",
            format!("give the path of a .toml territory file, or one of: {}", names.join(", ")),
        ))
    }

    pub fn units<'r>(&self, r: &'r Referential) -> impl Iterator<Item = &'r Unit> + use<'_, 'r> {
        self.units.iter().filter_map(move |c| r.unit(c))
    }

    /// Total population from the referential.
    pub fn population(&self, r: &Referential) -> u64 {
        self.units(r).filter_map(|u| u.population).sum()
    }

    /// Number of current communes (Paris counts once however many arrondissements).
    pub fn commune_count(&self, r: &Referential) -> usize {
        self.units(r).map(|u| u.commune.as_str()).collect::<BTreeSet<_>>().len()
    }

    /// Départements touched, most populated first.
    pub fn departements(&self, r: &Referential) -> Vec<Share> {
        self.shares(r, |u| &u.departement, |code| r.departements.get(code).map(|d| d.name.clone()))
    }

    /// Régions touched, most populated first.
    pub fn regions(&self, r: &Referential) -> Vec<Share> {
        self.shares(r, |u| &u.region, |code| r.regions.get(code).map(|d| d.name.clone()))
    }

    fn shares<'r>(&self, r: &'r Referential, key: impl Fn(&'r Unit) -> &'r String, name: impl Fn(&str) -> Option<String>) -> Vec<Share> {
        let mut acc: BTreeMap<&str, (u64, usize)> = BTreeMap::new();
        for u in self.units(r) {
            let e = acc.entry(key(u).as_str()).or_default();
            e.0 += u.population.unwrap_or(0);
            e.1 += 1;
        }
        let mut shares: Vec<Share> = acc
            .into_iter()
            .map(|(code, (population, units))| Share { code: code.to_owned(), name: name(code).unwrap_or_default(), population, units })
            .collect();
        // Most populated first; ties by code so the choice is deterministic.
        shares.sort_by(|a, b| b.population.cmp(&a.population).then(a.code.cmp(&b.code)));
        shares
    }

    /// The département and région holding most of the population (and France, implied).
    pub fn comparators(&self, r: &Referential) -> Comparators {
        self.comparators_with(r, false)
    }

    /// The same; with `all_departements`, the note says the territory is compared with each
    /// of the départements it straddles (the first is still `departement`).
    pub fn comparators_with(&self, r: &Referential, all_departements: bool) -> Comparators {
        let deps = self.departements(r);
        let regs = self.regions(r);
        let total = self.population(r).max(1) as f64;
        let describe = |what: &str, shares: &[Share], each: bool| {
            let parts: Vec<String> = shares.iter().map(|s| format!("{} {} ({:.1} %)", s.code, s.name, 100.0 * s.population as f64 / total)).collect();
            let with = if each { "compared with each" } else { "compared with the first" };
            format!("the territory straddles {} {what}: {}; {with}", shares.len(), parts.join(", "))
        };
        let mut notes = Vec::new();
        if deps.len() > 1 {
            notes.push(describe("départements", &deps, all_departements));
        }
        if regs.len() > 1 {
            notes.push(describe("régions", &regs, false));
        }
        Comparators {
            departement: deps.first().map(|s| s.code.clone()).unwrap_or_default(),
            region: regs.first().map(|s| s.code.clone()).unwrap_or_default(),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Referential {
        Referential::embedded().unwrap()
    }

    #[test]
    fn shipped_territories_match_their_documents() {
        let r = r();
        let expect = [
            ("cpts-camargue-gardoise", 10, Some(54_291)),
            ("cpts-alienor-o-poitou", 26, Some(39_891)),
            ("cls-rochefort-ocean", 25, None),
            ("cls-aunis-atlantique", 20, None),
            ("cls-mauges-communaute", 6, None),
        ];
        for (id, communes, population) in expect {
            let t = Territory::shipped(id, &r).unwrap().unwrap();
            assert_eq!(t.commune_count(&r), communes, "{id}");
            if let Some(p) = population {
                assert_eq!(t.population(&r), p, "{id}");
            }
            assert!(t.warnings.is_empty(), "{id}: {:?}", t.warnings);
            assert!(t.comparators(&r).note.is_none(), "{id} lies in one département");
        }
        let alienor = Territory::shipped("cpts-alienor-o-poitou", &r).unwrap().unwrap();
        assert!(!alienor.units.contains(&"86204".to_string()), "Quinçay is excluded");
        let c = Territory::shipped("cpts-camargue-gardoise", &r).unwrap().unwrap().comparators(&r);
        assert_eq!((c.departement.as_str(), c.region.as_str()), ("30", "76"));
    }

    #[test]
    fn numbers_and_aliases_are_accepted_with_a_warning() {
        let r = r();
        let t = Territory::from_toml("name = \"t\"\nkind = \"custom\"\ncommunes = [1001, \"01039\"]\n", "t.toml", "t", &r).unwrap();
        assert_eq!(t.units, vec!["01001", "01138"]);
        assert_eq!(t.warnings.len(), 1);
        assert!(t.warnings[0].contains("01039") && t.warnings[0].contains("01138"));
    }

    #[test]
    fn paris_expands_to_its_arrondissements() {
        let r = r();
        let t = Territory::from_toml("name = \"Paris\"\nkind = \"custom\"\ncommunes = [\"75056\"]\nexclude = [\"75116\"]\n", "p", "p", &r).unwrap();
        assert_eq!(t.units.len(), 19);
        assert_eq!(t.commune_count(&r), 1);
    }

    #[test]
    fn straddling_territory_takes_the_majority_comparator_with_a_note() {
        let r = r();
        // Arles (13004, ~50,000) with two small Gard communes.
        let t = Territory::from_toml("name = \"x\"\nkind = \"custom\"\ncommunes = [\"13004\", \"30003\", \"30006\"]\n", "x", "x", &r).unwrap();
        let c = t.comparators(&r);
        assert_eq!(c.departement, "13");
        assert_eq!(c.region, "93");
        let note = c.note.unwrap();
        assert!(note.contains("30 Gard") && note.contains("76 Occitanie"), "{note}");
    }

    #[test]
    fn errors_name_the_file_the_key_and_the_code() {
        let r = r();
        let err = |text: &str| Territory::from_toml(text, "bad.toml", "bad", &r).unwrap_err().to_string();
        let e = err("name = \"x\"\nkind = \"cpts\"\ncommunes = [\"30003\",\n  \"99999\"]\n");
        assert!(e.contains("bad.toml, line 4, column 4") && e.contains("communes") && e.contains("99999"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\nepci = [\"123\"]\n");
        assert!(e.contains("epci") && e.contains("123"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\ndepartements = [\"96\"]\n");
        assert!(e.contains("departements") && e.contains("96"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\n");
        assert!(e.contains("empty"), "{e}");
        let e = err("name = \"x\"\nkind = \"hospital\"\ncommunes = [\"30003\"]\n");
        assert!(e.contains("bad.toml, line 2"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\ncommunes = [\"30003\"\n");
        assert!(e.contains("invalid territory file"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\ncommunes = [\"30003\"]\nexclude = [\"30003\"]\n");
        assert!(e.contains("empty once the exclusions"), "{e}");
        let e = err("name = \"x\"\nkind = \"cpts\"\ncomunes = [\"30003\"]\n");
        assert!(e.contains("comunes"), "{e}");
    }

    #[test]
    fn departement_codes_are_normalised() {
        assert_eq!(normalise_departement("1"), "01");
        assert_eq!(normalise_departement("2a"), "2A");
        assert_eq!(normalise_departement("971"), "971");
    }
}
