//! HTML pieces of the report: escaping, French number formats, tables with significance
//! dots, the page's style. Every text that comes from data goes through [`esc`].

use crate::compare::diagnose::{french, Row};
use crate::indicators::{Method, Value};
pub use crate::output::number;
use crate::stats::compare::Comparison;

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value with its unit, or « s » (withheld for statistical secrecy, whatever its kind) /
/// « n.d. » (not available), with the reason as a tooltip: both read from the value's
/// [`Withheld`](crate::indicators::Withheld) status.
pub fn value(v: &Value, method: Method, unit: &str) -> String {
    match v.estimate.value {
        Some(x) => quantity(x, method, unit),
        None if v.is_secret() => format!("<abbr title=\"{}\">s</abbr>", esc(&v.note().unwrap_or_default())),
        None => format!("<abbr title=\"{}\">n.d.</abbr>", esc(&v.note().unwrap_or_else(|| "non disponible".to_owned()))),
    }
}

/// A number with the decimals of its method and its unit.
pub fn quantity(x: f64, method: Method, unit: &str) -> String {
    let n = number(x, method.decimals(x));
    if unit.is_empty() {
        n
    } else {
        format!("{n}\u{a0}{}", esc(unit))
    }
}

/// CSS class of a comparison.
pub fn class(c: Comparison) -> &'static str {
    match c {
        Comparison::Worse => "worse",
        Comparison::Better => "better",
        Comparison::Higher => "higher",
        Comparison::Lower => "lower",
        Comparison::Similar => "similar",
        Comparison::NotCompared => "none",
    }
}

/// A significance dot: filled by the comparison at 95 %, ringed when it holds at 99.8 % too.
pub fn dot(at_95: Comparison, at_99_8: Comparison) -> String {
    if at_95 == Comparison::NotCompared {
        return String::new();
    }
    let strong = at_99_8 != Comparison::Similar && at_99_8 != Comparison::NotCompared;
    let title = format!("{} (95 %){}", french(at_95), if strong { " ; aussi à 99,8 %" } else { "" });
    format!("<span class=\"dot {}{}\" title=\"{}\"></span>", class(at_95), if strong { " strong" } else { "" }, esc(&title))
}

/// The legend of the dots.
pub fn dot_legend() -> String {
    let item = |c: Comparison, text: &str| format!("<span class=\"dot {}\"></span>\u{a0}{text}", class(c));
    format!(
        "<p class=\"legend\">Écart avec le comparateur (intervalle de confiance à 95 %) : {} · {} · {} · {} · {} · \
         <span class=\"dot worse strong\"></span>\u{a0}cerclé : l'écart tient aussi à 99,8 %.</p>",
        item(Comparison::Worse, "moins bon"),
        item(Comparison::Better, "meilleur"),
        item(Comparison::Higher, "plus élevé"),
        item(Comparison::Lower, "plus bas"),
        item(Comparison::Similar, "similaire"),
    )
}

/// The table of a theme: indicator, count, territory's value with its 95 % interval, and
/// each comparator's value with the territory's significance dot against it. `data` says
/// where each row comes from: once under the table when all rows share it, else under each
/// indicator's label.
pub fn indicator_table(rows: &[&Row], data: &[String], comparator_names: &[String; 3]) -> String {
    let shared = data.first().filter(|first| data.iter().all(|d| d == *first));
    let mut h = String::from("<table class=\"indicators\"><thead><tr><th>Indicateur</th><th>Effectif</th><th>Territoire</th><th>IC 95 %</th>");
    for name in comparator_names {
        h.push_str(&format!("<th>{}</th>", esc(name)));
    }
    h.push_str("<th>Note</th></tr></thead><tbody>");
    for (i, r) in rows.iter().enumerate() {
        let ind = &r.indicator;
        let (interval, count) = (super::document::interval_text(r), super::document::count_text(r));
        let origin = match (shared, data.get(i)) {
            (None, Some(d)) => format!("<br><span class=\"small\">{}</span>", esc(d)),
            _ => String::new(),
        };
        h.push_str(&format!(
            "<tr><td>{}{origin}</td><td class=\"num\">{count}</td><td class=\"num strong\">{}</td><td class=\"num\">{interval}</td>",
            esc(&ind.label),
            value(&r.territory, ind.method, &ind.unit),
        ));
        for k in 0..3 {
            let c = &r.comparators[k];
            // A comparator's caveat (e.g. data missing for some of its communes) as a
            // starred tooltip.
            let caveat = match (&c.estimate.value, c.note()) {
                (Some(_), Some(n)) => format!("<abbr class=\"caveat\" title=\"{}\">*</abbr>", esc(&n)),
                _ => String::new(),
            };
            h.push_str(&format!("<td class=\"num\">{}{caveat} {}</td>", value(c, ind.method, &ind.unit), dot(r.flags[k][0], r.flags[k][1])));
        }
        h.push_str(&format!("<td class=\"note\">{}</td></tr>", esc(&super::document::note_text(r))));
    }
    h.push_str("</tbody></table>");
    if let Some(d) = shared {
        h.push_str(&format!("<p class=\"small\">Données : {}</p>", esc(d)));
    }
    h
}

/// A plain table: header and rows of already-escaped HTML cells.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut h = String::from("<table><thead><tr>");
    for c in header {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr></thead><tbody>");
    for row in rows {
        h.push_str("<tr>");
        for c in row {
            h.push_str(&format!("<td>{c}</td>"));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

/// The page's style: readable on screen, printed on A4 without cut charts or tables.
pub const STYLE: &str = r#"
:root { --worse: #D55E00; --better: #009E73; --higher: #CC79A7; --lower: #56B4E9; --similar: #F0E442; --ink: #222; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); max-width: 1060px; margin: 0 auto; padding: 24px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 28px; margin-bottom: 4px; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 40px; }
h3 { margin-top: 24px; }
.banner { background: #FBE3D6; border-left: 6px solid var(--worse); padding: 10px 14px; font-weight: bold; }
.meta { color: #555; }
nav ol { columns: 2; }
figure { margin: 16px 0; break-inside: avoid; } figure svg { width: 100%; height: auto; } figcaption { font-size: 13px; color: #555; }
table { border-collapse: collapse; width: 100%; margin: 10px 0; font-size: 13px; break-inside: auto; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } tr { break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; } td.strong { font-weight: bold; } td.note { font-size: 11px; color: #666; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1px solid #777; vertical-align: middle; }
.dot.worse { background: var(--worse); } .dot.better { background: var(--better); } .dot.higher { background: var(--higher); }
.dot.lower { background: var(--lower); } .dot.similar { background: var(--similar); } .dot.strong { border: 2px solid #000; }
.legend { font-size: 13px; color: #444; }
abbr.caveat { color: #a33; text-decoration: none; cursor: help; }
.small { font-size: 12px; color: #555; }
@page { size: A4; margin: 14mm; }
h2, h3 { break-after: avoid; }
@media print { body { max-width: none; padding: 0; font-size: 10pt; } table { font-size: 8.5pt; } section { break-before: page; } section#presentation { break-before: auto; } nav { display: none; } a { color: inherit; text-decoration: none; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<script>alert('x') & \"y\"</script>"), "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    }

    #[test]
    fn french_numbers() {
        assert_eq!(number(1234567.891, 1), "1\u{202f}234\u{202f}567,9");
        assert_eq!(number(-12.345, 2), "-12,35");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.01, 1), "0,0");
        assert_eq!(number(0.0, 0), "0");
    }

    #[test]
    fn withheld_and_missing_values_say_which() {
        use crate::indicators::Withheld;
        use crate::stats::{Estimate, Method as Interval};
        let withheld = |w: Withheld| value(&Value::withheld(Interval::Wilson, w), Method::Proportion, "%");
        let shown = |x: f64, m: Method, unit: &str| {
            let v = Value {
                count: None,
                denominator: None,
                estimate: Estimate { value: Some(x), limits: vec![None; 2], method: Interval::Exact, note: None },
                withheld: None,
            };
            value(&v, m, unit)
        };
        assert!(withheld(Withheld::Secret { threshold: 10.0 }).contains(">s<"));
        // Secret because an input cell is: « s » too, whatever the sentence says.
        assert!(withheld(Withheld::SecretInput).contains(">s<"));
        assert!(withheld(Withheld::SecretByDifference { other: "CC".into(), threshold: 11.0 }).contains(">s<"));
        assert!(withheld(Withheld::MissingInput { detail: "mesure absente des données".into() }).contains(">n.d.<"));
        assert!(withheld(Withheld::NotComputable { detail: "secret".into() }).contains(">n.d.<"));
        assert_eq!(shown(12.3, Method::Count, ""), "12,3");
        assert_eq!(shown(64878.0, Method::Count, ""), "64\u{202f}878");
        assert_eq!(shown(21.26, Method::Proportion, "%"), "21,3\u{a0}%");
    }

    #[test]
    fn dots_say_both_levels() {
        assert!(dot(Comparison::Worse, Comparison::Worse).contains("worse strong"));
        assert!(!dot(Comparison::Worse, Comparison::Similar).contains("strong"));
        assert_eq!(dot(Comparison::NotCompared, Comparison::NotCompared), "");
    }
}
