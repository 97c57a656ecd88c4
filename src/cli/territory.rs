//! `diagsante territory list|show`.

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::error::{Error, Result};
use crate::geo::{referential, Referential, Territory, SHIPPED};

#[derive(Debug, Subcommand)]
pub enum TerritoryCommand {
    /// List the territories shipped with diagsante (the five source documents).
    #[command(after_help = "Example:\n  diagsante territory list")]
    List,
    /// Show a territory: its communes, population, départements and comparators.
    ///
    /// TERRITORY is the path of a territory file (.toml) or the name of a shipped one.
    /// A territory file lists `communes`, `epci` and/or `departements`, and may
    /// `exclude` communes; see data/territories/ for examples.
    #[command(after_help = "Examples:\n  diagsante territory show cpts-camargue-gardoise\n  \
                            diagsante territory show my-cpts.toml --format json")]
    Show {
        /// Territory file (.toml) or shipped territory name.
        territory: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(cmd: TerritoryCommand) -> Result<()> {
    let r = Referential::embedded()?;
    match cmd {
        TerritoryCommand::List => list(&r),
        TerritoryCommand::Show { territory, format } => {
            let t = Territory::find(&territory, &r)?;
            for w in &t.warnings {
                eprintln!("warning: {w}");
            }
            match format {
                Format::Text => say_inline!("{}", show_text(&t, &r)),
                Format::Json => {
                    let text = serde_json::to_string_pretty(&show_json(&t, &r)).map_err(|e| Error::Internal(e.to_string()))?;
                    say!("{text}");
                }
            }
            Ok(())
        }
    }
}

fn list(r: &Referential) -> Result<()> {
    say!("{:<24} {:<28} {:<6} {:>8} {:>11}", "territory", "name", "kind", "communes", "population");
    for (id, _) in SHIPPED {
        let t = Territory::shipped(id, r).ok_or_else(|| Error::Internal(format!("{id} not shipped")))??;
        say!("{:<24} {:<28} {:<6} {:>8} {:>11}", id, t.name, t.kind.as_str(), t.commune_count(r), thousands(t.population(r)));
    }
    Ok(())
}

/// 54291 → "54,291".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn show_text(t: &Territory, r: &Referential) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let c = t.comparators(r);
    let name_of_dep = |code: &str| r.departements.get(code).map_or("", |d| d.name.as_str());
    let name_of_reg = |code: &str| r.regions.get(code).map_or("", |d| d.name.as_str());
    let _ = writeln!(s, "{} ({})", t.name, t.kind.as_str());
    let _ = writeln!(s, "  communes:     {}", t.commune_count(r));
    let _ = writeln!(s, "  population:   {}", thousands(t.population(r)));
    if let Some((area, source)) = area(t, r) {
        let _ = writeln!(s, "  area:         {area:.2} km² ({source})");
    }
    for (label, shares) in [("départements", t.departements(r)), ("régions", t.regions(r))] {
        let parts: Vec<String> =
            shares.iter().map(|s| format!("{} {} ({} communes, {} inhabitants)", s.code, s.name, s.units, thousands(s.population))).collect();
        let _ = writeln!(s, "  {label:<13} {}", parts.join("; "));
    }
    let _ = writeln!(
        s,
        "  comparators:  département {} {}, région {} {}, France",
        c.departement,
        name_of_dep(&c.departement),
        c.region,
        name_of_reg(&c.region)
    );
    if let Some(note) = &c.note {
        let _ = writeln!(s, "  note:         {note}");
    }
    let _ = writeln!(s, "  source:       {}", referential::SOURCE);
    let _ = writeln!(s);
    let _ = writeln!(s, "  {:<6} {:<40} {:>10}", "code", "commune", "population");
    for u in t.units(r) {
        let pop = u.population.map_or_else(|| "n/a".to_owned(), thousands);
        let _ = writeln!(s, "  {:<6} {:<40} {:>10}", u.code, u.name, pop);
    }
    s
}

/// The territory's area from the embedded real data (see `crate::demo::real::area`), with its
/// source; `None` when a commune has none (or the data cannot be read: the rest is still shown).
fn area(t: &Territory, r: &Referential) -> Option<(f64, String)> {
    let units: Vec<String> = t.units(r).map(|u| u.code.clone()).collect();
    crate::demo::real::area(&units).ok().flatten().map(|(a, p)| (a, p.to_string()))
}

fn show_json(t: &Territory, r: &Referential) -> serde_json::Value {
    let c = t.comparators(r);
    let area = area(t, r);
    let dep = r.departements.get(&c.departement);
    let reg = r.regions.get(&c.region);
    json!({
        "id": t.id,
        "name": t.name,
        "kind": t.kind.as_str(),
        "commune_count": t.commune_count(r),
        "population": t.population(r),
        "area_km2": area.as_ref().map(|a| a.0),
        "area_source": area.as_ref().map(|a| &a.1),
        "communes": t.units(r).map(|u| json!({
            "code": u.code, "name": u.name, "kind": u.kind, "commune": u.commune,
            "population": u.population,
        })).collect::<Vec<_>>(),
        "departement": { "code": c.departement, "name": dep.map(|d| &d.name) },
        "region": { "code": c.region, "name": reg.map(|d| &d.name) },
        "departements": t.departements(r),
        "regions": t.regions(r),
        "comparators": {
            "departement": c.departement, "region": c.region, "france": "France", "note": c.note,
        },
        "warnings": t.warnings,
        "source": referential::SOURCE,
    })
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(54_291), "54,291");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
