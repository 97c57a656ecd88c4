//! The report's HTML page: the report's document ([`super::document::Document`]) rendered
//! section by section, with the figures inline. Rendering only: every word, number and
//! choice of what to show comes from the document and the model; French number formats,
//! escaping and tables come from [`super::html`].

use super::document::{Block, Document, Span, Table};
use super::figures::Drawn;
use super::html::{self, esc};
use super::{Synthetic, CHARTS_DIR};
use crate::geo::{Referential, Territory};

/// The page of `doc`, with its drawn `figures`.
pub fn render(doc: &Document, figures: &[Drawn]) -> String {
    let mut h = head(doc);
    for s in &doc.sections {
        let heading = if s.main { "h2" } else { "h3" };
        h.push_str(&format!("<section id=\"{}\"><{heading}>{}</{heading}>", s.id, esc(&s.title)));
        for block in &s.blocks {
            h.push_str(&block_html(block, figures));
        }
        h.push_str("</section>");
    }
    h.push_str("</body></html>\n");
    h
}

/// The head, title, synthetic-data banner and table of contents.
fn head(doc: &Document) -> String {
    let mut h = String::new();
    h.push_str(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    h.push_str(&format!("<title>Diagnostic territorial — {}</title><style>{}</style></head><body>", esc(doc.name), html::STYLE));
    h.push_str(&format!("<h1>{}</h1>", esc(&doc.title)));
    if let Some(banner) = doc.banner {
        h.push_str(&format!("<p class=\"banner\">{}</p>", esc(banner)));
    }
    h.push_str(&format!("<p class=\"meta\">{}</p>", esc(&doc.meta)));
    h.push_str("<nav><ol>");
    for s in doc.sections.iter().filter(|s| s.main) {
        h.push_str(&format!("<li><a href=\"#{}\">{}</a></li>", s.id, esc(&s.title)));
    }
    h.push_str("</ol></nav>");
    h
}

/// A block of a section.
fn block_html(block: &Block, figures: &[Drawn]) -> String {
    match block {
        Block::Text(spans) => format!("<p>{}</p>", spans_html(spans)),
        Block::Small(spans) => format!("<p class=\"small\">{}</p>", spans_html(spans)),
        Block::Heading(title) => format!("<h3>{}</h3>", esc(title)),
        Block::List(items) => format!("<ul>{}</ul>", items.iter().map(|i| format!("<li>{}</li>", spans_html(i))).collect::<String>()),
        Block::Figure(f) => figure_html(figures, &f.stem),
        Block::Indicators(t) => {
            let rows: Vec<_> = t.rows.iter().collect();
            html::indicator_table(&rows, t.data, t.comparators)
        }
        Block::Table(t) => table_html(t),
        // Open, so that the list prints.
        Block::Folded { summary, table } => format!("<details open><summary>{}</summary>{}</details>", esc(summary), table_html(table)),
        Block::Legend => html::dot_legend(),
    }
}

/// Spans as HTML, escaped.
fn spans_html(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) => esc(t),
            Span::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Span::Italic(t) => format!("<i>{}</i>", esc(t)),
            Span::Code(t) => format!("<code>{}</code>", esc(t)),
            Span::Small(t) => format!("<span class=\"small\">{}</span>", esc(t)),
        })
        .collect()
}

/// A plain table; a cell showing a comparison gets its dot.
fn table_html(t: &Table) -> String {
    let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c.against {
                    Some([a, b]) => format!("{} {}", html::dot(a, b), spans_html(&c.spans)),
                    None => spans_html(&c.spans),
                })
                .collect()
        })
        .collect();
    html::table(&header, &rows)
}

/// A figure with its caption and links to its files, or nothing when it was not drawn.
fn figure_html(figures: &[Drawn], stem: &str) -> String {
    figures.iter().find(|f| f.stem == stem).map_or(String::new(), |f| {
        format!(
            "<figure>{}<figcaption>{} <a href=\"{CHARTS_DIR}/{}.png\">PNG</a> · <a href=\"{CHARTS_DIR}/{}.svg\">SVG</a></figcaption></figure>",
            f.svg,
            esc(&f.caption),
            esc(&f.stem),
            esc(&f.stem)
        )
    })
}

/// The index page of several reports: one line per territory (its report in `folder`), with
/// links to its page, Word document and workbook.
pub fn index_page(entries: &[(Territory, String)], r: &Referential, data_label: &str, synthetic: Synthetic) -> String {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    h.push_str(&format!("<title>Diagnostics territoriaux — diagsante</title><style>{}</style></head><body>", html::STYLE));
    h.push_str("<h1>Diagnostics territoriaux de santé</h1>");
    match synthetic {
        Synthetic::All => h.push_str("<p class=\"banner\">Données synthétiques de démonstration : les chiffres de ces rapports sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ces territoires.</p>"),
        Synthetic::Some => h.push_str("<p class=\"banner\">Données en partie synthétiques : dans ces rapports, les chiffres marqués « données synthétiques de démonstration » sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ces territoires ; les autres sont des données publiques réelles, dont chaque ligne dit la source et l'année.</p>"),
        Synthetic::None => {}
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(t, folder)| {
            let link = |file: &str| esc(&format!("{folder}/{file}"));
            vec![
                format!("<a href=\"{}\">{}</a>", link(super::REPORT_FILE), esc(&t.name)),
                esc(&t.kind.as_str().to_uppercase()),
                t.commune_count(r).to_string(),
                html::number(t.population(r) as f64, 0),
                esc(&t.departements(r).iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")),
                format!("<a href=\"{}\">Word</a> · <a href=\"{}\">Excel</a>", link(super::DOCX_FILE), link(super::XLSX_FILE)),
            ]
        })
        .collect();
    h.push_str(&html::table(&["Territoire", "Type", "Communes", "Population", "Département(s)", "À modifier"], &rows));
    h.push_str(&format!("<p class=\"small\">Données : {} · diagsante {}</p></body></html>\n", esc(data_label), env!("CARGO_PKG_VERSION")));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_data_is_escaped() {
        let block = Block::Text(vec![Span::Plain("A <b> & \"c\"".into()), Span::Strong("<i>".into())]);
        assert_eq!(block_html(&block, &[]), "<p>A &lt;b&gt; &amp; &quot;c&quot;<strong>&lt;i&gt;</strong></p>");
    }

    #[test]
    fn a_figure_not_drawn_leaves_no_trace() {
        let drawn = [Drawn { stem: "pyramide".into(), caption: "Légende & co".into(), svg: "<svg/>".into(), png: vec![] }];
        assert_eq!(figure_html(&drawn, "profil-epci"), "");
        let html = figure_html(&drawn, "pyramide");
        assert!(html.starts_with("<figure><svg/><figcaption>Légende &amp; co "), "{html}");
        assert!(html.contains("href=\"graphiques/pyramide.png\""));
    }
}
