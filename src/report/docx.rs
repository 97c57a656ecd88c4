//! The report as a Word document (`rapport.docx`): the report's document
//! ([`super::document`]) in Word's built-in styles — Title, Heading 1 and 2 (« Titre »,
//! « Titre 1 », « Titre 2 » in French Word, so that the navigation pane and the table of
//! contents work), Caption (« Légende ») — with real tables (the significance as cell
//! shading, with its legend) and every chart as its print-resolution PNG with its caption and
//! source. A4 portrait, 2 cm margins, Arial 10 pt, French as the proofing language: what a
//! coordinator would keep.
//!
//! Written with `docx-rs`, which escapes text; data strings are also cleared of the control
//! characters XML cannot hold ([`clean`]).

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, IndentLevel, Level, LevelJc, LevelText, LineSpacing, LineSpacingType, NumberFormat,
    Numbering, NumberingId, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading, SpecialIndentType, Start, Style, StyleType, Table,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::document::{self, Block, Document, Indicators, Span, LEGEND};
use super::figures::Drawn;
use crate::error::{Error, Result};

/// A4 in twentieths of a point, and its margins (2 cm).
const PAGE: (u32, u32) = (11906, 16838);
const MARGIN: i32 = 1134;
/// The width of the text, in twentieths of a point.
const TEXT_WIDTH: usize = PAGE.0 as usize - 2 * MARGIN as usize;
/// English Metric Units per twentieth of a point.
const EMU_PER_TWIP: u64 = 635;
/// The tallest a chart may be on the page (22 cm), in EMU.
const MAX_FIGURE_HEIGHT: u64 = 22 * 360_000;

/// Line spacing, in multiples of a line: without its rule, LibreOffice reads it as exact and
/// clips the charts.
fn spacing() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Auto)
}

/// Styles of this document besides Word's built-in ones.
const SMALL: &str = "Petit";
const CELL: &str = "TexteTableau";
const BANNER: &str = "Bandeau";
/// The numbering of bulleted lists (docx-rs defines a numbered list as 1).
const BULLETS: usize = 2;

/// The Word document of `doc`, with its drawn `figures`.
pub fn render(doc: &Document, figures: &[Drawn]) -> Result<Vec<u8>> {
    let now = now_w3cdtf();
    let mut docx = Docx::new()
        .created_at(&now)
        .updated_at(&now)
        .page_size(PAGE.0, PAGE.1)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(567).footer(567))
        .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial").east_asia("Arial"))
        .default_size(20)
        .default_line_spacing(spacing().after(120).line(264))
        .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(
            Level::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left")).indent(
                Some(360),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        ))
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text(clean(&format!("{} — page ", doc.title))).size(16).color("555555"))
                    .add_page_num(PageNum::new()),
            ),
        );
    for style in styles() {
        docx = docx.add_style(style);
    }

    docx = docx.add_paragraph(Paragraph::new().style("Title").add_run(Run::new().add_text(clean(&doc.title))));
    if let Some(banner) = doc.banner {
        docx = docx.add_paragraph(Paragraph::new().style(BANNER).add_run(Run::new().add_text(clean(banner))));
    }
    // No table of contents: the one docx-rs writes shows its field code in LibreOffice. The
    // headings are Word's, so that the navigation pane lists them and a table of contents
    // inserted by the user (Références > Table des matières) is filled.
    docx = docx.add_paragraph(Paragraph::new().style(SMALL).add_run(Run::new().add_text(clean(&doc.meta))));

    let mut pictures = Vec::new();
    for (k, s) in doc.sections.iter().enumerate() {
        let mut heading = Paragraph::new().style(if s.main { "Heading1" } else { "Heading2" }).add_run(Run::new().add_text(clean(&s.title)));
        // Each main section on a new page, as the page prints.
        if s.main && k > 0 {
            heading = heading.page_break_before(true);
        }
        docx = docx.add_paragraph(heading);
        for block in &s.blocks {
            docx = add_block(docx, block, figures, &mut pictures);
        }
    }

    let mut xml = docx.build();
    xml.styles = french_proofing(&xml.styles);
    xml.document = describe_pictures(&xml.document, &pictures);
    xml.doc_props.core = properties(&xml.doc_props.core, &doc.title);
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| Error::Internal(format!("rapport.docx : {e}")))?;
    Ok(out.into_inner())
}

/// Text from data, safe in XML: the control characters XML 1.0 cannot hold are dropped, line
/// breaks and tabs become spaces (docx-rs escapes the markup characters).
pub fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => None,
            c => Some(c),
        })
        .collect()
}

/// Word's built-in styles the document uses (named as Word names them, so that a French Word
/// shows « Titre 1 » and lists them in the navigation pane), and its own.
fn styles() -> Vec<Style> {
    let heading = |id: &str, name: &str, size: usize, color: &str, level: usize, before: u32| {
        let mut s = Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
            .color(color)
            .outline_lvl(level)
            .line_spacing(spacing().before(before).after(120));
        s.paragraph_property = s.paragraph_property.keep_next(true).keep_lines(true);
        s
    };
    let mut banner =
        Style::new(BANNER, StyleType::Paragraph).name("Bandeau").based_on("Normal").bold().line_spacing(spacing().before(120).after(120));
    banner.paragraph_property = banner.paragraph_property.shading(Shading::new().fill("FBE3D6"));
    vec![
        Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").next("Normal").size(36).bold().color("222222"),
        heading("Heading1", "heading 1", 30, "0072B2", 0, 240),
        heading("Heading2", "heading 2", 24, "222222", 1, 200),
        Style::new("Caption", StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .next("Normal")
            .size(17)
            .italic()
            .color("444444")
            .line_spacing(spacing().after(240)),
        Style::new(SMALL, StyleType::Paragraph).name("Texte petit").based_on("Normal").size(17).color("555555"),
        Style::new(CELL, StyleType::Paragraph)
            .name("Texte de tableau")
            .based_on("Normal")
            .size(16)
            .line_spacing(spacing().before(0).after(0).line(240)),
        banner,
    ]
}

/// A paragraph of spans in style `style` (`None`: the normal text).
fn paragraph(spans: &[Span], style: Option<&str>) -> Paragraph {
    let mut p = Paragraph::new();
    if let Some(style) = style {
        p = p.style(style);
    }
    for s in spans {
        let run = Run::new().add_text(clean(s.text()));
        p = p.add_run(match s {
            Span::Plain(_) => run,
            Span::Strong(_) => run.bold(),
            Span::Italic(_) => run.italic(),
            Span::Code(_) => run.fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New")),
            Span::Small(_) => run.size(14).color("555555"),
        });
    }
    p
}

fn add_block(docx: Docx, block: &Block, figures: &[Drawn], pictures: &mut Vec<String>) -> Docx {
    match block {
        Block::Text(spans) => docx.add_paragraph(paragraph(spans, None)),
        Block::Small(spans) => docx.add_paragraph(paragraph(spans, Some(SMALL))),
        Block::Heading(title) => docx.add_paragraph(paragraph(&[Span::Plain(title.clone())], Some("Heading2"))),
        Block::List(items) => {
            items.iter().fold(docx, |d, item| d.add_paragraph(paragraph(item, None).numbering(NumberingId::new(BULLETS), IndentLevel::new(0))))
        }
        Block::Figure(f) => match figures.iter().find(|d| d.stem == f.stem) {
            Some(drawn) => {
                pictures.push(drawn.caption.clone());
                add_figure(docx, drawn, &f.frame.source, pictures.len())
            }
            None => docx,
        },
        Block::Indicators(t) => add_indicators(docx, t),
        Block::Table(t) => docx.add_table(table(t)),
        Block::Folded { summary, table: t } => {
            docx.add_paragraph(paragraph(&[Span::Plain(summary.clone())], None).keep_next(true)).add_table(table(t))
        }
        Block::Legend => docx.add_paragraph(legend()),
    }
}

/// Width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (png.len() >= 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR").then(|| (be(&png[16..20]), be(&png[20..24])))
}

/// A chart, the width of the text (less when it would be taller than 22 cm), then its
/// caption and source; figure `n` of the document.
fn add_figure(docx: Docx, f: &Drawn, source: &str, n: usize) -> Docx {
    let (w, h) = png_size(&f.png).unwrap_or((2000, 1200));
    let mut width = TEXT_WIDTH as u64 * EMU_PER_TWIP;
    let mut height = width * h as u64 / w.max(1) as u64;
    if height > MAX_FIGURE_HEIGHT {
        width = width * MAX_FIGURE_HEIGHT / height;
        height = MAX_FIGURE_HEIGHT;
    }
    let pic = Pic::new_with_dimensions(f.png.clone(), w, h).id(format!("rIdImage{n}")).size(width as u32, height as u32);
    docx.add_paragraph(Paragraph::new().align(AlignmentType::Center).keep_next(true).add_run(Run::new().add_image(pic))).add_paragraph(
        Paragraph::new()
            .style("Caption")
            .add_run(Run::new().add_text(clean(&format!("Figure {n} — {}", f.caption))))
            .add_run(Run::new().add_break(BreakType::TextWrapping).add_text(clean(source)).disable_italic()),
    )
}

/// Light grey lines between rows, as the page draws them.
fn borders() -> TableBorders {
    let line = |p| TableBorder::new(p).size(4).color("BFBFBF");
    TableBorders::with_empty().set(line(TableBorderPosition::Top)).set(line(TableBorderPosition::Bottom)).set(line(TableBorderPosition::InsideH))
}

/// A cell of `width` holding paragraphs.
fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs.into_iter().fold(TableCell::new().width(width, WidthType::Dxa), TableCell::add_paragraph)
}

/// A header row.
fn header_row(header: &[String], widths: &[usize]) -> TableRow {
    TableRow::new(
        header
            .iter()
            .zip(widths)
            .map(|(h, &w)| {
                cell(vec![Paragraph::new().style(CELL).add_run(Run::new().add_text(clean(h)).bold())], w).shading(Shading::new().fill("F2F2F2"))
            })
            .collect(),
    )
    .cant_split()
}

/// Whether a cell's text reads as a number (right-aligned): it starts with one, or is « — ».
fn numeric(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit()) || text == "—"
}

/// A plain table, its columns as wide as their longest text needs.
fn table(t: &document::Table) -> Table {
    let texts: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.spans.iter().map(Span::text).collect()).collect()).collect();
    let weights: Vec<usize> = (0..t.header.len())
        .map(|k| {
            let longest = texts.iter().map(|r| r.get(k).map_or(0, |c| c.chars().count())).max().unwrap_or(0);
            // A header wraps on its words; long text wraps too. Each cell has its margins.
            let header = t.header[k].split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
            longest.max(header).clamp(4, 36) + 3
        })
        .collect();
    let total: usize = weights.iter().sum();
    let widths: Vec<usize> = weights.iter().map(|w| TEXT_WIDTH * w / total.max(1)).collect();
    let mut rows = vec![header_row(&t.header, &widths)];
    for (row, text) in t.rows.iter().zip(&texts) {
        rows.push(
            TableRow::new(
                row.iter()
                    .zip(text)
                    .zip(&widths)
                    .enumerate()
                    .map(|(k, ((c, text), &w))| {
                        let mut p = paragraph(&c.spans, Some(CELL));
                        if k > 0 && numeric(text) {
                            p = p.align(AlignmentType::Right);
                        }
                        let mut cell = cell(vec![p], w);
                        if let Some(fill) = c.against.and_then(|a| document::shade(a[0])) {
                            cell = cell.shading(Shading::new().fill(fill));
                        }
                        cell
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(rows).set_grid(widths).layout(TableLayoutType::Fixed).width(TEXT_WIDTH, WidthType::Dxa).set_borders(borders())
}

/// The widths of a theme's table: indicator, count, value, interval, three comparators, note
/// (17 cm in all).
const INDICATOR_WIDTHS: [usize; 8] = [2300, 750, 1100, 1250, 1050, 1050, 1050, 1088];

/// A theme's table: each comparator's cell shaded by the territory's difference with it at
/// 95 % (bold when it holds at 99.8 % too); where the rows come from; the comparators'
/// caveats as starred notes under it.
fn add_indicators(docx: Docx, t: &Indicators) -> Docx {
    let shared = t.shared_data();
    let widths = INDICATOR_WIDTHS.to_vec();
    let header: Vec<String> = ["Indicateur", "Effectif", "Territoire", "IC 95 %"]
        .into_iter()
        .map(String::from)
        .chain(t.comparators.iter().cloned())
        .chain(std::iter::once("Note".to_owned()))
        .collect();
    let mut rows = vec![header_row(&header, &widths)];
    let mut caveats = Vec::new();
    let text = |s: String| Paragraph::new().style(CELL).add_run(Run::new().add_text(clean(&s)));
    let number = |s: String| text(s).align(AlignmentType::Right);
    for (i, r) in t.rows.iter().enumerate() {
        let ind = &r.indicator;
        let mut label = vec![text(ind.label.clone())];
        if let (None, Some(d)) = (shared, t.data.get(i)) {
            label.push(Paragraph::new().style(CELL).add_run(Run::new().add_text(clean(d)).size(14).color("555555")));
        }
        let value = Paragraph::new()
            .style(CELL)
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(clean(&document::value_text(&r.territory, ind.method, &ind.unit))).bold());
        let mut cells = vec![
            cell(label, widths[0]),
            cell(vec![number(document::count_text(r))], widths[1]),
            cell(vec![value], widths[2]),
            cell(vec![number(document::interval_text(r))], widths[3]),
        ];
        for k in 0..3 {
            let c = &r.comparators[k];
            let mut shown = document::value_text(c, ind.method, &ind.unit);
            // A comparator's caveat (e.g. data missing for some of its communes): starred,
            // said under the table.
            if let (Some(_), Some(note)) = (c.estimate.value, c.note()) {
                shown.push('*');
                caveats.push(format!("* {}, {} : {note}", t.comparators[k], ind.label));
            }
            let mut run = Run::new().add_text(clean(&shown));
            if document::strong(r.flags[k][1]) {
                run = run.bold();
            }
            let mut cell = cell(vec![Paragraph::new().style(CELL).align(AlignmentType::Right).add_run(run)], widths[4 + k]);
            if let Some(fill) = document::shade(r.flags[k][0]) {
                cell = cell.shading(Shading::new().fill(fill));
            }
            cells.push(cell);
        }
        let note = Paragraph::new().style(CELL).add_run(Run::new().add_text(clean(&document::note_text(r))).size(14).color("555555"));
        cells.push(cell(vec![note], widths[7]));
        rows.push(TableRow::new(cells).cant_split());
    }
    let mut docx =
        docx.add_table(Table::new(rows).set_grid(widths).layout(TableLayoutType::Fixed).width(TEXT_WIDTH, WidthType::Dxa).set_borders(borders()));
    if let Some(d) = shared {
        docx = docx.add_paragraph(paragraph(&[Span::Plain(format!("Données : {d}"))], Some(SMALL)));
    }
    for c in caveats {
        docx = docx.add_paragraph(paragraph(&[Span::Plain(c)], Some(SMALL)));
    }
    docx
}

/// The legend of the shading.
fn legend() -> Paragraph {
    let mut p = Paragraph::new().style(SMALL).add_run(Run::new().add_text("Écart avec le comparateur (intervalle de confiance à 95 %) : "));
    for (c, words) in LEGEND {
        let fill = document::shade(c).unwrap_or("FFFFFF");
        p = p.add_run(Run::new().add_text(format!(" {words} ")).shading(Shading::new().fill(fill)).color("000000")).add_run(Run::new().add_text(" "));
    }
    p.add_run(Run::new().add_text("; en gras : l'écart tient aussi à 99,8 %."))
}

/// Styles with French as the proofing language of all text (spelling, hyphenation), which
/// docx-rs cannot say.
fn french_proofing(styles: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(styles);
    let lang = "<w:lang w:val=\"fr-FR\" w:eastAsia=\"fr-FR\" w:bidi=\"ar-SA\" />";
    let patched = if text.contains("<w:rPrDefault><w:rPr />") {
        text.replacen("<w:rPrDefault><w:rPr />", &format!("<w:rPrDefault><w:rPr>{lang}</w:rPr>"), 1)
    } else {
        text.replacen("</w:rPr></w:rPrDefault>", &format!("{lang}</w:rPr></w:rPrDefault>"), 1)
    };
    patched.into_bytes()
}

/// Each picture with its own id and its caption as its description (alternative text, read
/// by screen readers): docx-rs numbers them all 1 and describes none.
fn describe_pictures(document: &[u8], captions: &[String]) -> Vec<u8> {
    let text = String::from_utf8_lossy(document);
    let mut parts = text.split("<wp:docPr id=\"1\" name=\"Figure\"");
    let mut out = parts.next().unwrap_or_default().to_owned();
    for (k, part) in parts.enumerate() {
        let descr = captions.get(k).map_or(String::new(), |c| xml_attribute(&clean(c)));
        out.push_str(&format!("<wp:docPr id=\"{}\" name=\"Figure {}\" descr=\"{descr}\"", k + 1, k + 1));
        out.push_str(part);
    }
    out.into_bytes()
}

/// The document's properties as Word shows them (Fichier › Informations): its title, its
/// language, and diagsante as its author instead of docx-rs's « unknown ».
fn properties(core: &[u8], title: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(core)
        .replace("<dc:creator>unknown</dc:creator>", "<dc:creator>diagsante</dc:creator>")
        .replace("<cp:lastModifiedBy>unknown</cp:lastModifiedBy>", "<cp:lastModifiedBy>diagsante</cp:lastModifiedBy>");
    let added = format!("<dc:title>{}</dc:title><dc:language>fr-FR</dc:language></cp:coreProperties>", xml_attribute(&clean(title)));
    text.replacen("</cp:coreProperties>", &added, 1).into_bytes()
}

/// The time now, UTC, as the document's properties write it (`2026-12-07T04:35:01Z`).
fn now_w3cdtf() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant, « chrono-Compatible Low-Level Date
    // Algorithms »).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// Text escaped for an XML attribute.
fn xml_attribute(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_is_cleared_of_what_xml_cannot_hold() {
        assert_eq!(clean("a\u{0}b\u{1b}c\td\ne\u{ffff}"), "abc d e");
        assert_eq!(clean("<&\"'>"), "<&\"'>", "markup is docx-rs's to escape");
        assert_eq!(xml_attribute("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
    }

    #[test]
    fn numbers_are_told_from_words() {
        for n in ["12", "1\u{202f}234,5\u{a0}%", "12 / 1\u{202f}255", "—", "-0,5", "31,2\u{a0}hab./km²"] {
            assert!(numeric(n), "{n}");
        }
        for w in ["Gard (30)", "départ à 62 ans", "", "Nîmes Métropole"] {
            assert!(!numeric(w), "{w}");
        }
    }

    #[test]
    fn the_date_is_written_as_w3cdtf() {
        let now = now_w3cdtf();
        assert_eq!(now.len(), 20, "{now}");
        let year: i32 = now[..4].parse().unwrap();
        assert!(year >= 2025, "{now}");
        assert!(now.ends_with('Z') && &now[4..5] == "-" && &now[10..11] == "T", "{now}");
    }

    #[test]
    fn properties_name_the_title_and_the_author() {
        let core = "<cp:coreProperties><dc:creator>unknown</dc:creator></cp:coreProperties>";
        let out = String::from_utf8(properties(core.as_bytes(), "Diagnostic — A & <B>")).unwrap();
        assert_eq!(
            out,
            "<cp:coreProperties><dc:creator>diagsante</dc:creator><dc:title>Diagnostic — A &amp; &lt;B&gt;</dc:title><dc:language>fr-FR</dc:language></cp:coreProperties>"
        );
    }

    #[test]
    fn pictures_get_their_own_ids_and_descriptions() {
        let xml = "<a><wp:docPr id=\"1\" name=\"Figure\" /></a><wp:docPr id=\"1\" name=\"Figure\" />";
        let out = String::from_utf8(describe_pictures(xml.as_bytes(), &["Âges & <sexes>".into(), "B".into()])).unwrap();
        assert_eq!(
            out,
            "<a><wp:docPr id=\"1\" name=\"Figure 1\" descr=\"Âges &amp; &lt;sexes&gt;\" /></a><wp:docPr id=\"2\" name=\"Figure 2\" descr=\"B\" />"
        );
    }
}
