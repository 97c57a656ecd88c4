//! The fact table the diagnostics read: the parquet files `diagsante ingest` wrote into a
//! folder (each measure at its latest year, each file's columns checked first, so that a
//! foreign or damaged file is named), or any fact table and roster given to [`from_frames`]
//! (the synthetic demo data: `crate::demo::data`); the roster joins it as `gp` facts (its
//! GPs) and `professional_<profession>` facts (the others).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Location, Result};
use crate::facts::codes::{Codes, NULL};
use crate::facts::schema::{complete, conform, read_parquet_constants, unreadable, FACT_COLUMNS, REZONE_COLUMNS, ROSTER_COLUMNS};
use crate::facts::{current_year, read_parquet, Kind, Level, Origin, Period, Provenance};
use crate::indicators::evaluate::{Chunks, Columns, Interned, Rename};
use crate::ingest::cpam::{classify, Profession};

/// What the diagnostics read.
pub struct Data {
    /// The facts read, interned, with the GP roster as `gp` facts: each measure from one
    /// source, at its latest year (see [`by_period`]).
    pub facts: Interned,
    /// What to say about its origin in every output.
    pub label: String,
    /// Indicators published already computed (Rezone exports), if the folder has any.
    pub published: Option<DataFrame>,
    /// The roster (`roster.parquet`, or the demo's), if there is one, every profession
    /// included: the projection's input (its GPs: `project::territory::gps_of`), also in
    /// `facts` (see [`roster_facts`]).
    pub roster: Option<DataFrame>,
    /// The year each measure is read at (its latest; a `_base` measure: the year before), for
    /// the sources a report cites and the period of a growth rate.
    pub years: BTreeMap<String, i32>,
    /// Where each measure read comes from (a `_base` measure too), at the year read.
    pub provenance: BTreeMap<String, Provenance>,
    /// Where each measure's département rows come from, when the data gives it by
    /// département (a département, a région, France read them: `evaluate::Geography`).
    pub departement_provenance: BTreeMap<String, Provenance>,
    /// Rows the diagnostics do not read, kept as they are: levels that are not summed
    /// (bassins de vie, EPCI… given as such) and values published already computed.
    pub not_read: Option<DataFrame>,
}

impl Data {
    /// A real roster lists every professional where it was drawn: the départements or France
    /// its `covers` column names (`ingest roster --covers`), else the communes of `territory`
    /// (the territory a command is about), if it lists anyone there. In those communes, one
    /// without a row of a roster measure (`gp`, `gp_by_age`, `professional_<p>`…) has none of it,
    /// rather than none given: a zero row is added to the facts. Elsewhere the roster says
    /// nothing, so a département summed from a CPTS's roster covers too few communes and is
    /// withheld (`evaluate::MIN_COVERAGE`). A synthetic roster (the demo's, national, leaving
    /// zeros out) is left alone. Returns the number of rows added and where (`None`: the
    /// territory).
    pub fn roster_lists(&mut self, territory: &[String], r: &crate::geo::Referential) -> Result<Option<(usize, Option<String>)>> {
        let Some(roster) = &self.roster else { return Ok(None) };
        if self.provenance.get("gp").is_some_and(Provenance::is_synthetic) {
            return Ok(None);
        }
        let covers = roster.column("covers").ok().and_then(|c| c.str().ok().and_then(|c| c.get(0).map(str::to_owned)));
        // The real rows of a roster measure: (geo, measure, row).
        let rows: Vec<(&str, &str, usize)> = (0..self.facts.len())
            .filter_map(|i| {
                let row = self.facts.row(i);
                let m = row.measure.filter(|m| *m == "gp" || *m == "gp_by_age" || m.starts_with("professional_"))?;
                (row.synthetic == Some(false)).then_some((row.geo, m, i))
            })
            .collect();
        let (units, scope): (Vec<String>, Option<String>) = match covers.as_deref() {
            Some("france") => (r.base_units_where(|u| u.in_france()).into_iter().map(|u| u.code.clone()).collect(), Some("France".into())),
            Some(list) => {
                let codes: Vec<&str> = list.split(',').collect();
                let units = r.base_units_where(|u| codes.contains(&u.departement.as_str()));
                (units.into_iter().map(|u| u.code.clone()).collect(), Some(format!("départements {list}")))
            }
            None => {
                let inside: HashSet<&str> = territory.iter().map(String::as_str).collect();
                if !rows.iter().any(|(g, _, _)| inside.contains(g)) {
                    return Ok(None);
                }
                (territory.to_vec(), None)
            }
        };
        // Per measure: the communes it has rows in, and its first row (the year and band a
        // zero takes: one band of the grid, whose other bands then count 0 too).
        let mut by_measure: BTreeMap<&str, (HashSet<&str>, usize)> = BTreeMap::new();
        for &(g, m, i) in &rows {
            by_measure.entry(m).or_insert_with(|| (HashSet::new(), i)).0.insert(g);
        }
        let mut picks: Vec<(String, usize)> = Vec::new();
        for (communes, first) in by_measure.values() {
            // A city given whole (75056) stands for its arrondissements.
            let listed = |u: &str| communes.contains(u) || r.unit(u).is_some_and(|unit| communes.contains(unit.commune.as_str()));
            picks.extend(units.iter().filter(|u| !listed(u.as_str())).map(|u| (u.clone(), *first)));
        }
        let added = picks.len();
        for (geo, like) in picks {
            self.facts.push_like(like, &geo, 0.0);
        }
        Ok(Some((added, scope)))
    }

    /// What [`Data::not_read`] holds, to tell the user: « 12 rows not read (bassin_de_vie:
    /// apl) », or `None`.
    pub fn not_read_note(&self) -> Option<String> {
        let df = self.not_read.as_ref().filter(|d| d.height() > 0)?;
        let kinds = df
            .clone()
            .lazy()
            .group_by([col("level"), col("kind")])
            .agg([col("measure").unique().sort(Default::default())])
            .sort(["level", "kind"], Default::default())
            .collect()
            .ok()?;
        let mut parts = Vec::new();
        for i in 0..kinds.height() {
            let text =
                |c: &str| kinds.column(c).ok().and_then(|c| c.get(i).ok()).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default();
            parts.push(format!("{} {}: {}", text("level"), text("kind"), text("measure")));
        }
        Some(format!("{} rows kept but not read by the diagnostics ({})", df.height(), parts.join("; ")))
    }
}

/// Who gives `roster.parquet`: `diagsante ingest roster` reads CPAM-style rosters.
fn roster_origin() -> Origin {
    Origin::source("Assurance Maladie", "répertoire des professionnels")
}

/// The data of `dir` (written by `diagsante ingest`).
pub fn fact_table(dir: &Path) -> Result<Data> {
    let mut published: Option<DataFrame> = None;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
    let mut frames = Vec::new();
    let mut roster = None;
    for entry in entries {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.starts_with("facts-") && name.ends_with(".parquet") {
            let df = fact_file(read_fact_columns(|| std::fs::File::open(&path), &path)?, &name, &path)?;
            frames.push((name, df));
        } else if name == "roster.parquet" {
            roster = Some(conform(read_parquet(&path)?, &path, "a roster", &ROSTER_COLUMNS)?);
        } else if name.starts_with("rezone-") && name.ends_with(".parquet") {
            let df = conform(read_parquet(&path)?, &path, "a Rezone export", &REZONE_COLUMNS)?;
            match &mut published {
                Some(p) => {
                    p.vstack_mut(&df)?;
                }
                None => published = Some(df),
            }
        }
    }
    if frames.is_empty() {
        return Err(Error::input(
            Location::file(dir.display().to_string()),
            "no facts-*.parquet in this folder",
            "fill it first by ingesting the publishers' files into it",
        ));
    }
    crate::timing::mark("fact files read");
    frames.sort_by(|a, b| a.0.cmp(&b.0));
    // The demo's roster (a folder written by `demo-data`) is synthetic, and says so.
    let roster = roster.map(|r| {
        let synthetic = r.column("synthetic").ok().and_then(|c| c.bool().ok().map(|b| !b.is_empty() && b.all()));
        let origin = if synthetic == Some(true) { Origin::Synthetic } else { roster_origin() };
        (r, origin)
    });
    let frames = merge_files(frames, dir)?;
    crate::timing::mark("fact files merged");
    from_frames(frames, roster, format!("données de {}", dir.display()), published)
}

/// The columns of a fact file that loading reads (see [`read_parquet_constants`]; `open`
/// opens it, `path` names it): those of [`LOAD_COLUMNS`] and `source` (its origin), the file
/// whole when it lacks a required column (to name what it lacks).
pub fn read_fact_columns<R: polars::io::mmap::MmapBytesReader>(open: impl Fn() -> std::io::Result<R>, path: &Path) -> Result<DataFrame> {
    let wanted: Vec<&str> = LOAD_COLUMNS.iter().copied().chain(["source"]).collect();
    let required: Vec<&str> = FACT_COLUMNS.iter().filter(|c| c.required).map(|c| c.name).collect();
    match read_parquet_constants(&open, path, &wanted, &required)? {
        Some(df) => Ok(df),
        None => ParquetReader::new(open().map_err(|e| Error::read(path, e))?).finish().map_err(|e| unreadable(path, e)),
    }
}

/// A fact file `name` (at `path`, for errors) as loading reads it: its columns checked, those
/// of files written before the provenance columns completed (their origin from the file's
/// name), the columns of [`LOAD_COLUMNS`] kept.
pub fn fact_file(df: DataFrame, name: &str, path: &Path) -> Result<DataFrame> {
    let df = conform(df, path, "a fact table", &FACT_COLUMNS)?;
    // An empty file (or one filtered to a territory it has no rows of) has no first source.
    let source = df.column("source").ok().filter(|c| !c.is_empty()).and_then(|c| c.str().ok()?.get(0).map(str::to_owned));
    Ok(complete(df, &Origin::from_file_name(name, source.as_deref()), path)?.select(LOAD_COLUMNS)?)
}

/// The data the diagnostics read from a fact table with the columns of [`LOAD_COLUMNS`], in
/// one or several frames (a frame's constant columns, such as the demo's level and
/// provenance, are never written out row by row), each measure from one source at its latest
/// year (see [`by_period`]), and a roster with its origin (joining the facts as `gp` facts at
/// the facts' latest year), with the label every output carries and the published
/// indicators, if any.
pub fn from_frames(facts: Vec<DataFrame>, roster: Option<(DataFrame, Origin)>, label: String, published: Option<DataFrame>) -> Result<Data> {
    let Periods { mut facts, mut years, mut provenance, at_communes, departement_provenance, not_read } = by_period(facts, current_year())?;
    crate::timing::mark("by period");
    // The year of a roster's GPs (their ages): the latest of the measures its communes are
    // summed with, not of département statistics (ameli's 2024 headcounts must not age the
    // roster's GPs beyond the communes' data); all measures when none is at commune level.
    let latest = |communes_only: bool| {
        years.iter().filter(|(m, _)| !m.ends_with("_base") && (!communes_only || at_communes.contains(*m))).map(|(_, y)| *y).max()
    };
    let year = latest(true).or_else(|| latest(false)).unwrap_or(2023);
    let roster = match roster {
        Some((roster, origin)) => {
            let gp = roster_facts(&roster, year)?;
            for m in gp.column("measure")?.unique()?.str()?.iter().flatten().chain(["gp", "gp_by_age"]) {
                years.insert(m.to_owned(), year);
                provenance.insert(m.to_owned(), origin.at(Period::year(year)));
            }
            let gp = gp.lazy().with_columns([lit(origin == Origin::Synthetic).alias("synthetic"), col("year").alias("year_start")]).collect()?;
            facts.push(&Columns::of(&gp)?, 0..gp.height(), None);
            Some(roster)
        }
        None => None,
    };
    crate::timing::mark("roster facts");
    Ok(Data { facts, label, published, years, roster, provenance, departement_provenance, not_read })
}

/// The columns of a fact file that loading keeps (before [`by_period`]).
pub const LOAD_COLUMNS: [&str; 14] =
    ["geo", "level", "year", "year_start", "measure", "sex", "age_min", "age_max", "value", "kind", "unit", "publisher", "dataset", "synthetic"];

/// The facts of several files, as frames to read side by side. Two files may give the same
/// fact (the same INSEE base ingested twice, or two extracts of it): kept once when they
/// agree, refused when they differ, naming both files. Only files sharing a source (publisher,
/// dataset, synthetic) can give the same fact: they are merged, the others kept as they are,
/// one frame each, in the files' order. Two sources giving the same measure are both kept:
/// [`by_period`] reads one of them.
pub fn merge_files(frames: Vec<(String, DataFrame)>, dir: &Path) -> Result<Vec<DataFrame>> {
    // Each file's sources, then the files grouped by sources in common (a group: the index
    // of its first file).
    let sources = frames
        .iter()
        .map(|(_, df)| {
            // A file of one source (its columns constant: `read_parquet_constants`) is not scanned.
            let constant = |c: &str| df.column(c).ok().and_then(|c| c.as_scalar_column().map(|s| s.scalar().value().clone()));
            if let (Some(p), Some(d), Some(s)) = (constant("publisher"), constant("dataset"), constant("synthetic")) {
                let text = |v: &AnyValue| v.get_str().map(str::to_owned);
                return Ok([(text(&p), text(&d), s.extract_bool())].into_iter().collect());
            }
            let distinct =
                df.clone().lazy().select([col("publisher"), col("dataset"), col("synthetic")]).unique(None, UniqueKeepStrategy::Any).collect()?;
            let (p, d, s) = (distinct.column("publisher")?.str()?, distinct.column("dataset")?.str()?, distinct.column("synthetic")?.bool()?);
            Ok(p.iter().zip(d.iter()).zip(s.iter()).map(|((p, d), s)| (p.map(str::to_owned), d.map(str::to_owned), s)).collect())
        })
        .collect::<Result<Vec<HashSet<_>>>>()?;
    let mut group: Vec<usize> = (0..frames.len()).collect();
    for i in 0..frames.len() {
        for j in 0..i {
            if group[i] != group[j] && !sources[i].is_disjoint(&sources[j]) {
                let (from, to) = (group[i].max(group[j]), group[i].min(group[j]));
                group.iter_mut().filter(|g| **g == from).for_each(|g| *g = to);
            }
        }
    }
    let mut merged = Vec::new();
    for first in (0..frames.len()).filter(|&i| group[i] == i) {
        let members: Vec<&(String, DataFrame)> = (0..frames.len()).filter(|&i| group[i] == first).map(|i| &frames[i]).collect();
        merged.push(merge_sharing(&members, dir)?);
    }
    if merged.is_empty() {
        return Err(Error::Internal("no fact file".into()));
    }
    Ok(merged)
}

/// Files sharing a source as one frame (see [`merge_files`]): a fact given by two of them
/// once, or an error naming both when they differ.
fn merge_sharing(frames: &[&(String, DataFrame)], dir: &Path) -> Result<DataFrame> {
    if let [(_, df)] = frames {
        return Ok(df.select(LOAD_COLUMNS)?);
    }
    let keys = ["geo", "level", "year", "year_start", "measure", "sex", "age_min", "age_max", "publisher", "dataset", "synthetic"];
    let tagged =
        frames.iter().map(|(name, df)| Ok(df.clone().lazy().with_column(lit(name.as_str()).alias("file")).collect()?)).collect::<Result<Vec<_>>>()?;
    let all = stack(tagged)?;
    // The same key and value from two files is one fact (in the order first met: sums of
    // decimals come out the same at every run).
    let distinct = all
        .lazy()
        .group_by_stable(keys.map(col))
        .agg([
            col("value").n_unique().alias("values"),
            col("value").first(),
            col("kind").first(),
            col("unit").first(),
            col("file").first().alias("first"),
            col("file").last().alias("last"),
        ])
        .collect()?;
    let conflicts = distinct.clone().lazy().filter(col("values").gt(lit(1u32))).limit(1).collect()?;
    if conflicts.height() > 0 {
        let text =
            |c: &str| conflicts.column(c).ok().and_then(|c| c.get(0).ok()).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default();
        return Err(Error::input(
            Location::file(dir.display().to_string()),
            format!("{} and {} give different values of «{}» for {} ({})", text("first"), text("last"), text("measure"), text("geo"), text("year")),
            "keep one of the two files in the folder, or ingest the right version again",
        ));
    }
    Ok(distinct.select(LOAD_COLUMNS)?)
}

/// The columns of the fact table the diagnostics read.
pub const COLUMNS: [&str; 7] = ["geo", "year", "measure", "sex", "age_min", "age_max", "value"];

/// What [`by_period`] reads.
pub struct Periods {
    /// The rows read, interned: from [`COLUMNS`], the first year of a value given over a
    /// period (`year_start`: births 2016-2021, the natural balance of a census pair), and
    /// whether each row is synthetic (a missing row of a synthetic measure means 0, the demo
    /// leaving zero counts out; of a real one "not given").
    pub facts: Interned,
    pub years: BTreeMap<String, i32>,
    pub provenance: BTreeMap<String, Provenance>,
    /// The measures read from commune rows (the others only from département rows).
    pub at_communes: std::collections::BTreeSet<String>,
    /// The source of each measure's département rows, when it has any.
    pub departement_provenance: BTreeMap<String, Provenance>,
    /// The rows not read ([`LOAD_COLUMNS`]): levels that are not summed and values published
    /// already computed.
    pub not_read: Option<DataFrame>,
}

/// The rows of `parts` (one after the other) where `mask` is true, with `columns`: one frame a
/// part, so that a part's constant columns stay constant.
fn rows_of(parts: &[DataFrame], columns: &[&str], mask: &[bool]) -> Result<Vec<DataFrame>> {
    let mut offset = 0;
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let n = part.height();
        out.push(part.select(columns.iter().copied())?.filter(&BooleanChunked::from_slice("rows".into(), &mask[offset..offset + n]))?);
        offset += n;
    }
    Ok(out)
}

/// Frames with the same columns, one after the other.
fn stack(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let mut all = frames.next().ok_or_else(|| Error::Internal("no fact table".into()))?;
    for f in frames {
        all.vstack_mut(&f)?;
    }
    Ok(all)
}

/// Each measure from one source at its latest year, a year after `this_year` being a
/// projection, never read (INSEE's pyramids run to 2070). An INSEE base gives P21_POP and
/// P15_POP side by side, and the indicators must not add two censuses together; two sources
/// giving the same measure at different years must not be mixed either: per measure (and
/// level), the source with the latest year is read (at equal years, a real source before
/// synthetic data, then by name). The year before it in the same source, for a measure given
/// for several, is kept too, as `<measure>_base` (the start of a growth rate: 2015 for 2021,
/// even if 2010 is given too), unless the data names such a measure itself. Rows of a level
/// that is not summed, or of a value published already computed, are kept apart as they are
/// (`not_read`). `parts` (the fact table, in one frame or several) need the columns of
/// [`LOAD_COLUMNS`].
///
/// A measure given both by real data and by synthetic data (the demo: INSEE's population of
/// each commune, and its split by sex and age from the generator) is read from both, never
/// one instead of the other: the synthetic rows complete the real source at its latest year
/// with the cells (sex × age band) it does not give, and the measure's breakdown gets their
/// provenance ([`crate::facts::breakdown_key`]). Synthetic rows at another year than the real
/// source's, or repeating one of its cells, would compete with it: an error.
pub fn by_period(parts: Vec<DataFrame>, this_year: i32) -> Result<Periods> {
    let parts = parts
        .into_iter()
        .map(|mut part| {
            let year = part.column("year")?.cast(&DataType::Int32)?;
            part.with_column(year)?;
            Ok(part)
        })
        .collect::<Result<Vec<_>>>()?;
    // One pass over the rows: each row's source (measure, level, publisher, dataset,
    // synthetic), found by comparing with the row before (the facts come in long runs of one
    // source) and else in a map, and each source's span of years. Years after `this_year` are
    // projections, never read.
    let columns = parts.iter().map(Columns::of).collect::<Result<Vec<_>>>()?;
    crate::timing::mark("by period: columns");
    let spans = Spans::of(&parts, &columns, this_year)?;
    crate::timing::mark("by period: spans");
    let n = spans.list.len();
    let order = {
        let mut o: Vec<usize> = (0..n).collect();
        let key = |i: &usize| {
            let s = &spans.list[*i];
            (&s.measure, &s.level, s.synthetic, &s.publisher, &s.dataset)
        };
        o.sort_by(|a, b| key(a).cmp(&key(b)));
        o
    };
    // In the order of the sort above: (measure, level, synthetic, publisher, dataset).
    let sorted: Vec<&Span> = order.iter().map(|&i| &spans.list[i]).collect();
    let measure: Vec<String> = sorted.iter().map(|s| s.measure.clone()).collect();
    let level: Vec<String> = sorted.iter().map(|s| s.level.clone()).collect();
    let publisher: Vec<String> = sorted.iter().map(|s| s.publisher.clone()).collect();
    let dataset: Vec<String> = sorted.iter().map(|s| s.dataset.clone()).collect();
    let synthetic: Vec<bool> = sorted.iter().map(|s| s.synthetic).collect();
    let latest: Vec<i32> = sorted.iter().map(|s| s.latest).collect();
    let start: Vec<Option<i32>> = sorted.iter().map(|s| s.start).collect();
    let cells: Vec<u64> = sorted.iter().map(|s| s.cells).collect();
    // The source read for each (measure, level): the first with the latest year, and among
    // real sources of that year the one giving the most cells (INSEE's commune file of every
    // commune, not a POP1B extract of 25 communes).
    let mut chosen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for i in 0..n {
        let l = latest[i];
        let best = chosen.entry((measure[i].clone(), level[i].clone())).or_insert(i);
        let b = *best;
        let lb = latest[b];
        if l > lb || (l == lb && synthetic[i] == synthetic[b] && cells[i] > cells[b]) {
            *best = i;
        }
    }
    // The synthetic source completing a real one, for each (measure, level) both give.
    let mut complements: BTreeMap<(String, String), usize> = BTreeMap::new();
    for i in 0..n {
        let key = (measure[i].clone(), level[i].clone());
        let Some(&best) = chosen.get(&key) else { continue };
        if i == best || synthetic[i] == synthetic[best] {
            continue;
        }
        let (real, synth) = if synthetic[i] { (best, i) } else { (i, best) };
        if latest[real] != latest[synth] || complements.contains_key(&key) {
            return Err(Error::input(
                Location::file("the facts read"),
                format!(
                    "«{}» ({}) is given both by real data ({}, {} {}) and by the synthetic demo data ({}): one would silently replace the other",
                    measure[i], level[i], publisher[real], dataset[real], latest[real], latest[synth]
                ),
                "synthetic data may only complete a real measure at its year with the cells it lacks (its split by sex and age): \
                 keep the demo's synthetic files out of a folder of real data",
            ));
        }
        chosen.insert(key.clone(), real);
        complements.insert(key, synth);
    }
    let rows: Vec<usize> = chosen.values().copied().collect();
    // The year before the latest, in the same source (a complement is never the start of a
    // growth: it is read at the real source's year only).
    let earliest: Vec<Option<i32>> = sorted.iter().map(|s| s.years.iter().copied().filter(|&y| y < s.latest).max()).collect();
    let mut years: BTreeMap<String, i32> = BTreeMap::new();
    let mut provenance: BTreeMap<String, Provenance> = BTreeMap::new();
    let mut base_of: BTreeMap<String, (String, i32)> = BTreeMap::new();
    // A measure's year and source are those of its communes, which every territory's
    // indicators sum, when it has any: a département estimate of 2025 must not make the
    // communes' 2021 census be cited as « statistiques locales 2025 ».
    let commune = Level::Commune.code();
    let mut from_communes: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let ordered = rows.iter().filter(|&&i| level[i] == commune).chain(rows.iter().filter(|&&i| level[i] != commune));
    for &i in ordered {
        let (l, m) = (latest[i], &measure[i]);
        let at_communes = level[i] == commune;
        if (!at_communes && from_communes.contains(m)) || years.get(m).is_some_and(|&y| y >= l) {
            continue;
        }
        if at_communes {
            from_communes.insert(m.clone());
        }
        years.insert(m.clone(), l);
        let origin = if synthetic[i] { Origin::Synthetic } else { Origin::source(&publisher[i], &dataset[i]) };
        provenance.insert(m.clone(), origin.at(Period { start: start[i].unwrap_or(l).min(l), end: l }));
        match earliest[i] {
            Some(e) => base_of.insert(m.clone(), (level[i].clone(), e)),
            None => base_of.remove(m),
        };
    }
    for (m, _) in complements.keys() {
        provenance.insert(crate::facts::breakdown_key(m), Provenance::Synthetic);
    }
    let mut departement_provenance = BTreeMap::new();
    for &i in rows.iter().filter(|&&i| level[i] == Level::Departement.code()) {
        let origin = if synthetic[i] { Origin::Synthetic } else { Origin::source(&publisher[i], &dataset[i]) };
        departement_provenance.insert(measure[i].clone(), origin.at(Period { start: start[i].unwrap_or(latest[i]).min(latest[i]), end: latest[i] }));
    }
    let mut based = std::collections::BTreeSet::new();
    for (m, (_, e)) in &base_of {
        let base = format!("{m}_base");
        if years.contains_key(&base) {
            continue;
        }
        years.insert(base.clone(), *e);
        if let Some(p) = provenance.get(m) {
            let p = match p {
                Provenance::Source { publisher, dataset, .. } => Origin::source(publisher, dataset).at(Period::year(*e)),
                Provenance::Synthetic => Provenance::Synthetic,
            };
            provenance.insert(base, p);
        }
        based.insert(m.clone());
    }
    // Which rows are read, by source (indexed as `spans.list`): each chosen source's rows at
    // its latest year (a complement's: the real source's), and for a measure whose growth
    // starts earlier, its rows at the year before (renamed `<measure>_base`).
    let mut now_year = vec![None; n];
    let mut base_year = vec![None; n];
    // And its other recent years, as a time series (`<measure>@<year>`, see [`SERIES_YEARS`]):
    // neither the latest (read as the measure) nor the base (read as `<measure>_base`, which the
    // series reads for that year: its rows are not repeated). A measure of one year adds nothing.
    //
    // A level's series may draw on several sources of the same kind (real or synthetic): the
    // statistiques locales give the départements' population of 2025 (read as the measure),
    // INSEE's estimates its years 1975-2023 (the series). Each year comes from one source: the
    // one read as the measure when it gives that year, else the one giving the most years. A
    // year the communes give too (their census 2021 and 2015) is read at both levels: the
    // geographies reading département rows take the département's (see
    // `indicators::evaluate::Aggregated::series_for`).
    let mut series_years: Vec<Vec<i32>> = vec![Vec::new(); n];
    for &i in &rows {
        now_year[order[i]] = Some(latest[i]);
        let base = if based.contains(&measure[i]) { earliest[i] } else { None };
        if based.contains(&measure[i]) {
            base_year[order[i]] = earliest[i];
        }
        let mut sources: Vec<usize> =
            (0..n).filter(|&j| j != i && measure[j] == measure[i] && level[j] == level[i] && synthetic[j] == synthetic[i]).collect();
        sources.sort_by_key(|&j| (std::cmp::Reverse(sorted[j].years.len()), std::cmp::Reverse(cells[j]), j));
        sources.insert(0, i);
        let mut all: Vec<i32> = sources.iter().flat_map(|&j| sorted[j].years.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        for y in all[all.len().saturating_sub(SERIES_YEARS)..].iter().copied() {
            if y == latest[i] || Some(y) == base {
                continue;
            }
            if let Some(&j) = sources.iter().find(|&&j| sorted[j].years.contains(&y)) {
                series_years[order[j]].push(y);
            }
        }
    }
    for &i in complements.values() {
        now_year[order[i]] = Some(latest[i]);
    }
    let rows = spans.row_source.len();
    let (mut now_mask, mut base_mask) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    let any_series = series_years.iter().any(|y| !y.is_empty());
    let mut series_mask = Vec::with_capacity(if any_series { rows } else { 0 });
    let row_year = columns.iter().flat_map(|c| -> Box<dyn Iterator<Item = Option<i32>> + '_> {
        match &c.year {
            Some(y) => Box::new(y.iter()),
            None => Box::new(std::iter::repeat_n(None, c.len())),
        }
    });
    for (&id, y) in spans.row_source.iter().zip(row_year) {
        let source = (id < NOT_READ).then_some(id as usize);
        let at = |years: &[Option<i32>]| source.is_some_and(|s| y.is_some() && years[s] == y);
        now_mask.push(at(&now_year));
        base_mask.push(at(&base_year));
        if any_series {
            series_mask.push(source.is_some_and(|s| y.is_some_and(|y| series_years[s].contains(&y))));
        }
    }
    crate::timing::mark("by period: masks");
    let not_read = if spans.not_read {
        let mask: Vec<bool> = spans.row_source.iter().map(|&s| s == NOT_READ).collect();
        Some(stack(rows_of(&parts, &LOAD_COLUMNS, &mask)?)?)
    } else {
        None
    };
    crate::timing::mark("by period: rows not read");
    if !complements.is_empty() {
        // The rows read of each measure completed: from its real source, from the synthetic one.
        let mut completed = vec![0u8; n];
        for (key, &synth) in &complements {
            (completed[order[chosen[key]]], completed[order[synth]]) = (1, 2);
        }
        let side: Vec<u8> =
            spans.row_source.iter().zip(&now_mask).map(|(&s, &now)| if now && s < NOT_READ { completed[s as usize] } else { 0 }).collect();
        refuse_repeated_cells(&spans, &columns, &side)?;
    }
    crate::timing::mark("by period: repeated cells");
    // What is left to read is in `columns`: the text columns of the parts and the sources of
    // their rows go, before the interned rows come.
    drop(spans);
    drop(parts);
    // The rows read, interned straight from the parts: those of the latest year, then those of
    // the year before (as `<measure>_base`), then those of the series (as `<measure>@<year>`).
    let mut facts_read = Interned::empty();
    facts_read.reserve([&now_mask, &base_mask, &series_mask].iter().map(|m| m.iter().filter(|&&read| read).count()).sum());
    let base = |m: &str, _: i32| format!("{m}_base");
    let series = |m: &str, y: i32| series_measure(m, y);
    let groups: [(&[bool], Option<Rename<'_>>); 3] = [(&now_mask, None), (&base_mask, Some(&base)), (&series_mask, Some(&series))];
    for (mask, rename) in groups {
        let mut offset = 0;
        for part in &columns {
            let rows = &mask[offset.min(mask.len())..(offset + part.len()).min(mask.len())];
            facts_read.push(part, rows.iter().enumerate().filter(|(_, &read)| read).map(|(i, _)| i), rename);
            offset += part.len();
        }
    }
    crate::timing::mark("by period: rows interned");
    Ok(Periods { facts: facts_read, years, provenance, at_communes: from_communes, departement_provenance, not_read })
}

/// How many of a measure's most recent years are read (the latest, the base of a growth and
/// the others as `<measure>@<year>`): Fingertips' trend test reads five, a chart of the
/// territory against its comparators a few more.
pub const SERIES_YEARS: usize = 9;

/// The name under which a measure's rows of an earlier year are read (`deaths_all_causes@2019`):
/// the indicators read the measure's latest year, a time series its earlier ones
/// (`indicators::series`).
pub fn series_measure(measure: &str, year: i32) -> String {
    format!("{measure}@{year}")
}

/// A source of facts (see [`Spans`]) and the years it gives.
struct Span {
    measure: String,
    level: String,
    publisher: String,
    dataset: String,
    synthetic: bool,
    /// Its latest year, the earliest start of a period ending at the latest (a count over
    /// several years), and its rows at the latest year.
    latest: i32,
    start: Option<i32>,
    cells: u64,
    /// Every year it gives (a few).
    years: Vec<i32>,
}

/// The sources of a fact table (a source: measure, level, publisher, dataset, synthetic) and
/// the source of each row (`u32::MAX`: a row without a year or of a year after `this_year`;
/// [`NOT_READ`]: a row of a level not summed or of a value published already computed), and
/// whether any row is not read.
struct Spans {
    list: Vec<Span>,
    row_source: Vec<u32>,
    not_read: bool,
    /// Each source's (measure, level), numbered: the cells of [`refuse_repeated_cells`].
    measure_level: Vec<u32>,
}

/// The source of a row the diagnostics do not read (see [`Spans`]).
const NOT_READ: u32 = u32::MAX - 1;

/// One part's text column as codes shared by all parts (see [`Spans::of`]): one code when the
/// column is constant (the demo's level and provenance), never written out row by row.
enum Coded {
    Constant(u32),
    Rows(Vec<u32>),
}

impl Coded {
    /// `column`'s codes among `names` (new ones added; a null as `names` codes it).
    fn of(column: &Column, names: &mut Codes) -> Result<Coded> {
        if let Some(scalar) = column.as_scalar_column() {
            return Ok(Coded::Constant(names.code(scalar.scalar().value().get_str())));
        }
        let local = Codes::of(column)?;
        let to: Vec<u32> = local.values.iter().map(|v| names.code(Some(v))).collect();
        let null = names.code(None);
        Ok(Coded::Rows(local.rows.into_iter().map(|c| if c == NULL { null } else { to[c as usize] }).collect()))
    }

    fn at(&self, i: usize) -> u32 {
        match self {
            Coded::Constant(c) => *c,
            Coded::Rows(rows) => rows[i],
        }
    }
}

impl Spans {
    /// The sources of `parts` (their measures, years and provenance read from `columns`).
    fn of(parts: &[DataFrame], columns: &[Columns], this_year: i32) -> Result<Spans> {
        // The codes of each text column, shared by all parts (a null measure, publisher or
        // dataset read as "").
        let mut texts: [Codes; 5] = [Codes::null_empty(), Codes::default(), Codes::null_empty(), Codes::null_empty(), Codes::default()];
        const MEASURE: usize = 0;
        const LEVEL: usize = 1;
        const PUBLISHER: usize = 2;
        const DATASET: usize = 3;
        const KIND: usize = 4;
        let mut list: Vec<Span> = Vec::new();
        // By measure, its few sources: (key, id). A row of another source than the row before
        // (the demo's series interleave their measures) costs a look there.
        let mut index: Vec<Vec<([u32; 5], u32)>> = Vec::new();
        let mut row_source = Vec::with_capacity(columns.iter().map(Columns::len).sum());
        let mut not_read = false;
        for (part, c) in parts.iter().zip(columns) {
            let [level, publisher, dataset, kind] = [(LEVEL, "level"), (PUBLISHER, "publisher"), (DATASET, "dataset"), (KIND, "kind")]
                .map(|(k, name)| Coded::of(part.column(name)?, &mut texts[k]));
            let (level, publisher, dataset, kind) = (level?, publisher?, dataset?, kind?);
            // The part's measures as the parts' (a null as "", its code last).
            let names = &mut texts[MEASURE];
            let mut measure: Vec<u32> = c.measure.values.iter().map(|m| names.code(Some(m))).collect();
            measure.push(names.code(None));
            index.resize(texts[MEASURE].values.len(), Vec::new());
            // The rows of a level that is not summed, or of a value published already computed.
            let read_level: Vec<bool> = texts[LEVEL].values.iter().map(|l| Level::parse(l).is_some_and(|l| l.is_read())).collect();
            let count: Vec<bool> = texts[KIND].values.iter().map(|k| k == Kind::Count.code()).collect();
            let synthetic = part.column("synthetic")?;
            let synthetic = match synthetic.as_scalar_column() {
                Some(s) => Err(s.scalar().value().extract_bool().unwrap_or(false)),
                None => Ok(synthetic.bool()?),
            };
            let mut flags = synthetic.as_ref().ok().map(|f| Chunks::of(*f));
            let (mut year, mut year_start) = (c.year.as_ref().map(Chunks::of), c.year_start.as_ref().map(Chunks::of));
            let mut last: Option<([u32; 5], u32)> = None;
            for i in 0..c.len() {
                let (l, k) = (level.at(i), kind.at(i));
                if !(l != NULL && read_level[l as usize] && k != NULL && count[k as usize]) {
                    row_source.push(NOT_READ);
                    not_read = true;
                    continue;
                }
                let Some(y) = year.as_mut().and_then(|a| a.get(i)).filter(|&y| y <= this_year) else {
                    row_source.push(u32::MAX);
                    continue;
                };
                let s = match &synthetic {
                    Err(constant) => *constant,
                    Ok(_) => flags.as_mut().and_then(|f| f.get(i)).unwrap_or(false),
                };
                let m = c.measure.rows[i];
                let m = measure[if m == NULL { measure.len() - 1 } else { m as usize }];
                let key = [m, l, publisher.at(i), dataset.at(i), s as u32];
                let id = match last {
                    Some((k, id)) if k == key => id,
                    _ => {
                        let sources = &mut index[m as usize];
                        let id = match sources.iter().find(|(k, _)| *k == key) {
                            Some(&(_, id)) => id,
                            None => {
                                let text = |k: usize, code: u32| texts[k].values.get(code as usize).cloned().unwrap_or_default();
                                list.push(Span {
                                    measure: text(MEASURE, m),
                                    level: text(LEVEL, l),
                                    publisher: text(PUBLISHER, key[2]),
                                    dataset: text(DATASET, key[3]),
                                    synthetic: s,
                                    latest: y,
                                    start: None,
                                    cells: 0,
                                    years: Vec::new(),
                                });
                                let id = (list.len() - 1) as u32;
                                sources.push((key, id));
                                id
                            }
                        };
                        last = Some((key, id));
                        id
                    }
                };
                row_source.push(id);
                let span = &mut list[id as usize];
                if y > span.latest {
                    (span.latest, span.start, span.cells) = (y, None, 0);
                }
                if y == span.latest {
                    span.cells += 1;
                    if let Some(ys) = year_start.as_mut().and_then(|a| a.get(i)) {
                        span.start = Some(span.start.map_or(ys, |s| s.min(ys)));
                    }
                }
                if span.years.last() != Some(&y) && !span.years.contains(&y) {
                    span.years.push(y);
                }
            }
        }
        let mut pairs: HashMap<(&str, &str), u32> = HashMap::new();
        let measure_level = list
            .iter()
            .map(|s| {
                let n = pairs.len() as u32;
                *pairs.entry((s.measure.as_str(), s.level.as_str())).or_insert(n)
            })
            .collect();
        Ok(Spans { list, row_source, not_read, measure_level })
    }
}

/// A cell (measure, level, sex, age band) given at one year both by a real source and by the
/// synthetic data completing it: the two would be added. `side`: per row, 1 a row read of a
/// measure completed, from its real source, 2 from the synthetic one, 0 neither.
fn refuse_repeated_cells(spans: &Spans, columns: &[Columns], side: &[u8]) -> Result<()> {
    // A cell as one integer: measure and level (those of the row's source), sex (a code of all
    // parts) and ages (an open
    // band's missing upper age as its own value: the `None`s are equal here). Runs of one
    // cell are looked up once.
    let mut sexes: HashMap<&str, u32> = HashMap::new();
    let sex_codes: Vec<Vec<u32>> = columns
        .iter()
        .map(|c| {
            c.sex
                .values
                .iter()
                .map(|s| {
                    let n = sexes.len() as u32;
                    *sexes.entry(s.as_str()).or_insert(n)
                })
                .collect()
        })
        .collect();
    let age = |a: Option<u32>| u128::from(a.map_or(u32::MAX, |a| a.min(u32::MAX - 1)));
    let mut real: PlHashSet<u128> = PlHashSet::default();
    let mut found = None;
    for wanted in [1u8, 2] {
        let mut offset = 0;
        for (c, sex) in columns.iter().zip(&sex_codes) {
            let mut last = None;
            let (mut ages_min, mut ages_max) = (Chunks::of(&c.age_min), Chunks::of(&c.age_max));
            for (i, _) in side[offset..offset + c.len()].iter().enumerate().filter(|(_, &s)| s == wanted) {
                let row = offset + i;
                let (min, max) = (ages_min.get(i), ages_max.get(i));
                let cell = (u128::from(spans.measure_level[spans.row_source[row] as usize]) << 96)
                    | (u128::from(sex[c.sex.rows[i] as usize]) << 64)
                    | (age(min) << 32)
                    | age(max);
                if last == Some(cell) {
                    continue;
                }
                last = Some(cell);
                if wanted == 1 {
                    real.insert(cell);
                } else if real.contains(&cell) {
                    found = Some((row, c.sex.get(i).unwrap_or_default(), min, max));
                    break;
                }
            }
            offset += c.len();
            if found.is_some() {
                break;
            }
        }
    }
    let Some((row, sex, min, max)) = found else { return Ok(()) };
    let age = |a: Option<u32>| a.map_or("null".to_owned(), |a| a.to_string());
    Err(Error::input(
        Location::file("the facts read"),
        format!(
            "«{}» (sex {sex}, ages {}-{}) is given both by real data and by the synthetic data completing it: they would be added",
            spans.list[spans.row_source[row] as usize].measure,
            age(min),
            age(max)
        ),
        "synthetic data may only give the cells the real source lacks",
    ))
}

/// The roster as facts, for the indicators: `gp` counts every GP (sex `all`, no age, so
/// that a GP of unknown sex or birth year still counts in the density), `gp_by_age` the GPs
/// of known birth year by age at `year` (sex `all`: no catalogue indicator splits GPs by sex,
/// and mixing known and unknown sexes would make `all` rows ambiguous). The roster itself
/// keeps each GP's sex. Rows of another profession (see [`classify`]) are counted the same
/// way as `professional_<profession>` and `professional_<profession>_by_age`, never as GPs, and
/// then every row, GPs included, as `professional_all` and `professional_all_by_age`; a
/// roster without a `profession` column is all GPs.
pub fn roster_facts(roster: &DataFrame, year: i32) -> Result<DataFrame> {
    let geo = roster.column("geo")?.str()?;
    let birth = roster.column("birth_year")?.i32()?;
    let profession = roster.column("profession").ok().map(|c| c.str()).transpose()?;
    let label = |i: usize| profession.map(|p| p.get(i).unwrap_or_default());
    // The measures of each distinct label, classified once.
    let mut names: HashMap<Option<&str>, (String, String)> = HashMap::new();
    for i in 0..roster.height() {
        names.entry(label(i)).or_insert_with(|| match label(i).map_or(Profession::Gp, classify) {
            Profession::Gp => ("gp".to_owned(), "gp_by_age".to_owned()),
            Profession::Other(slug) => (format!("professional_{slug}"), format!("professional_{slug}_by_age")),
        });
    }
    // Every professional, GPs included (the diagnostics quote « 11 professionnels de plus de
    // 60 ans »), when the roster lists other professions than GPs: a roster of GPs only (the
    // demo's, a CPAM list of médecins traitants) says nothing of the others.
    let all = names.values().any(|(count, _)| count != "gp");
    let (mut g, mut m, mut a) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..roster.height() {
        let Some(code) = geo.get(i) else { continue };
        let Some((count, by_age)) = names.get(&label(i)) else { continue };
        let age = birth.get(i).and_then(|b| u32::try_from(year - b).ok());
        let everyone = all.then_some(("professional_all", "professional_all_by_age"));
        for (count, by_age) in std::iter::once((count.as_str(), by_age.as_str())).chain(everyone) {
            g.push(code.to_owned());
            m.push(count);
            a.push(None);
            if let Some(age) = age {
                g.push(code.to_owned());
                m.push(by_age);
                a.push(Some(age));
            }
        }
    }
    let n = g.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("geo".into(), g),
        Column::new("year".into(), vec![year; n]),
        Column::new("measure".into(), m),
        Column::new("sex".into(), vec!["all"; n]),
        Column::new("age_min".into(), a.clone()),
        Column::new("age_max".into(), a),
        Column::new("value".into(), vec![Some(1.0); n]),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts of INSEE's census.
    fn facts(rows: &[(&str, i32, &str, f64)]) -> DataFrame {
        from(rows, Origin::source("INSEE", "RP"))
    }

    fn from(rows: &[(&str, i32, &str, f64)], origin: Origin) -> DataFrame {
        let df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("measure".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("sex".into(), vec!["all"; rows.len()]),
            Column::new("age_min".into(), vec![None::<u32>; rows.len()]),
            Column::new("age_max".into(), vec![None::<u32>; rows.len()]),
            Column::new("value".into(), rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
        ])
        .unwrap();
        complete(df, &origin, Path::new("f")).unwrap().select(LOAD_COLUMNS).unwrap()
    }

    fn sum(df: &DataFrame, measure: &str) -> f64 {
        let out = df.clone().lazy().filter(col("measure").eq(lit(measure))).select([col("value").sum()]).collect().unwrap();
        out.column("value").unwrap().f64().unwrap().get(0).unwrap_or(0.0)
    }

    #[test]
    fn the_latest_year_is_read_and_the_one_before_starts_the_growth() {
        let df =
            facts(&[("a", 2021, "population", 100.0), ("a", 2015, "population", 90.0), ("a", 2010, "population", 80.0), ("a", 2021, "c2s", 7.0)]);
        let Periods { facts: out, years, .. } = by_period(vec![df], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!(sum(&out, "population"), 100.0, "one census, not three");
        assert_eq!(sum(&out, "population_base"), 90.0, "2015, the census before 2021, not 2010");
        assert_eq!(years.get("population"), Some(&2021));
        assert_eq!(years.get("population_base"), Some(&2015));
        assert_eq!(sum(&out, "c2s"), 7.0);
        assert!(!years.contains_key("c2s_base"));
    }

    /// Deaths for 2013-2023 (the value is the year less 2000): the latest (2023) as the
    /// measure, 2022 as its base, 2015-2021 as the series (`deaths@2015` …), 2013 and 2014
    /// beyond the nine most recent years not read; the area of one year adds no row.
    #[test]
    fn a_measures_recent_years_are_read_as_a_series() {
        let mut rows: Vec<(&str, i32, &str, f64)> = (2013..=2023).map(|y| ("a", y, "deaths", f64::from(y - 2000))).collect();
        rows.push(("a", 2021, "area_km2", 5.0));
        let Periods { facts: out, years, .. } = by_period(vec![facts(&rows)], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!((sum(&out, "deaths"), sum(&out, "deaths_base")), (23.0, 22.0));
        for y in 2015..=2021 {
            assert_eq!(sum(&out, &series_measure("deaths", y)), f64::from(y - 2000), "{y}");
        }
        assert_eq!(sum(&out, "deaths@2022") + sum(&out, "deaths@2023") + sum(&out, "deaths@2014") + sum(&out, "deaths@2013"), 0.0);
        assert_eq!(out.height(), 1 + 1 + 7 + 1, "deaths, its base, 7 earlier years, the area");
        assert!(!years.keys().any(|m| m.contains('@')), "the series are not measures cited");
    }

    /// A département's population: the statistiques locales give 2025 (read as the measure),
    /// the estimates 2013-2023 (the series), the communes' census 2015 and 2021 (the measure
    /// and its base): the département's series takes the nine most recent years of its two
    /// sources but the latest (2025, read once) from the estimates, the census years included.
    #[test]
    fn a_levels_series_draws_on_another_source_of_the_same_kind() {
        let census = facts(&[("30001", 2021, "population", 100.0), ("30001", 2015, "population", 90.0)]);
        let departement = |df: DataFrame| df.lazy().with_column(lit(Level::Departement.code()).alias("level")).collect().unwrap();
        let statloc = departement(from(&[("30", 2025, "population", 1_000.0)], Origin::source("INSEE", "statistiques locales")));
        let estimates: Vec<(&str, i32, &str, f64)> = (2013..=2023).map(|y| ("30", y, "population", f64::from(y))).collect();
        let estimates = departement(from(&estimates, Origin::source("INSEE", "estimations de population")));
        let all = census.vstack(&statloc).unwrap().vstack(&estimates).unwrap();
        let Periods { facts: out, years, .. } = by_period(vec![all], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!(sum(&out, "population"), 100.0 + 1_000.0, "the communes' 2021 and the département's 2025");
        assert_eq!(years.get("population"), Some(&2021));
        for y in 2016..=2023 {
            assert_eq!(sum(&out, &series_measure("population", y)), f64::from(y), "{y}");
        }
        for y in [2013, 2014, 2015, 2025] {
            assert_eq!(sum(&out, &series_measure("population", y)), 0.0, "{y}");
        }
    }

    #[test]
    fn a_base_measure_given_by_the_data_is_not_replaced() {
        let df = facts(&[("a", 2023, "population", 100.0), ("a", 2017, "population_base", 97.0), ("a", 2022, "population", 99.0)]);
        let Periods { facts: out, years, .. } = by_period(vec![df], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!(sum(&out, "population_base"), 97.0);
        assert_eq!(years.get("population_base"), Some(&2017));
        assert_eq!(sum(&out, "population"), 100.0);
    }

    #[test]
    fn the_same_fact_in_two_files_counts_once_and_two_values_are_refused() {
        let one = facts(&[("a", 2021, "population", 100.0), ("b", 2021, "population", 50.0)]);
        let two = facts(&[("a", 2021, "population", 100.0), ("a", 2021, "area_km2", 12.5)]);
        let merged = merge_files(vec![("facts-x.parquet".into(), one.clone()), ("facts-y.parquet".into(), two)], Path::new("d")).unwrap();
        assert_eq!(merged.len(), 1, "two files of one source: merged");
        assert_eq!(sum(&merged[0], "population"), 150.0);
        assert_eq!(sum(&merged[0], "area_km2"), 12.5);
        // A file of another source cannot give the same facts: kept as it is, in its own frame.
        let third = from(&[("a", 2021, "population", 7.0)], Origin::source("INSEE", "estimations"));
        let files = vec![("facts-x.parquet".into(), one.clone()), ("facts-w.parquet".into(), third)];
        let kept = merge_files(files, Path::new("d")).unwrap();
        assert_eq!(kept.iter().map(|f| sum(f, "population")).collect::<Vec<_>>(), vec![150.0, 7.0]);
        let other = facts(&[("a", 2021, "population", 101.0)]);
        let e = merge_files(vec![("facts-x.parquet".into(), one), ("facts-z.parquet".into(), other)], Path::new("d")).unwrap_err().to_string();
        assert!(e.contains("facts-x.parquet") && e.contains("facts-z.parquet") && e.contains("population"), "{e}");
    }

    #[test]
    fn only_the_rosters_gps_are_gp_facts() {
        let roster = DataFrame::new_infer_height(vec![
            Column::new("id".into(), ["a", "b", "c", "d"]),
            Column::new("profession".into(), ["Médecin généraliste", "Infirmier", "MG", "Infirmier"]),
            Column::new("geo".into(), ["x", "x", "x", "y"]),
            Column::new("birth_year".into(), [Some(1960), Some(1950), None, Some(1990)]),
        ])
        .unwrap();
        let f = roster_facts(&roster, 2024).unwrap();
        assert_eq!(sum(&f, "gp"), 2.0, "the nurses are not GPs");
        assert_eq!(sum(&f, "gp_by_age"), 1.0, "one GP of known birth year");
        assert_eq!(sum(&f, "professional_infirmier"), 2.0);
        assert_eq!(sum(&f, "professional_infirmier_by_age"), 2.0);
        // No profession column: a GP roster.
        let f = roster_facts(&roster.drop("profession").unwrap(), 2024).unwrap();
        assert_eq!(sum(&f, "gp"), 4.0);
    }

    /// A real roster lists everyone of the territory (or of where `covers` says): its communes
    /// without a professional get zero rows of each roster measure; a synthetic roster, or a
    /// territory the roster lists no one in, none. The whole of France with `covers`.
    #[test]
    fn a_real_roster_lists_its_territory_or_what_it_covers() {
        let r = crate::geo::Referential::embedded().unwrap();
        let df = facts(&[("30003", 2021, "population", 100.0), ("30006", 2021, "population", 50.0)]);
        let roster = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), ["30003", "30003"]),
            Column::new("birth_year".into(), [Some(1960), Some(1980)]),
            Column::new("profession".into(), ["Médecin généraliste", "Infirmier"]),
        ])
        .unwrap();
        let territory = ["30003".to_owned(), "30006".to_owned()];
        let load = |roster: DataFrame, origin: Origin| from_frames(vec![df.clone()], Some((roster, origin)), "t".into(), None).unwrap();
        let zero_rows = |d: &Data, geo: &str| {
            let f = d.facts.frame().unwrap().lazy().filter(col("geo").eq(lit(geo)).and(col("value").eq(lit(0.0)))).collect().unwrap();
            let mut m: Vec<String> = f.column("measure").unwrap().str().unwrap().iter().flatten().map(str::to_owned).collect();
            m.sort();
            m
        };
        let mut d = load(roster.clone(), roster_origin());
        assert_eq!(d.roster_lists(&territory, &r).unwrap(), Some((6, None)));
        let want = ["gp", "gp_by_age", "professional_all", "professional_all_by_age", "professional_infirmier", "professional_infirmier_by_age"];
        assert_eq!(zero_rows(&d, "30006"), want, "Aimargues: no GP, no nurse");
        assert!(zero_rows(&d, "30003").is_empty());
        // No one in the territory, or a synthetic roster: nothing added.
        let mut elsewhere = load(roster.clone(), roster_origin());
        assert_eq!(elsewhere.roster_lists(&["17300".to_owned()], &r).unwrap(), None);
        let mut demo = load(roster.clone(), Origin::Synthetic);
        assert_eq!(demo.roster_lists(&territory, &r).unwrap(), None);
        // A national extract: every base unit of France but Aigues-Mortes, for each measure.
        let mut national = roster.clone();
        national.with_column(Column::new("covers".into(), ["france", "france"])).unwrap();
        let mut d = load(national, roster_origin());
        let (added, scope) = d.roster_lists(&[], &r).unwrap().unwrap();
        let base = r.units().iter().filter(|u| u.in_france() && !r.has_arrondissements(&u.code)).count();
        assert_eq!((added, scope.as_deref()), (6 * (base - 1), Some("France")));
        assert_eq!(zero_rows(&d, "75101"), want, "Paris by arrondissement");
    }

    /// A roster's GPs are aged at the communes' latest year, not at a later year of
    /// département statistics read beside them (ameli's 2024 headcounts).
    #[test]
    fn a_rosters_year_is_the_communes_latest() {
        let mut df = facts(&[("a", 2021, "population", 100.0), ("30", 2024, "professionals_infirmier", 900.0)]);
        df.replace("level", Column::new("level".into(), ["commune", "departement"])).unwrap();
        let roster = DataFrame::new_infer_height(vec![Column::new("geo".into(), ["a"]), Column::new("birth_year".into(), [Some(1960)])]).unwrap();
        let data = from_frames(vec![df.clone()], Some((roster.clone(), Origin::Synthetic)), "test".into(), None).unwrap();
        assert_eq!(data.years["gp"], 2021);
        let aged = data.facts.frame().unwrap().lazy().filter(col("measure").eq(lit("gp_by_age"))).collect().unwrap();
        assert_eq!(aged.column("age_min").unwrap().cast(&DataType::UInt32).unwrap().u32().unwrap().get(0), Some(61));
        // Département rows only: their year.
        let dep = df.slice(1, 1);
        assert_eq!(from_frames(vec![dep], Some((roster, Origin::Synthetic)), "test".into(), None).unwrap().years["gp"], 2024);
    }

    #[test]
    fn projections_are_never_the_latest_year() {
        let df = facts(&[("a", 2021, "population", 100.0), ("a", 2030, "population", 120.0), ("a", 2070, "population", 150.0)]);
        let Periods { facts: out, years, provenance, .. } = by_period(vec![df], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!(sum(&out, "population"), 100.0, "2030 and 2070 are projections");
        assert_eq!(years.get("population"), Some(&2021));
        assert_eq!(provenance["population"].to_string(), "INSEE, RP 2021");
        assert!(!years.contains_key("population_base"), "a projection is no base either");
    }

    #[test]
    fn two_sources_of_one_measure_are_not_mixed() {
        let census = facts(&[("a", 2021, "population", 100.0), ("b", 2021, "population", 50.0), ("a", 2015, "population", 90.0)]);
        let estimate = from(&[("a", 2023, "population", 104.0)], Origin::source("INSEE", "estimations"));
        let demo = from(&[("a", 2023, "gp", 2.0)], Origin::Synthetic);
        let all = census.vstack(&estimate).unwrap().vstack(&demo).unwrap();
        let Periods { facts: out, years, provenance, .. } = by_period(vec![all], 2026).unwrap();
        let out = out.frame().unwrap();
        // The estimate is the latest: read alone, not added to the census's commune b.
        assert_eq!(sum(&out, "population"), 104.0);
        assert_eq!(years.get("population"), Some(&2023));
        assert_eq!(provenance["population"].to_string(), "INSEE, estimations 2023");
        assert!(!years.contains_key("population_base"), "the census's 2021 is another source's");
        assert!(provenance["gp"].is_synthetic());
        // The census's years are the measure's series: each point of it one source's.
        assert_eq!((sum(&out, "population@2021"), sum(&out, "population@2015")), (150.0, 90.0));
        let synthetic: Vec<bool> = out.column("synthetic").unwrap().bool().unwrap().iter().flatten().collect();
        assert_eq!(synthetic, [false, true, false, false, false]);
    }

    /// Rows of `measure` with their sex and ages.
    /// (commune, year, sex, age_min, age_max, value).
    type Banded<'a> = (&'a str, i32, &'a str, Option<u32>, Option<u32>, f64);

    fn banded(rows: &[Banded], origin: Origin) -> DataFrame {
        let df = DataFrame::new_infer_height(vec![
            Column::new("geo".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("measure".into(), vec!["population"; rows.len()]),
            Column::new("sex".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("age_min".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("age_max".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
            Column::new("value".into(), rows.iter().map(|r| Some(r.5)).collect::<Vec<_>>()),
        ])
        .unwrap();
        complete(df, &origin, Path::new("f")).unwrap().select(LOAD_COLUMNS).unwrap()
    }

    #[test]
    fn synthetic_rows_complete_a_real_measure_at_its_year_and_never_compete() {
        let comparateur = Origin::source("INSEE", "comparateur de territoires");
        let real = banded(&[("a", 2021, "all", None, None, 100.0), ("a", 2015, "all", None, None, 90.0)], comparateur.clone());
        let split = banded(&[("a", 2021, "M", Some(0), None, 48.0), ("a", 2021, "F", Some(0), None, 52.0)], Origin::Synthetic);
        let gp = from(&[("a", 2023, "gp", 1.0)], Origin::Synthetic);
        let Periods { facts: out, years, provenance, .. } = by_period(vec![real.vstack(&split).unwrap().vstack(&gp).unwrap()], 2026).unwrap();
        let out = out.frame().unwrap();
        // Both read: the real total and its synthetic split, at 2021; the base from the real source.
        assert_eq!(sum(&out, "population"), 200.0);
        assert_eq!(sum(&out, "population_base"), 90.0);
        assert_eq!(years["population"], 2021);
        assert_eq!(provenance["population"].to_string(), "INSEE, comparateur de territoires 2021");
        assert_eq!(provenance["population_base"].to_string(), "INSEE, comparateur de territoires 2015");
        assert!(provenance[&crate::facts::breakdown_key("population")].is_synthetic());
        assert!(provenance["gp"].is_synthetic());
        let synthetic = out.clone().lazy().filter(col("measure").eq(lit("population")).and(col("synthetic"))).collect().unwrap();
        assert_eq!(synthetic.height(), 2);
        // Synthetic rows of an earlier year beside those of the real year: left out (never a base).
        let stray = banded(&[("a", 2021, "M", Some(0), None, 48.0), ("a", 2015, "M", Some(0), None, 40.0)], Origin::Synthetic);
        let Periods { facts: out, .. } = by_period(vec![real.vstack(&stray).unwrap()], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!((sum(&out, "population"), sum(&out, "population_base")), (148.0, 90.0));
        // Synthetic rows of another year would replace or be mixed with the real ones: refused.
        let later = banded(&[("a", 2023, "M", Some(0), None, 48.0)], Origin::Synthetic);
        let e = by_period(vec![real.vstack(&later).unwrap()], 2026).err().unwrap().to_string();
        assert!(e.contains("«population»") && e.contains("INSEE, comparateur de territoires 2021") && e.contains("(2023)"), "{e}");
        let earlier = banded(&[("a", 2015, "M", Some(0), None, 48.0)], Origin::Synthetic);
        assert!(by_period(vec![real.vstack(&earlier).unwrap()], 2026).is_err());
        // A synthetic cell the real source gives too: refused.
        let same = banded(&[("a", 2021, "all", None, None, 100.0)], Origin::Synthetic);
        let e = by_period(vec![real.vstack(&same).unwrap()], 2026).err().unwrap().to_string();
        assert!(e.contains("would be added"), "{e}");
        // The same read from two frames, the synthetic one's provenance constant (the demo's).
        assert!(split.column("publisher").unwrap().as_scalar_column().is_some());
        let Periods { facts: out, years, .. } = by_period(vec![real.clone(), split.clone(), gp.clone()], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!((sum(&out, "population"), sum(&out, "population_base"), years["population"]), (200.0, 90.0, 2021));
        let e = by_period(vec![real.clone(), same.clone()], 2026).err().unwrap().to_string();
        assert!(e.contains("would be added"), "{e}");
        // The same through the slow path (a measure from two real sources at two levels).
        let mut dep = banded(&[("30", 2021, "all", None, None, 1000.0)], comparateur);
        dep.replace("level", Column::new("level".into(), ["departement"])).unwrap();
        let Periods { facts: out, .. } = by_period(vec![real.vstack(&split).unwrap().vstack(&dep).unwrap()], 2026).unwrap();
        let out = out.frame().unwrap();
        assert_eq!(sum(&out, "population"), 1200.0);
        assert_eq!(sum(&out, "population_base"), 90.0);
    }

    #[test]
    fn levels_not_summed_and_published_values_are_kept_apart() {
        let mut df = facts(&[("a", 2021, "population", 100.0), ("200", 2021, "population", 900.0), ("x", 2023, "apl", 3.1)]);
        df.replace("level", Column::new("level".into(), ["commune", "bassin_de_vie", "commune"])).unwrap();
        df.replace("kind", Column::new("kind".into(), ["count", "count", "published"])).unwrap();
        let data = from_frames(vec![df.clone()], None, "test".into(), None).unwrap();
        assert_eq!(sum(&data.facts.frame().unwrap(), "population"), 100.0);
        assert_eq!(data.not_read.as_ref().map(DataFrame::height), Some(2));
        let note = data.not_read_note().unwrap();
        assert!(note.contains("2 rows") && note.contains("bassin_de_vie") && note.contains("apl"), "{note}");
        // Beside another frame (its rows all read): the same rows kept apart, the others read.
        let other = facts(&[("b", 2021, "population", 50.0)]);
        let data = from_frames(vec![other, df], None, "test".into(), None).unwrap();
        assert_eq!(sum(&data.facts.frame().unwrap(), "population"), 150.0);
        assert_eq!(data.not_read.as_ref().map(DataFrame::height), Some(2));
    }

    /// Two real sources of one year: the one with the most cells is read.
    #[test]
    fn at_equal_years_the_source_with_most_cells_is_read() {
        let a = from(&[("01001", 2021, "population", 100.0)], Origin::source("INSEE", "RP, POP1B"));
        let b = from(&[("01001", 2021, "population", 101.0), ("01002", 2021, "population", 50.0)], Origin::source("INSEE", "comparateur"));
        let data = from_frames(vec![a.vstack(&b).unwrap()], None, "test".into(), None).unwrap();
        assert_eq!(sum(&data.facts.frame().unwrap(), "population"), 151.0);
        assert_eq!(data.provenance["population"].to_string(), "INSEE, comparateur 2021");
    }

    /// A département-level estimate of a later year does not take over the year and source
    /// cited for the communes' measure (both are read, each at its level).
    #[test]
    fn a_measures_year_is_that_of_its_communes() {
        let mut df = facts(&[("01001", 2021, "population", 100.0), ("01", 2023, "population", 650_000.0)]);
        df.replace("level", Column::new("level".into(), ["commune", "departement"])).unwrap();
        df.replace("dataset", Column::new("dataset".into(), ["RP", "estimations"])).unwrap();
        let data = from_frames(vec![df], None, "test".into(), None).unwrap();
        assert_eq!(data.years["population"], 2021);
        assert_eq!(data.provenance["population"].to_string(), "INSEE, RP 2021");
        assert_eq!(data.facts.len(), 2, "both levels are read");
    }
}
