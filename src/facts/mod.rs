//! The fact table's vocabulary, at the bottom of the crate so that every stage (ingest, the
//! demo, the diagnostics, the outputs) speaks of the same rows: where ([`Level`]), when
//! ([`Period`]), what kind of number ([`Kind`]), for whom ([`Sex`], [`AgeBand`]) and from
//! whom ([`Provenance`]). The columns themselves, their parquet I/O and the validator of a
//! `--data` folder are in [`schema`]. Depends on nothing but `error`.

pub mod codes;
pub mod schema;

use std::fmt;

pub use schema::{conform, read_parquet, write_atomic_with, write_parquet, ColumnSpec, ColumnType, FACT_COLUMNS};

/// What every output built from synthetic data says (the demo's label).
pub const SYNTHETIC: &str = "données synthétiques de démonstration";

/// Sex of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Male,
    Female,
    All,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::All => "all",
        }
    }

    /// `1`/`M`/`H`/`homme(s)` → male, `2`/`F`/`femme(s)` → female, empty/`all`/`ensemble` → all.
    pub fn parse(raw: &str) -> Option<Sex> {
        match raw.trim().to_lowercase().as_str() {
            "1" | "m" | "h" | "homme" | "hommes" | "male" | "men" => Some(Sex::Male),
            "2" | "f" | "femme" | "femmes" | "female" | "women" => Some(Sex::Female),
            "" | "all" | "ensemble" | "total" | "t" | "0" => Some(Sex::All),
            _ => None,
        }
    }
}

/// Geographic level of a fact. The diagnostics sum communes (and read département rows as
/// given); the other levels are kept in the data, listed, never added to anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Commune,
    Departement,
    Region,
    Epci,
    France,
    /// INSEE's bassins de vie: a zoning of its own, not nested in the others.
    BassinDeVie,
    /// CartoSanté's « bassin de vie / canton-ville » zoning: INSEE's cantons-villes
    /// (pseudo-cantons: a canton, or a city grouping its cantons) and the bassins de vie they
    /// are cut out of (whose code may then name another area than the bassin de vie's);
    /// not nested in the others either.
    CantonVille,
}

impl Level {
    pub const ALL: [Level; 7] =
        [Level::Commune, Level::Departement, Level::Region, Level::Epci, Level::France, Level::BassinDeVie, Level::CantonVille];

    pub fn code(self) -> &'static str {
        match self {
            Level::Commune => "commune",
            Level::Departement => "departement",
            Level::Region => "region",
            Level::Epci => "epci",
            Level::France => "france",
            Level::BassinDeVie => "bassin_de_vie",
            Level::CantonVille => "canton_ville",
        }
    }

    pub fn parse(raw: &str) -> Option<Level> {
        let t = raw.trim().to_lowercase();
        Level::ALL.into_iter().find(|l| l.code() == t)
    }

    /// Whether the diagnostics read rows of this level (communes are summed to every
    /// perimeter; département rows are read as given).
    pub fn is_read(self) -> bool {
        matches!(self, Level::Commune | Level::Departement)
    }
}

/// The years a value covers: one year (a census, a year of deaths) or a period (births
/// 2016-2021).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub start: i32,
    pub end: i32,
}

impl Period {
    pub fn year(y: i32) -> Period {
        Period { start: y, end: y }
    }

    /// The period of an INSEE variable name ending in two two-digit years: `NAIS1621` →
    /// 2016-2021, `DECE1621` → 2016-2021. `None` when the name does not end so, or the end
    /// comes before the start.
    pub fn from_insee_name(name: &str) -> Option<Period> {
        let name = name.trim();
        let digits = name.get(name.len().checked_sub(4)?..)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) || name.len() == 4 {
            return None;
        }
        let (a, b): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
        (b >= a).then_some(Period { start: 2000 + a, end: 2000 + b })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.end)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// What a value is: a count (summed across places) or a value published already computed
/// (an APL, a rate: never summed), with its unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    Count,
    Published { unit: String },
}

impl Kind {
    pub fn code(&self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Published { .. } => "published",
        }
    }

    pub fn unit(&self) -> Option<&str> {
        match self {
            Kind::Count => None,
            Kind::Published { unit } => Some(unit),
        }
    }
}

/// Who gives a value, before its period is known (a reader knows its publisher; each row
/// has its own years).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    Source { publisher: String, dataset: String },
    Synthetic,
}

impl Origin {
    pub fn source(publisher: &str, dataset: &str) -> Origin {
        Origin::Source { publisher: publisher.to_owned(), dataset: dataset.to_owned() }
    }

    pub fn at(&self, period: Period) -> Provenance {
        match self {
            Origin::Source { publisher, dataset } => Provenance::Source { publisher: publisher.clone(), dataset: dataset.clone(), period },
            Origin::Synthetic => Provenance::Synthetic,
        }
    }

    /// The origin of a fact file written before the provenance columns existed, from its
    /// name (`facts-insee-…` was written by the INSEE census reader…) or, for a file of the
    /// demo, its `source` text.
    pub fn from_file_name(name: &str, source: Option<&str>) -> Origin {
        if name.starts_with("facts-demo") || source.is_some_and(|s| s.contains("synthetic")) {
            return Origin::Synthetic;
        }
        const KNOWN: [(&str, &str, &str); 4] = [
            ("facts-insee-long-", "INSEE", "population par sexe et âge"),
            ("facts-insee-", "INSEE", "RP"),
            ("facts-deaths-", "INSEE", "décès"),
            ("facts-patientele-", "Assurance Maladie", "patientèle"),
        ];
        match KNOWN.iter().find(|(prefix, _, _)| name.starts_with(prefix)) {
            Some((_, publisher, dataset)) => Origin::source(publisher, dataset),
            None => Origin::source(name.trim_end_matches(".parquet"), ""),
        }
    }
}

/// Where a value comes from: a real source with its years (« INSEE, RP 2021 »), or the
/// synthetic demo data. Travels per measure, shown per row of every table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provenance {
    Source { publisher: String, dataset: String, period: Period },
    Synthetic,
}

impl Provenance {
    pub fn is_synthetic(&self) -> bool {
        matches!(self, Provenance::Synthetic)
    }

    /// Several provenances as one text, each once, in order: « INSEE, RP 2021 ; données
    /// synthétiques de démonstration ».
    pub fn join<'a>(all: impl IntoIterator<Item = &'a Provenance>) -> String {
        let mut texts: Vec<String> = Vec::new();
        for p in all {
            let t = p.to_string();
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
        texts.join(" ; ")
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Source { publisher, dataset, period } if dataset.is_empty() => write!(f, "{publisher} {period}"),
            Provenance::Source { publisher, dataset, period } => write!(f, "{publisher}, {dataset} {period}"),
            Provenance::Synthetic => f.write_str(SYNTHETIC),
        }
    }
}

/// The suffix of the key under which a measure's breakdown by sex and age has its own
/// provenance: the demo data reads a measure's real totals (« INSEE, … 2021 ») and their
/// split by sex and age from the synthetic generator, so that a value computed from the split
/// says so (see `ingest::load::by_period`).
pub const BREAKDOWN: &str = " (par sexe et âge)";

/// The provenance key of `measure`'s breakdown by sex and age (see [`BREAKDOWN`]).
pub fn breakdown_key(measure: &str) -> String {
    format!("{measure}{BREAKDOWN}")
}

/// The provenance of `key` in `provenance`: a measure's, or its breakdown's (a breakdown key
/// without a provenance of its own has its measure's: the same source gives both).
pub fn provenance_of<'a>(provenance: &'a std::collections::BTreeMap<String, Provenance>, key: &str) -> Option<&'a Provenance> {
    provenance.get(key).or_else(|| key.strip_suffix(BREAKDOWN).and_then(|m| provenance.get(m)))
}

/// An age band: `min`-`max` in whole years, `max` empty for an open band (75+), both empty
/// for all ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AgeBand {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

impl AgeBand {
    pub const ALL: AgeBand = AgeBand { min: None, max: None };

    pub fn new(min: Option<u32>, max: Option<u32>) -> AgeBand {
        AgeBand { min, max }
    }

    /// A band as files write it: `0-4`, `00-04`, `5 à 9 ans`, `90+`, `90 ans et plus`, `75P`
    /// (INSEE), Eurostat's `Y_LT5` (under 5), `Y_GE95` (95 and over) and `Y5-9`, a single age
    /// `17` (that year of age only), or empty/`all`/`ensemble`/`tous âges` for all ages.
    pub fn parse(label: &str) -> Option<AgeBand> {
        let t = label.trim().to_lowercase();
        if matches!(t.as_str(), "" | "all" | "ensemble" | "total" | "tous âges" | "tous ages" | "tout âge" | "total_age") {
            return Some(AgeBand::ALL);
        }
        if let Some(n) = t.strip_prefix("y_lt") {
            let n: u32 = n.parse().ok()?;
            return n.checked_sub(1).map(|z| AgeBand::new(Some(0), Some(z)));
        }
        if let Some(n) = t.strip_prefix("y_ge") {
            return Some(AgeBand::new(Some(n.parse().ok()?), None));
        }
        let t = t.strip_prefix('y').unwrap_or(&t);
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        let start: u32 = digits.parse().ok()?;
        let rest = t[digits.len()..].trim();
        if rest.is_empty() || rest == "an" || rest == "ans" {
            return Some(AgeBand::new(Some(start), Some(start)));
        }
        if rest.starts_with('+') || rest == "p" || rest.contains("plus") {
            return Some(AgeBand::new(Some(start), None));
        }
        let end: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
        let end: u32 = end.parse().ok()?;
        (end >= start).then_some(AgeBand::new(Some(start), Some(end)))
    }

    /// The compact code of INSEE's wide bases: `0014` → 0-14, `75P` → 75+.
    pub fn from_insee_code(code: &str) -> Option<AgeBand> {
        let b = code.as_bytes();
        if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
            let (a, z) = (code[..2].parse().ok()?, code[2..].parse().ok()?);
            return (z >= a).then_some(AgeBand::new(Some(a), Some(z)));
        }
        if b.len() == 3 && b[..2].iter().all(u8::is_ascii_digit) && b[2] == b'P' {
            return Some(AgeBand::new(Some(code[..2].parse().ok()?), None));
        }
        None
    }

    /// `0-14`, `75+`, `all`.
    pub fn label(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => f.write_str("all"),
            (Some(a), None) => write!(f, "{a}+"),
            (Some(a), Some(b)) => write!(f, "{a}-{b}"),
            (None, Some(b)) => write!(f, "0-{b}"),
        }
    }
}

/// The calendar year now: a year after it is a projection (INSEE's pyramids run to 2070),
/// never read as the latest data.
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Days since 1970-01-01 to a civil year (Howard Hinnant's algorithm).
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + i64::from(mp >= 10);
    i32::try_from(year).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(min: Option<u32>, max: Option<u32>) -> Option<AgeBand> {
        Some(AgeBand::new(min, max))
    }

    #[test]
    fn age_bands_as_files_write_them() {
        assert_eq!(AgeBand::parse("0-4"), band(Some(0), Some(4)));
        assert_eq!(AgeBand::parse("05-09"), band(Some(5), Some(9)));
        assert_eq!(AgeBand::parse("5 à 9 ans"), band(Some(5), Some(9)));
        assert_eq!(AgeBand::parse("95+"), band(Some(95), None));
        assert_eq!(AgeBand::parse("95 ans et plus"), band(Some(95), None));
        assert_eq!(AgeBand::parse("75P"), band(Some(75), None));
        assert_eq!(AgeBand::parse("Y_LT5"), band(Some(0), Some(4)));
        assert_eq!(AgeBand::parse("Y_GE95"), band(Some(95), None));
        assert_eq!(AgeBand::parse("Y5-9"), band(Some(5), Some(9)));
        assert_eq!(AgeBand::parse("00"), band(Some(0), Some(0)));
        assert_eq!(AgeBand::parse("4"), band(Some(4), Some(4)));
        assert_eq!(AgeBand::parse("Ensemble"), Some(AgeBand::ALL));
        for bad in ["9-5", "adultes", "Y_LT0", "Y_GE", "-4"] {
            assert_eq!(AgeBand::parse(bad), None, "{bad}");
        }
        assert_eq!(AgeBand::from_insee_code("0014"), band(Some(0), Some(14)));
        assert_eq!(AgeBand::from_insee_code("75P"), band(Some(75), None));
        assert_eq!(AgeBand::from_insee_code("9914"), None);
        assert_eq!(AgeBand::new(Some(75), None).label(), "75+");
        assert_eq!(AgeBand::new(Some(0), Some(14)).label(), "0-14");
        assert_eq!(AgeBand::ALL.label(), "all");
    }

    #[test]
    fn periods_and_provenances_render_as_sources_are_cited() {
        assert_eq!(Period::from_insee_name("NAIS1621"), Some(Period { start: 2016, end: 2021 }));
        assert_eq!(Period::from_insee_name("1621"), None);
        assert_eq!(Period::from_insee_name("NAIS2116"), None);
        assert_eq!(Period::from_insee_name("POP"), None);
        assert_eq!(Period { start: 2016, end: 2021 }.to_string(), "2016-2021");
        let rp = Origin::source("INSEE", "RP").at(Period::year(2021));
        assert_eq!(rp.to_string(), "INSEE, RP 2021");
        assert_eq!(Provenance::Synthetic.to_string(), "données synthétiques de démonstration");
        let apl = Origin::source("DREES", "APL").at(Period::year(2023));
        assert_eq!(
            Provenance::join([&rp, &Provenance::Synthetic, &rp, &apl]),
            "INSEE, RP 2021 ; données synthétiques de démonstration ; DREES, APL 2023"
        );
        assert_eq!(Origin::from_file_name("facts-insee-base-cc.parquet", Some("base-cc.csv")), Origin::source("INSEE", "RP"));
        assert_eq!(Origin::from_file_name("facts-insee-long-pop.parquet", None), Origin::source("INSEE", "population par sexe et âge"));
        assert_eq!(Origin::from_file_name("facts-demo.parquet", None), Origin::Synthetic);
        assert_eq!(Origin::from_file_name("facts-x.parquet", Some("diagsante demo (synthetic)")), Origin::Synthetic);
        assert_eq!(Origin::from_file_name("facts-x.parquet", None).at(Period::year(2020)).to_string(), "facts-x 2020");
    }

    #[test]
    fn levels_and_kinds_have_codes() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(l));
        }
        assert!(!Level::BassinDeVie.is_read() && Level::Commune.is_read());
        assert_eq!(Kind::Published { unit: "%".into() }.unit(), Some("%"));
        assert_eq!(Kind::Count.code(), "count");
        let y = current_year();
        assert!((2025..2200).contains(&y), "{y}");
    }
}
