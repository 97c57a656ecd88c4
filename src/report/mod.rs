//! Reports (`diagsante report`, `diagsante demo`): the diagnostic, the benchmark and the GP
//! projection of a territory as charts ([`charts`]: SVG and PNG) and one self-contained
//! French HTML page whose sections follow the CLS/CPTS diagnostics coordinators write.
//!
//! Everything is computed and drawn in memory first, then written file by file atomically:
//! an error leaves no half-written report. The folder's manifest ([`manifest`]) lists what a
//! run wrote: a new report into the same folder removes the previous run's files it does not
//! rewrite, and never a file diagsante did not write.

pub mod charts;
mod html;
pub mod manifest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compare::benchmark::{self, Against, Benchmark};
use crate::compare::diagnose::{self, Diagnosis, Row};
use crate::error::{Error, Result};
use crate::geo::{Referential, Territory};
use crate::indicators::evaluate::{aggregate, Aggregated, Geography};
use crate::indicators::{Indicator, Method};
use crate::ingest::demo::DEMO_LABEL;
use crate::ingest::load::Data;
use crate::ingest::Sex;
use crate::project::demand::DemandAssumptions;
use crate::project::territory::{self as projection, EntryCount, Scenario, PRESETS, REFERENCE_YEAR};
use crate::stats::compare::{Comparison, Polarity};
use charts::Frame;
use html::esc;
use manifest::Output;

/// The report's file name in its folder.
pub const REPORT_FILE: &str = "rapport.html";
/// The charts' folder inside the report's folder.
pub const CHARTS_DIR: &str = "graphiques";
/// Years projected.
pub const HORIZON: u32 = 10;
/// Size of the peer group.
pub const PEERS: usize = 10;

/// The themes, in the order of the diagnostics, with their section titles.
const THEMES: [(&str, &str, &str); 6] = [
    ("démographie", "contexte-demographique", "Contexte démographique"),
    ("social", "contexte-socio-economique", "Contexte socio-économique"),
    ("besoins de santé", "besoins-de-sante", "Besoins de santé"),
    ("accès aux soins", "acces-aux-soins", "Accès aux soins"),
    ("prévention", "prevention", "Prévention"),
    ("offre de soins", "offre-de-soins", "Offre de soins"),
];

/// Funnel plots added after those of the indicators on which the territory differs from
/// France, up to four: premature mortality, access, screening, supply.
const DEFAULT_FUNNELS: [&str; 4] = ["icm_mortalite_prematuree", "sans_mt_17_plus", "depistage_colorectal", "densite_mg"];

/// Whether `data` is the synthetic demo data (every output then says so).
pub fn synthetic(data: &Data) -> bool {
    data.label == DEMO_LABEL
}

/// A chart of the report: its file stem, caption, and SVG.
struct Chart {
    stem: String,
    caption: String,
    svg: String,
}

/// What [`write`] wrote.
pub struct Written {
    pub html: PathBuf,
    /// Every file written (the manifest aside).
    pub files: Vec<PathBuf>,
}

/// Compute, draw and write the report of `t` into `out`: `rapport.html`, the charts (SVG and
/// PNG) in `graphiques/`, and the tables (parquet and French-Excel CSV). `step` hears what is
/// being done (for a progress bar).
pub fn write(t: &Territory, r: &Referential, data: &Data, catalogue: &[Indicator], out: &Path, step: &dyn Fn(&str)) -> Result<Written> {
    let synthetic = synthetic(data);
    step("diagnostic");
    let diagnosis = diagnose::diagnose(t, r, &data.facts, catalogue, &data.label, data.published.as_ref(), false)?;
    step("comparaison aux EPCI");
    // Data without the socio-demographic profile (partial real data) has no peers: the
    // report says so instead of failing.
    let bench = match benchmark::benchmark(t, r, &data.facts, catalogue, Against::Epci, None, PEERS, synthetic) {
        Ok(b) => Ok(b),
        Err(Error::Input(e)) => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    step("projection");
    let units = diagnose::with_whole_communes(t.units.clone(), r);
    let me = Geography { id: t.id.clone(), name: t.name.clone(), units: units.clone() };
    let france = benchmark::national_geographies(r)[3][0].clone();
    let gps = data.roster.as_ref().map(|roster| projection::gps_of(roster, &units)).transpose()?.unwrap_or_default();
    // One aggregation for the pyramid chart and the demand side.
    let ages = aggregate(&data.facts, &[me, france])?;
    let pyramids = projection::pyramids_of(&ages, 0, 1);
    let scenarios = PRESETS.iter().map(|s| Scenario::parse(s)).collect::<Result<Vec<_>>>()?;
    let assumptions = DemandAssumptions::default();
    // Statistical secrecy of the GPs' ages: the threshold of the catalogue's indicators on
    // them. Below it, neither their ages nor a projection (which tells how many are past an
    // age) are shown.
    let gp_min_count = catalogue.iter().filter(|i| i.numerator.measure == "gp_by_age").map(|i| i.min_count).fold(1.0, f64::max);
    let gps_secret = !gps.is_empty() && (gps.len() as f64) < gp_min_count;
    // No GP at all is a result: the demand with no supply.
    let rows = if gps_secret || pyramids.iter().all(Vec::is_empty) {
        Vec::new()
    } else {
        projection::project(&gps, &pyramids, &scenarios, REFERENCE_YEAR, HORIZON, EntryCount::PerYear(0.0), &assumptions)
    };

    step("graphiques");
    let source = |s: &str| format!("Source : {s} — {} — diagsante", data.label);
    let frame = |title: String, s: &str| Frame { title, source: source(s), synthetic };
    let mut figures: Vec<Chart> = Vec::new();
    if let Some(svg) = pyramid_chart(&frame(format!("Pyramide des âges — {}", t.name), "INSEE, recensement"), &ages)? {
        figures.push(Chart { stem: "pyramide".into(), caption: "Pyramide des âges du territoire (barres) et de la France (trait), en % de la population.".into(), svg });
    }
    let names = display_names(&diagnosis, t, r);
    for (theme, stem, title) in THEMES {
        let items: Vec<charts::Compared> = diagnosis
            .rows
            .iter()
            // Indices of a growth rate (around 0) would mean nothing, and a density's (hundreds)
            // would flatten the other bars.
            .filter(|row| row.indicator.theme == theme && !matches!(row.indicator.method, Method::Count | Method::AnnualGrowth | Method::Ratio))
            .filter_map(|row| {
                let e = &row.territory.estimate;
                Some(charts::Compared {
                    label: chart_label(&row.indicator.label),
                    value: e.value?,
                    interval: e.limits.first().cloned().flatten().filter(|l| l.lower.is_finite() && l.upper.is_finite()).map(|l| (l.lower, l.upper)),
                    comparators: [0, 1, 2].map(|k| row.comparators[k].estimate.value),
                    against_france: row.flags[2][0],
                })
            })
            .collect();
        if items.iter().any(|i| i.comparators[2].is_some()) {
            let svg = charts::comparison(&frame(format!("{title} — {}", t.name), &theme_sources(&diagnosis, theme)), &items, [&names[0], &names[1]])?;
            figures.push(Chart {
                stem: format!("comparaison-{stem}"),
                caption: format!("{title} : indicateurs du territoire, du département ({}) et de la région ({}), en indice (France = 100).", names[0], names[1]),
                svg,
            });
        }
    }
    // The set's values come in catalogue order.
    let set_of = |id: &str| -> Option<&Vec<f64>> { catalogue.iter().position(|i| i.id == id).and_then(|k| bench.as_ref().ok()?.set_values.get(k)) };
    let spine_rows: Vec<charts::Spine> = diagnosis
        .rows
        .iter()
        .filter(|row| row.indicator.method != Method::Count)
        .filter_map(|row| {
            let set = set_of(&row.indicator.id)?;
            let france = row.comparators[2].estimate.value?;
            Some(charts::Spine {
                label: chart_label(&row.indicator.label),
                value: row.territory.estimate.value?,
                france,
                departement: row.comparators[0].estimate.value,
                distribution: set.clone(),
                high_is_good: match row.indicator.polarity {
                    Polarity::HighIsGood => Some(true),
                    Polarity::LowIsGood => Some(false),
                    Polarity::Neutral => None,
                },
                against_france: row.flags[2][0],
            })
        })
        .filter(|s| s.distribution.len() >= 2)
        .collect();
    if !spine_rows.is_empty() {
        figures.push(Chart {
            stem: "profil-epci".into(),
            caption: "Profil du territoire parmi les EPCI de France : au centre la France, à gauche l'EPCI le moins bien placé (ou la valeur la plus basse), à droite le mieux placé ; gris clair : tous les EPCI, gris foncé : leur moitié centrale (du 1er au 3e quartile) ; losange : le département ; cercle : le territoire, coloré selon son écart avec la France.".into(),
            svg: charts::spine(&frame(format!("Profil parmi les EPCI de France — {}", t.name), "indicateurs du catalogue"), &spine_rows, [&t.name, &names[0]])?,
        });
    }
    if let Ok(bench) = &bench {
        for id in funnel_indicators(&diagnosis) {
            if let Some(chart) = funnel_chart(bench, &diagnosis, &id, t, &frame)? {
                figures.push(chart);
            }
        }
    }
    if !rows.is_empty() {
        let lines: Vec<charts::ScenarioLine> = scenarios
            .iter()
            .map(|s| charts::ScenarioLine {
                name: scenario_label(&s.name),
                years: rows.iter().filter(|r| r.scenario == s.name).map(|r| (r.supply.year, r.supply.headcount, r.supply.fte)).collect(),
            })
            .collect();
        let demand: Vec<(i32, f64)> = rows.iter().filter(|r| r.scenario == scenarios[0].name).map(|r| (r.supply.year, r.demand_fte)).collect();
        figures.push(Chart {
            stem: "projection-medecins".into(),
            caption: "Médecins généralistes projetés selon les scénarios de départ (sans installation nouvelle), et ETP nécessaires pour la population vieillissante.".into(),
            svg: charts::projection(&frame(format!("Projection des médecins généralistes — {}", t.name), "répertoire des médecins, INSEE, DREES (APL)"), &lines, &demand)?,
        });
    }
    let ages: Vec<i32> = gps.iter().map(|g| REFERENCE_YEAR - g.birth_year).collect();
    if !ages.is_empty() && !gps_secret {
        let marks = [(62.0, "62 ans"), (64.0, "64 ans (réforme 2023)"), (67.0, "67 ans (taux plein)")];
        figures.push(Chart {
            stem: "ages-medecins".into(),
            caption: format!(
                "Âge des {} en {REFERENCE_YEAR} ; tirets : âges de départ des scénarios. Une classe de moins de {} médecins n'est pas détaillée (secret statistique).",
                plural(gps.len(), "médecin généraliste du territoire", "médecins généralistes du territoire"),
                gp_min_count
            ),
            svg: charts::gp_ages(&frame(format!("Âge des médecins généralistes — {}", t.name), "répertoire des médecins"), &ages, &marks, gp_min_count as u32)?,
        });
    }
    // Rasterising is the slow part of drawing: one chart per core.
    let pngs: Vec<Vec<u8>> = {
        use rayon::prelude::*;
        figures.par_iter().map(|c| charts::png(&c.svg)).collect::<Result<_>>()?
    };
    let mut files: Vec<Output> = Vec::new();
    for (c, png) in figures.iter().zip(pngs) {
        files.push(Output::File(format!("{CHARTS_DIR}/{}.svg", c.stem), c.svg.clone().into_bytes()));
        files.push(Output::File(format!("{CHARTS_DIR}/{}.png", c.stem), png));
    }

    let json = serde_json::to_string_pretty(&diagnosis.json()).map_err(|e| Error::Internal(e.to_string()))?;
    files.push(Output::File("diagnostic.json".into(), json.into_bytes()));

    step("rapport");
    let gp_summary = GpSummary { count: gps.len(), secret: gps_secret, min_count: gp_min_count, past: past_ages(&gps) };
    let page = page(t, r, data, &diagnosis, &names, &bench, &rows, &scenarios, &figures, &gp_summary)?;
    files.push(Output::File(REPORT_FILE.into(), page.into_bytes()));

    step("écriture");
    let mut tables = vec![Output::Table("diagnostic".into(), diagnosis.frame()?)];
    if let Ok(mut b) = bench {
        b.label(&data.label)?;
        tables.push(Output::Table("benchmark".into(), b.summary));
        tables.push(Output::Table("peers".into(), b.peers));
    }
    if !rows.is_empty() {
        tables.push(Output::Table("projection".into(), projection::frame(&rows, &data.label)?));
    }
    tables.extend(files);
    let files = manifest::replace(out, tables)?;
    Ok(Written { html: out.join(REPORT_FILE), files })
}

/// The comparators as the report names them: « Gard (30) », « Occitanie ».
fn display_names(d: &Diagnosis, t: &Territory, r: &Referential) -> [String; 2] {
    let c = t.comparators(r);
    let name = |full: &str, code: &str| full.strip_prefix(code).map_or(full, str::trim).to_owned();
    [format!("{} ({})", name(&d.comparator_names[0], &c.departement), c.departement), name(&d.comparator_names[1], &c.region)]
}

/// An indicator's label shortened for a chart's axis (the tables keep the full label).
fn chart_label(label: &str) -> String {
    [
        ("Indice comparatif de mortalité", "ICM"),
        ("Prévalence standardisée de l'ALD", "ALD"),
        ("Prévalence standardisée des ALD", "ALD"),
        (", taux standardisé", ", taux std."),
        (" (France = 100)", ""),
        (" (pour 100 000)", ""),
        ("Mortalité prématurée (avant 65 ans)", "Mortalité avant 65 ans"),
        ("maladies de l'appareil circulatoire", "maladies circulatoires"),
        ("Participation au dépistage", "Dépistage"),
        ("Part des patients de", "Patients de"),
    ]
    .iter()
    .fold(label.to_owned(), |l, (long, short)| l.replace(long, short))
}

/// Why the first indicator of `method` has no value: its own note, else `otherwise`.
fn why_missing(d: &Diagnosis, method: Method, otherwise: &str) -> String {
    d.rows
        .iter()
        .find(|r| r.indicator.method == method)
        .and_then(|r| r.territory.estimate.note.clone())
        .filter(|n| !n.contains("absente des données"))
        .map_or_else(|| esc(otherwise), |n| esc(&n))
}

/// « 1 commune », « 25 communes ».
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", html::number(n as f64, 0), if n == 1 { one } else { many })
}

/// What the page says of the territory's GPs.
struct GpSummary {
    count: usize,
    /// Fewer GPs than the secrecy threshold: their ages and projection are not shown.
    secret: bool,
    min_count: f64,
    /// GPs already 62 or over, and reaching 62 within five years.
    past: (usize, usize),
}

fn past_ages(gps: &[crate::project::supply::Gp]) -> (usize, usize) {
    let age = |g: &crate::project::supply::Gp| REFERENCE_YEAR - g.birth_year;
    (gps.iter().filter(|g| age(g) >= 62).count(), gps.iter().filter(|g| (57..62).contains(&age(g))).count())
}

/// The sources of a theme's indicators, joined.
fn theme_sources(d: &Diagnosis, theme: &str) -> String {
    let mut s: Vec<&str> = d.rows.iter().filter(|r| r.indicator.theme == theme).map(|r| r.indicator.source.as_str()).collect();
    s.sort_unstable();
    s.dedup();
    s.join(" ; ")
}

/// French label of a scenario preset.
fn scenario_label(name: &str) -> String {
    match name {
        "legal-62" => "départ à 62 ans".into(),
        "reform-2023" => "réforme 2023 (62-64 ans)".into(),
        "full-rate-67" => "départ à 67 ans".into(),
        "observed" => "départs observés (DREES)".into(),
        other => other.to_owned(),
    }
}

/// The territory's and France's population by sex and age band as a pyramid chart, or
/// `None` when the data has no population by sex and age.
fn pyramid_chart(frame: &Frame, agg: &Aggregated) -> Result<Option<String>> {
    let bands = |g: usize| -> BTreeMap<(u32, Option<u32>), (f64, f64)> {
        let mut out: BTreeMap<(u32, Option<u32>), (f64, f64)> = BTreeMap::new();
        for (k, sex) in [Sex::Male, Sex::Female].into_iter().enumerate() {
            for (a, z, v) in agg.breakdown(g, "population", sex) {
                if let Some(a) = a {
                    let e = out.entry((a, z)).or_default();
                    if k == 0 { e.0 += v.unwrap_or(0.0) } else { e.1 += v.unwrap_or(0.0) }
                }
            }
        }
        out
    };
    let (mine, fr) = (bands(0), bands(1));
    if mine.is_empty() {
        return Ok(None);
    }
    // Bands narrower than five years (0, 1-4 in life-table data) join the next ones, so
    // that every bar has the same height.
    let (mut rows, mut france): (Vec<(String, f64, f64)>, Vec<(f64, f64)>) = (Vec::new(), Vec::new());
    let mut open: Option<(u32, f64, f64, f64, f64)> = None;
    for (&(a, z), &(m, w)) in &mine {
        let f = fr.get(&(a, z)).copied().unwrap_or((0.0, 0.0));
        let acc = open.get_or_insert((a, 0.0, 0.0, 0.0, 0.0));
        *acc = (acc.0, acc.1 + m, acc.2 + w, acc.3 + f.0, acc.4 + f.1);
        if z.is_none_or(|z| (z + 1) % 5 == 0) {
            let (start, m, w, fm, fw) = *acc;
            rows.push((z.map_or(format!("{start} ans et +"), |z| format!("{start}-{z} ans")), m, w));
            france.push((fm, fw));
            open = None;
        }
    }
    if let Some((start, m, w, fm, fw)) = open {
        rows.push((format!("{start} ans et +"), m, w));
        france.push((fm, fw));
    }
    charts::pyramid(frame, &rows, &france).map(Some)
}

/// The indicators given a funnel plot: health indicators on which the territory differs from
/// France at 99.8 %, else at 95 %, else the defaults; four at most.
fn funnel_indicators(d: &Diagnosis) -> Vec<String> {
    // Outcomes, not the population's profile: the health themes only.
    let funnelled = |r: &&Row| {
        matches!(r.indicator.method, Method::Proportion | Method::Icm | Method::Dsr | Method::CrudeRate)
            && THEMES[2..].iter().any(|t| t.0 == r.indicator.theme)
            && r.territory.estimate.value.is_some()
    };
    let differs = |level: usize| -> Vec<String> {
        d.rows
            .iter()
            .filter(funnelled)
            .filter(|r| !matches!(r.flags[2][level], Comparison::Similar | Comparison::NotCompared))
            .map(|r| r.indicator.id.clone())
            .collect()
    };
    let mut ids = differs(1);
    let defaults = DEFAULT_FUNNELS.iter().filter(|id| d.rows.iter().filter(funnelled).any(|r| r.indicator.id == **id)).map(|s| s.to_string());
    for id in differs(0).into_iter().chain(defaults) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.truncate(4);
    ids
}

/// The funnel plot of indicator `id` among the EPCI of France, if it has one.
fn funnel_chart(b: &Benchmark, d: &Diagnosis, id: &str, t: &Territory, frame: &dyn Fn(String, &str) -> Frame) -> Result<Option<Chart>> {
    let Some(row) = d.rows.iter().find(|r| r.indicator.id == id) else { return Ok(None) };
    let Some(f) = b.funnel(id) else { return Ok(None) };
    if f.points.len() < 2 || f.limits.is_empty() {
        return Ok(None);
    }
    let points: Vec<charts::FunnelPoint> =
        f.points.iter().map(|p| charts::FunnelPoint { denominator: p.denominator, value: p.value, is_territory: p.is_territory }).collect();
    let unit = if row.indicator.unit.is_empty() { String::new() } else { format!(" ({})", row.indicator.unit) };
    // What the points are set against (see `benchmark::funnels`).
    let x = match row.indicator.method {
        Method::Icm => "Décès attendus aux taux de la France (échelle logarithmique)",
        Method::Dsr | Method::CrudeRate => "Population équivalente (effectif / taux ; échelle logarithmique)",
        _ => "Effectif de la population concernée (échelle logarithmique)",
    };
    let svg = charts::funnel(
        &frame(format!("Entonnoir — {}", charts::clip(&row.indicator.label, 60)), &row.indicator.source),
        &points,
        &f.limits,
        f.target,
        &t.name,
        [x, &format!("Valeur{unit}")],
    )?;
    Ok(Some(Chart {
        stem: format!("entonnoir-{id}"),
        caption: format!("{} : chaque point est un EPCI de France ; hors des limites à 99,8 %, un écart a peu de chances d'être dû au hasard (Spiegelhalter 2005).", row.indicator.label),
        svg,
    }))
}


/// The HTML page.
#[allow(clippy::too_many_arguments)]
fn page(
    t: &Territory,
    r: &Referential,
    data: &Data,
    d: &Diagnosis,
    names: &[String; 2],
    bench: &std::result::Result<Benchmark, String>,
    rows: &[projection::Row],
    scenarios: &[Scenario],
    figures: &[Chart],
    gps: &GpSummary,
) -> Result<String> {
    let columns = [names[0].clone(), names[1].clone(), "France".to_owned()];
    let figure = |stem: &str| -> String {
        figures.iter().find(|c| c.stem == stem).map_or(String::new(), |c| {
            let svg = &c.svg;
            format!(
                "<figure>{svg}<figcaption>{} <a href=\"{CHARTS_DIR}/{}.png\">PNG</a> · <a href=\"{CHARTS_DIR}/{}.svg\">SVG</a></figcaption></figure>",
                esc(&c.caption),
                esc(&c.stem),
                esc(&c.stem)
            )
        })
    };
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!("<title>Diagnostic territorial — {}</title><style>{}</style></head><body>", esc(&t.name), html::STYLE));
    h.push_str(&format!("<h1>Diagnostic territorial de santé — {}</h1>", esc(&t.name)));
    if synthetic(data) {
        h.push_str("<p class=\"banner\">Données synthétiques de démonstration : ces chiffres sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ce territoire. Seules les communes et leurs populations légales sont réelles.</p>");
    }
    h.push_str(&format!("<p class=\"meta\">Données : {} · comparateurs : {}, {}, France · diagsante {}</p>", esc(&d.data_label), esc(&names[0]), esc(&names[1]), env!("CARGO_PKG_VERSION")));
    let sections: [(&str, &str); 10] = [
        ("presentation", "Présentation du territoire"),
        (THEMES[0].1, THEMES[0].2),
        (THEMES[1].1, THEMES[1].2),
        (THEMES[2].1, THEMES[2].2),
        (THEMES[3].1, THEMES[3].2),
        (THEMES[4].1, THEMES[4].2),
        (THEMES[5].1, THEMES[5].2),
        ("projection", "Projection démographique médicale"),
        ("territoires-similaires", "Comparaison aux territoires similaires"),
        ("methodes-et-sources", "Méthodes et sources"),
    ];
    h.push_str("<nav><ol>");
    for (id, title) in sections {
        h.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>", esc(title)));
    }
    h.push_str("</ol></nav>");

    // Présentation.
    h.push_str(&format!("<section id=\"presentation\"><h2>{}</h2>", sections[0].1));
    let communes: Vec<&crate::geo::Unit> = t.units(r).collect();
    let population = t.population(r);
    h.push_str(&format!(
        "<p>{} ({}) regroupe <strong>{}</strong> et <strong>{}</strong> (populations légales du référentiel des communes).{}</p>",
        esc(&t.name),
        kind_label(t.kind),
        plural(t.commune_count(r), "commune", "communes"),
        plural(population as usize, "habitant", "habitants"),
        t.description.as_deref().map_or(String::new(), |s| format!(" {}", esc(s))),
    ));
    let deps = t.departements(r);
    let dep_text: Vec<String> = if deps.len() == 1 {
        deps.iter().map(|s| format!("{} ({})", esc(&s.name), esc(&s.code))).collect()
    } else {
        deps.iter().map(|s| format!("{} ({}) : {} du territoire", esc(&s.name), esc(&s.code), plural(s.population as usize, "habitant", "habitants"))).collect()
    };
    h.push_str(&format!(
        "<p>Département{} : {}. Comparateurs retenus : {}, {} et la France.</p>",
        if deps.len() > 1 { "s" } else { "" },
        dep_text.join(" ; "),
        esc(&names[0]),
        esc(&names[1])
    ));
    if let Some(note) = &d.comparator_note {
        h.push_str(&format!("<p class=\"small\">{}</p>", esc(note)));
    }
    let growth = d.rows.iter().find(|r| r.indicator.method == Method::AnnualGrowth).and_then(|r| {
        let base = &r.indicator.denominator.as_ref()?.measure;
        let (y0, y1) = (data.years.get(base)?, data.years.get(&r.indicator.numerator.measure)?);
        let v = r.territory.estimate.value?;
        let signed = |v: f64| format!("{}{}", if v > 0.0 { "+" } else { "" }, html::number(v, 2));
        let fr = r.comparators[2].estimate.value.map_or(String::new(), |f| format!(" (France : {} % par an)", signed(f)));
        Some(format!("Évolution annuelle moyenne de la population de {y0} à {y1} : <strong>{} % par an</strong>{fr}.", signed(v)))
    });
    let density = d.rows.iter().find(|r| r.indicator.method == Method::Ratio && r.indicator.denominator.as_ref().is_some_and(|t| t.measure == "area_km2")).and_then(|r| {
        let v = r.territory.estimate.value?;
        let fr = r.comparators[2].estimate.value.map_or(String::new(), |f| format!(" (France : {})", html::number(f, 0)));
        Some(format!("Densité : <strong>{} habitants par km²</strong>{fr}.", html::number(v, if v < 100.0 { 1 } else { 0 })))
    });
    h.push_str(&format!(
        "<p>{} {}</p>",
        growth.unwrap_or_else(|| format!("Évolution de la population : non calculée ({}).", why_missing(d, Method::AnnualGrowth, "les données chargées n'ont qu'une année de population"))),
        density.unwrap_or_else(|| format!("Densité : non calculée ({}).", why_missing(d, Method::Ratio, "les données chargées n'ont pas la superficie des communes, colonne SUPERF de l'INSEE")))
    ));
    let mut list: Vec<Vec<String>> = communes
        .iter()
        .map(|u| vec![esc(&u.code), esc(&u.name), u.population.map_or("—".into(), |p| html::number(p as f64, 0))])
        .collect();
    list.sort_by(|a, b| a[1].cmp(&b[1]));
    // Open, so that the list prints.
    h.push_str(&format!("<details open><summary>{}</summary>{}</details></section>", plural(communes.len(), "commune", "communes"), html::table(&["Code", "Commune", "Population"], &list)));

    // One section per theme.
    for (k, (theme, id, title)) in THEMES.iter().enumerate() {
        h.push_str(&format!("<section id=\"{id}\"><h2>{}</h2>", esc(title)));
        let theme_rows: Vec<&Row> = d.rows.iter().filter(|r| r.indicator.theme == *theme).collect();
        if k == 0 {
            h.push_str(&figure("pyramide"));
        }
        if theme_rows.is_empty() {
            h.push_str("<p>Aucun indicateur de ce thème dans le catalogue.</p>");
        } else {
            h.push_str(&significant_sentence(&theme_rows));
            h.push_str(&html::indicator_table(&theme_rows, &columns));
            h.push_str(&html::dot_legend());
        }
        h.push_str(&figure(&format!("comparaison-{id}")));
        if *theme == "offre de soins" {
            h.push_str(&figure("ages-medecins"));
        }
        h.push_str("</section>");
    }
    let others: Vec<&Row> = d.rows.iter().filter(|r| !THEMES.iter().any(|t| t.0 == r.indicator.theme)).collect();
    if !others.is_empty() {
        h.push_str("<section id=\"autres\"><h3>Autres indicateurs (dont valeurs publiées)</h3>");
        h.push_str(&html::indicator_table(&others, &columns));
        h.push_str("</section>");
    }

    // Projection.
    h.push_str(&format!("<section id=\"projection\"><h2>{}</h2>", sections[7].1));
    let demand = DemandAssumptions::default();
    if gps.secret {
        h.push_str(&format!(
            "<p>Moins de {} médecins généralistes exercent sur le territoire : leurs âges et leur projection ne sont pas diffusés (secret statistique).</p>",
            gps.min_count
        ));
    } else if rows.is_empty() {
        h.push_str("<p>Pas de projection : les données chargées n'ont pas de population par sexe et âge pour ce territoire.</p>");
    } else {
        let (past, soon) = gps.past;
        h.push_str(&format!(
            "<p>{} exercent sur le territoire en {REFERENCE_YEAR}{}. Chaque scénario fixe quand ils cessent leur activité ; ceux qui ont déjà dépassé l'âge d'un scénario y sont comptés comme partis dès {REFERENCE_YEAR}, d'où des effectifs de départ différents selon les scénarios. Aucune installation nouvelle n'est supposée, pour montrer ce qu'il faut remplacer ; la dernière colonne dit combien d'installations par an garderaient la densité d'aujourd'hui. Le besoin suit le vieillissement de la population : consultations par âge (pondérations de l'APL, DREES), {} consultations par habitant et {} par ETP de médecin.</p>",
            plural(gps.count, "médecin généraliste", "médecins généralistes"),
            if gps.count == 0 { String::new() } else { format!(" : {past} ont 62 ans ou plus, {soon} atteindront 62 ans d'ici cinq ans") },
            html::number(demand.consultations_per_person, 1),
            html::number(demand.consultations_per_fte, 0),
        ));
        h.push_str(&figure("projection-medecins"));
        let mut table_rows = Vec::new();
        for s in scenarios {
            for offset in [0, 5, HORIZON] {
                if let Some(row) = rows.iter().find(|r| r.scenario == s.name && r.supply.offset == offset) {
                    let y = &row.supply;
                    let interval = if html::number(y.headcount_low, 0) == html::number(y.headcount_high, 0) {
                        String::new()
                    } else {
                        format!(" <span class=\"small\">({} – {})</span>", html::number(y.headcount_low, 0), html::number(y.headcount_high, 0))
                    };
                    table_rows.push(vec![
                        esc(&scenario_label(&s.name)),
                        y.year.to_string(),
                        format!("{}{interval}", html::number(y.headcount, 0)),
                        html::number(y.fte, 1),
                        html::number(row.demand_fte, 1),
                        html::number(row.shortfall_fte, 1),
                        html::number(row.density_per_10000, 1),
                        row.entries_to_keep_density.map_or("—".into(), |v| html::number(v, 1)),
                    ]);
                }
            }
        }
        h.push_str(&html::table(
            &["Scénario", "Année", "Médecins (IC 95 %)", "ETP", "Besoin (ETP)", "Manque (ETP ; négatif : excédent)", "Pour 10 000 hab.", "Installations par an pour garder la densité"],
            &table_rows,
        ));
    }
    h.push_str("</section>");

    // Comparaison aux territoires similaires.
    h.push_str(&format!("<section id=\"territoires-similaires\"><h2>{}</h2>", sections[8].1));
    h.push_str(&figure("profil-epci"));
    match bench {
        Ok(b) => h.push_str(&benchmark_html(b)?),
        Err(why) => h.push_str(&format!(
            "<p>Pas de comparaison aux EPCI avec ces données : le profil socio-démographique du territoire (structure d'âge, chômage, part de bénéficiaires de la C2S) n'y est pas complet.</p><p class=\"small\">Détail : {}</p>",
            esc(why)
        )),
    }
    for c in figures.iter().filter(|c| c.stem.starts_with("entonnoir-")) {
        h.push_str(&figure(&c.stem));
    }
    h.push_str("</section>");

    // Méthodes et sources.
    h.push_str(&format!("<section id=\"methodes-et-sources\"><h2>{}</h2>", sections[9].1));
    h.push_str(METHODS);
    let mut by_source: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for row in &d.rows {
        let year = data.years.get(&row.indicator.numerator.measure).map_or(String::new(), |y| y.to_string());
        let e = by_source.entry(row.indicator.source.as_str()).or_default();
        if !year.is_empty() && !e.contains(&year) {
            e.push(year);
        }
    }
    let source_rows: Vec<Vec<String>> = by_source.iter().map(|(s, y)| vec![esc(s), esc(&y.join(", "))]).collect();
    h.push_str(&format!(
        "<h3>Sources des données</h3><p>Données chargées : {}. Référentiel des communes : {}.</p>{}",
        esc(&data.label),
        esc(crate::geo::referential::SOURCE),
        html::table(&["Source", "Année des données"], &source_rows)
    ));
    h.push_str("</section></body></html>\n");
    Ok(h)
}

/// The peers and the ranks among the EPCI of France.
fn benchmark_html(b: &Benchmark) -> Result<String> {
    let mut h = String::new();
    let peers = &b.peers;
    let (codes, names, distances) = (peers.column("code")?.str()?, peers.column("name")?.str()?, peers.column("distance")?.f64()?);
    let peer_rows: Vec<Vec<String>> = (0..peers.height())
        .map(|i| vec![esc(codes.get(i).unwrap_or_default()), esc(names.get(i).unwrap_or_default()), distances.get(i).map_or("—".into(), |v| html::number(v, 2))])
        .collect();
    h.push_str(&format!(
        "<h3>Les {} EPCI les plus proches par le profil</h3><p class=\"small\">Proximité sur la structure d'âge (moins de 15 ans, 65 ans et plus), le chômage, la part de bénéficiaires de la C2S et l'ordre de grandeur de la densité (de la population quand les données n'ont pas la superficie des communes), en distance entre scores centrés réduits.</p>{}",
        peers.height(),
        html::table(&["Code", "EPCI", "Distance"], &peer_rows)
    ));
    let bench_rows: Vec<Vec<String>> = b
        .ranks
        .iter()
        .map(|row| {
            let ind = &row.indicator;
            let shown = |v: Option<f64>| v.map_or("—".into(), |v| html::value(Some(v), ind.method, &ind.unit, None));
            vec![
                esc(&ind.label),
                shown(row.value),
                row.rank_text(),
                row.quintile.map_or("—".into(), |q| q.to_string()),
                shown(row.peers_value),
                html::dot(row.against_peers[0], row.against_peers[1]) + " " + crate::compare::diagnose::french(row.against_peers[0]),
            ]
        })
        .collect();
    h.push_str(&format!(
        "<h3>Rang parmi les EPCI de France</h3><p class=\"small\">Rang 1 : la valeur la plus élevée ; quintile 5 : parmi les 20 % de valeurs les plus élevées, quintile 1 : parmi les 20 % les plus basses (qu'une valeur élevée soit bonne ou mauvaise dépend de l'indicateur : voir les thèmes ci-dessus). « Pairs » : les EPCI ci-dessus pris ensemble.</p>{}",
        html::table(&["Indicateur", "Valeur", "Rang", "Quintile", "Pairs", "Écart avec les pairs (95 %)"], &bench_rows)
    ));
    Ok(h)
}

/// The kind of a territory, in French.
fn kind_label(kind: crate::geo::perimeter::TerritoryKind) -> &'static str {
    use crate::geo::perimeter::TerritoryKind;
    match kind {
        TerritoryKind::Cpts => "CPTS",
        TerritoryKind::Cls => "CLS",
        TerritoryKind::Epci => "EPCI",
        TerritoryKind::Custom => "périmètre personnalisé",
    }
}

/// The sentence over a theme's table: what differs from France.
fn significant_sentence(rows: &[&Row]) -> String {
    if rows.iter().all(|r| r.flags[2][0] == Comparison::NotCompared) {
        return "<p>Pas de données comparables à la France sur ce thème.</p>".into();
    }
    let pick = |c: &[Comparison]| -> Vec<String> { rows.iter().filter(|r| c.contains(&r.flags[2][0])).map(|r| format!("« {} »", esc(&r.indicator.label))).collect() };
    let worse = pick(&[Comparison::Worse]);
    let better = pick(&[Comparison::Better]);
    let other = pick(&[Comparison::Higher, Comparison::Lower]);
    let mut parts = Vec::new();
    if !worse.is_empty() {
        parts.push(format!("moins bon que la France : {}", worse.join(", ")));
    }
    if !better.is_empty() {
        parts.push(format!("meilleur : {}", better.join(", ")));
    }
    if !other.is_empty() {
        parts.push(format!("différent : {}", other.join(", ")));
    }
    if parts.is_empty() {
        "<p>Aucun écart significatif avec la France (à 95 %) sur ce thème.</p>".into()
    } else {
        format!("<p>Écarts significatifs avec la France (à 95 %) — {}.</p>", parts.join(" ; "))
    }
}

/// The methods, each with its reference.
const METHODS: &str = "<h3>Méthodes</h3><ul>\
<li>Proportions : intervalle de Wilson (Wilson E.B., 1927, <i>J. Am. Stat. Assoc.</i> 22:209-212).</li>\
<li>Taux bruts : intervalle de Poisson exact (Garwood) sous 10 événements, approximation de Byar au-delà (Breslow &amp; Day, 1987, <i>Statistical Methods in Cancer Research</i> vol. II), comme les profils de santé publique anglais.</li>\
<li>Taux standardisés (méthode directe) : intervalle de Dobson et al. (1991, <i>Stat. Med.</i> 10:457-462), population standard européenne 2013 ou France.</li>\
<li>Indices comparatifs de mortalité (méthode indirecte, France = 100) : décès observés / attendus × 100, intervalle de Poisson (exact ou Byar) sur les décès observés.</li>\
<li>Espérance de vie : table de mortalité abrégée, méthode II de Chiang (1984), variance de la dernière classe ouverte selon Silcocks, Jenner &amp; Reza (2001, <i>J. Epidemiol. Community Health</i> 55:38-43).</li>\
<li>Écarts : un territoire est « moins bon » ou « meilleur » quand la valeur du comparateur est hors de son intervalle de confiance (95 % et 99,8 %).</li>\
<li>Entonnoirs : limites de contrôle à 95 % et 99,8 % (Spiegelhalter D.J., 2005, <i>Stat. Med.</i> 24:1185-1202).</li>\
<li>Secret statistique : une valeur dont l'effectif est sous le seuil du catalogue n'est pas affichée (« s ») ; dans les tableaux nationaux (<code>diagsante national</code>), une valeur qui permettrait de la retrouver par différence ne l'est pas non plus. Les âges des médecins ne sont détaillés que par classes d'au moins autant de médecins que ce seuil ; sous ce seuil pour tout le territoire, ni leurs âges ni leur projection ne sont diffusés. « n.d. » : donnée absente des données chargées.</li>\
<li>Projection des médecins : départs selon l'âge (62 ans, réforme des retraites de 2023, 67 ans, ou probabilités de départ observées calibrées sur DREES, Études et Résultats n° 1097) ; besoin en consultations par âge selon les pondérations de l'accessibilité potentielle localisée (APL, DREES).</li>\
<li>Territoires similaires : les plus proches par distance euclidienne entre profils centrés réduits.</li>\
<li>Couleurs : palette d'Okabe et Ito (2008), lisible par les personnes daltoniennes.</li></ul>";

/// The index page of several reports: one line per territory, with a link to its report.
pub fn index_page(entries: &[(Territory, String)], r: &Referential, data_label: &str) -> String {
    let mut h = String::from("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!("<title>Diagnostics territoriaux — diagsante</title><style>{}</style></head><body>", html::STYLE));
    h.push_str("<h1>Diagnostics territoriaux de santé</h1>");
    if data_label == DEMO_LABEL {
        h.push_str("<p class=\"banner\">Données synthétiques de démonstration : les chiffres de ces rapports sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ces territoires.</p>");
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(t, link)| {
            vec![
                format!("<a href=\"{}\">{}</a>", esc(link), esc(&t.name)),
                esc(&t.kind.as_str().to_uppercase()),
                t.commune_count(r).to_string(),
                html::number(t.population(r) as f64, 0),
                esc(&t.departements(r).iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")),
            ]
        })
        .collect();
    h.push_str(&html::table(&["Territoire", "Type", "Communes", "Population", "Département(s)"], &rows));
    h.push_str(&format!("<p class=\"small\">Données : {} · diagsante {}</p></body></html>\n", esc(data_label), env!("CARGO_PKG_VERSION")));
    h
}
