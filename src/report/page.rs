//! The report's HTML page: the model ([`super::model::Report`]) rendered section by section,
//! in the order of the CLS/CPTS diagnostics, with the figures inline. Rendering only: every
//! number and every choice of what to show comes from the model; French number formats,
//! escaping and tables come from [`super::html`].

use super::figures::Drawn;
use super::html::{self, esc};
use super::model::{plural, Differences, Presentation, Projection, Report, Similar, Theme};
use super::{Synthetic, CHARTS_DIR};
use crate::geo::{Referential, Territory};
use crate::project::territory::REFERENCE_YEAR;

/// The sections after the themes: id, title.
const PRESENTATION: (&str, &str) = ("presentation", "Présentation du territoire");
const PROJECTION: (&str, &str) = ("projection", "Projection démographique médicale");
const SIMILAR: (&str, &str) = ("territoires-similaires", "Comparaison aux territoires similaires");
const METHODS_AND_SOURCES: (&str, &str) = ("methodes-et-sources", "Méthodes et sources");

/// The page of `report`, with its drawn `figures`.
pub fn render(report: &Report, figures: &[Drawn]) -> String {
    let figure = |stem: &str| figure_html(figures, stem);
    let mut h = head(report);
    h.push_str(&presentation(report));
    for theme in &report.themes {
        h.push_str(&theme_section(theme, &report.comparators, &figure));
    }
    h.push_str(&others(report));
    h.push_str(&projection(&report.projection, &figure));
    h.push_str(&similar(&report.similar, figures, &figure));
    h.push_str(&methods_and_sources(report));
    h.push_str("</body></html>\n");
    h
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

fn section_start((id, title): (&str, &str)) -> String {
    format!("<section id=\"{id}\"><h2>{}</h2>", esc(title))
}

/// The head, title, synthetic-data banner and table of contents.
fn head(report: &Report) -> String {
    let mut h = String::new();
    h.push_str(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    h.push_str(&format!("<title>Diagnostic territorial — {}</title><style>{}</style></head><body>", esc(&report.name), html::STYLE));
    h.push_str(&format!("<h1>Diagnostic territorial de santé — {}</h1>", esc(&report.name)));
    match report.synthetic {
        Synthetic::All => h.push_str("<p class=\"banner\">Données synthétiques de démonstration : ces chiffres sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ce territoire. Seules les communes et leurs populations légales sont réelles.</p>"),
        Synthetic::Some => h.push_str("<p class=\"banner\">Données en partie synthétiques : les chiffres marqués « données synthétiques de démonstration » sont générés pour montrer l'outil et ne décrivent pas la santé réelle de ce territoire ; les autres sont des données publiques réelles. Chaque ligne des tableaux et chaque graphique dit d'où viennent ses chiffres (source et année).</p>"),
        Synthetic::None => {}
    }
    let [dep, reg, _] = &report.comparators;
    h.push_str(&format!(
        "<p class=\"meta\">Données : {} · comparateurs : {}, {}, France · diagsante {}</p>",
        esc(&report.data_label),
        esc(dep),
        esc(reg),
        env!("CARGO_PKG_VERSION")
    ));
    h.push_str("<nav><ol>");
    let themes = report.themes.iter().map(|t| (t.id, t.title));
    for (id, title) in std::iter::once(PRESENTATION).chain(themes).chain([PROJECTION, SIMILAR, METHODS_AND_SOURCES]) {
        h.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>", esc(title)));
    }
    h.push_str("</ol></nav>");
    h
}

/// The territory: communes, population, départements, growth and density, the list of
/// communes.
fn presentation(report: &Report) -> String {
    let p: &Presentation = &report.presentation;
    let mut h = section_start(PRESENTATION);
    h.push_str(&format!(
        "<p>{} ({}) regroupe <strong>{}</strong> et <strong>{}</strong> (populations légales du référentiel des communes).{}</p>",
        esc(&report.name),
        p.kind,
        plural(p.communes, "commune", "communes"),
        plural(p.population as usize, "habitant", "habitants"),
        p.description.as_deref().map_or(String::new(), |s| format!(" {}", esc(s))),
    ));
    let deps = &p.departements;
    let dep_text: Vec<String> = if deps.len() == 1 {
        deps.iter().map(|s| format!("{} ({})", esc(&s.name), esc(&s.code))).collect()
    } else {
        deps.iter()
            .map(|s| format!("{} ({}) : {} du territoire", esc(&s.name), esc(&s.code), plural(s.population as usize, "habitant", "habitants")))
            .collect()
    };
    h.push_str(&format!(
        "<p>Département{} : {}. Comparateurs retenus : {}, {} et la France.</p>",
        if deps.len() > 1 { "s" } else { "" },
        dep_text.join(" ; "),
        esc(&report.comparators[0]),
        esc(&report.comparators[1])
    ));
    if let Some(note) = &p.comparator_note {
        h.push_str(&format!("<p class=\"small\">{}</p>", esc(note)));
    }
    let signed = |v: f64| format!("{}{}", if v > 0.0 { "+" } else { "" }, html::number(v, 2));
    let growth = match &p.growth {
        Ok(g) => {
            let fr = g.france.map_or(String::new(), |f| format!(" (France : {} % par an)", signed(f)));
            format!("Évolution annuelle moyenne de la population de {} à {} : <strong>{} % par an</strong>{fr}.", g.from, g.to, signed(g.value))
        }
        Err(why) => format!("Évolution de la population : non calculée ({}).", esc(why)),
    };
    let density = match &p.density {
        Ok(d) => {
            let fr = d.france.map_or(String::new(), |f| format!(" (France : {})", html::number(f, 0)));
            format!("Densité : <strong>{} habitants par km²</strong>{fr}.", html::number(d.value, if d.value < 100.0 { 1 } else { 0 }))
        }
        Err(why) => format!("Densité : non calculée ({}).", esc(why)),
    };
    let area =
        p.area.as_ref().map_or(String::new(), |(a, source)| format!(" Superficie : <strong>{} km²</strong> ({}).", html::number(*a, 2), esc(source)));
    h.push_str(&format!("<p>{growth} {density}{area}</p>"));
    let mut list: Vec<Vec<String>> = p
        .units
        .iter()
        .map(|(code, name, population)| vec![esc(code), esc(name), population.map_or("—".into(), |p| html::number(p as f64, 0))])
        .collect();
    // By name as shown.
    list.sort_by(|a, b| a[1].cmp(&b[1]));
    // Open, so that the list prints.
    h.push_str(&format!(
        "<details open><summary>{}</summary>{}</details></section>",
        plural(p.units.len(), "commune", "communes"),
        html::table(&["Code", "Commune", "Population"], &list)
    ));
    h
}

/// A theme: what differs from France, the table of its indicators, its figures.
fn theme_section(theme: &Theme, comparators: &[String; 3], figure: &dyn Fn(&str) -> String) -> String {
    let mut h = section_start((theme.id, theme.title));
    if theme.theme == "démographie" {
        h.push_str(&figure("pyramide"));
    }
    if theme.rows.is_empty() {
        h.push_str("<p>Aucun indicateur de ce thème dans le catalogue.</p>");
    } else {
        let rows: Vec<_> = theme.rows.iter().collect();
        h.push_str(&differences(&theme.differences));
        h.push_str(&html::indicator_table(&rows, &theme.data, comparators));
        h.push_str(&html::dot_legend());
    }
    h.push_str(&figure(&format!("comparaison-{}", theme.id)));
    if theme.theme == "offre de soins" {
        h.push_str(&figure("ages-medecins"));
    }
    h.push_str("</section>");
    h
}

/// The sentence over a theme's table: what differs from France.
fn differences(d: &Differences) -> String {
    if !d.compared {
        return "<p>Pas de données comparables à la France sur ce thème.</p>".into();
    }
    let quoted = |labels: &[String]| labels.iter().map(|l| format!("« {} »", esc(l))).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !d.worse.is_empty() {
        parts.push(format!("moins bon que la France : {}", quoted(&d.worse)));
    }
    if !d.better.is_empty() {
        parts.push(format!("meilleur : {}", quoted(&d.better)));
    }
    if !d.other.is_empty() {
        parts.push(format!("différent : {}", quoted(&d.other)));
    }
    if parts.is_empty() {
        "<p>Aucun écart significatif avec la France (à 95 %) sur ce thème.</p>".into()
    } else {
        format!("<p>Écarts significatifs avec la France (à 95 %) — {}.</p>", parts.join(" ; "))
    }
}

/// The GP projection: why there is none, or the GPs, the chart and the table.
fn projection(projection: &Projection, figure: &dyn Fn(&str) -> String) -> String {
    let mut h = section_start(PROJECTION);
    match projection {
        Projection::Withheld { min_count } => h.push_str(&format!(
            "<p>Moins de {min_count} médecins généralistes exercent sur le territoire : leurs âges et leur projection ne sont pas diffusés (secret statistique).</p>"
        )),
        Projection::Missing => h.push_str("<p>Pas de projection : les données chargées n'ont pas de population par sexe et âge pour ce territoire.</p>"),
        Projection::Projected(p) => {
            h.push_str(&format!(
                "<p>{} exercent sur le territoire en {REFERENCE_YEAR}{}. Chaque scénario fixe quand ils cessent leur activité ; ceux qui ont déjà dépassé l'âge d'un scénario y sont comptés comme partis dès {REFERENCE_YEAR}, d'où des effectifs de départ différents selon les scénarios. Aucune installation nouvelle n'est supposée, pour montrer ce qu'il faut remplacer ; la dernière colonne dit combien d'installations par an garderaient la densité d'aujourd'hui. Le besoin suit le vieillissement de la population : consultations par âge (pondérations de l'APL, DREES), {} consultations par habitant et {} par ETP de médecin.</p>",
                plural(p.gps, "médecin généraliste", "médecins généralistes"),
                if p.gps == 0 { String::new() } else { format!(" : {} ont 62 ans ou plus, {} atteindront 62 ans d'ici cinq ans", p.past, p.soon) },
                html::number(p.assumptions.consultations_per_person, 1),
                html::number(p.assumptions.consultations_per_fte, 0),
            ));
            h.push_str(&figure("projection-medecins"));
            let rows: Vec<Vec<String>> = p
                .table
                .iter()
                .map(|(scenario, row)| {
                    let y = &row.supply;
                    let interval = if html::number(y.headcount_low, 0) == html::number(y.headcount_high, 0) {
                        String::new()
                    } else {
                        format!(" <span class=\"small\">({} – {})</span>", html::number(y.headcount_low, 0), html::number(y.headcount_high, 0))
                    };
                    vec![
                        esc(scenario),
                        y.year.to_string(),
                        format!("{}{interval}", html::number(y.headcount, 0)),
                        html::number(y.fte, 1),
                        html::number(row.demand_fte, 1),
                        html::number(row.shortfall_fte, 1),
                        html::number(row.density_per_10000, 1),
                        row.entries_to_keep_density.map_or("—".into(), |v| html::number(v, 1)),
                    ]
                })
                .collect();
            h.push_str(&html::table(
                &["Scénario", "Année", "Médecins (IC 95 %)", "ETP", "Besoin (ETP)", "Manque (ETP ; négatif : excédent)", "Pour 10 000 hab.", "Installations par an pour garder la densité"],
                &rows,
            ));
        }
    }
    h.push_str("</section>");
    h
}

/// The indicators of no theme (published values among them), if any.
fn others(report: &Report) -> String {
    if report.others.is_empty() {
        return String::new();
    }
    let rows: Vec<_> = report.others.iter().collect();
    format!(
        "<section id=\"autres\"><h3>Autres indicateurs (dont valeurs publiées)</h3>{}</section>",
        html::indicator_table(&rows, &report.others_data, &report.comparators)
    )
}

/// The territory among the EPCI of France: its profile, peers and ranks (or why there are
/// none), its funnel plots.
fn similar(similar: &Result<Similar, String>, figures: &[Drawn], figure: &dyn Fn(&str) -> String) -> String {
    let mut h = section_start(SIMILAR);
    h.push_str(&figure("profil-epci"));
    h.push_str(&match similar {
        Ok(similar) => similar_html(similar),
        Err(why) => format!(
            "<p>Pas de comparaison aux EPCI avec ces données : le profil socio-démographique du territoire (structure d'âge, chômage, part de bénéficiaires de la C2S) n'y est pas complet.</p><p class=\"small\">Détail : {}</p>",
            esc(why)
        ),
    });
    for f in figures.iter().filter(|f| f.stem.starts_with("entonnoir-")) {
        h.push_str(&figure(&f.stem));
    }
    h.push_str("</section>");
    h
}

/// The peers and the ranks among the EPCI of France.
fn similar_html(s: &Similar) -> String {
    let mut h = String::new();
    let peer_rows: Vec<Vec<String>> =
        s.peers.iter().map(|p| vec![esc(&p.code), esc(&p.name), p.distance.map_or("—".into(), |v| html::number(v, 2))]).collect();
    h.push_str(&format!(
        "<h3>Les {} EPCI les plus proches par le profil</h3><p class=\"small\">Proximité sur la structure d'âge (moins de 15 ans, 65 ans et plus), le chômage, la part de bénéficiaires de la C2S et l'ordre de grandeur de la densité (de la population quand les données n'ont pas la superficie des communes), en distance entre scores centrés réduits.</p>{}",
        s.peers.len(),
        html::table(&["Code", "EPCI", "Distance"], &peer_rows)
    ));
    let rank_rows: Vec<Vec<String>> = s
        .ranks
        .iter()
        .map(|row| {
            let ind = &row.indicator;
            let shown = |v: Option<f64>| v.map_or("—".into(), |v| html::quantity(v, ind.method, &ind.unit));
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
        html::table(&["Indicateur", "Valeur", "Rang", "Quintile", "Pairs", "Écart avec les pairs (95 %)"], &rank_rows)
    ));
    h
}

/// The methods with their references, and the sources of the data.
fn methods_and_sources(report: &Report) -> String {
    let mut h = section_start(METHODS_AND_SOURCES);
    h.push_str(METHODS);
    let source_rows: Vec<Vec<String>> = report.sources.iter().map(|(s, years)| vec![esc(s), esc(&years.join(", "))]).collect();
    h.push_str(&format!(
        "<h3>Sources des données</h3><p>Données chargées : {}. Référentiel des communes : {}.</p>{}",
        esc(&report.data_label),
        esc(crate::geo::referential::SOURCE),
        html::table(&["Source", "Année des données"], &source_rows)
    ));
    h.push_str("</section>");
    h
}

/// The index page of several reports: one line per territory, with a link to its report.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differences_are_said_in_one_sentence_with_the_labels_escaped() {
        let d = Differences { compared: true, worse: vec!["A <b>".into()], better: vec![], other: vec!["C".into(), "D".into()] };
        assert_eq!(
            differences(&d),
            "<p>Écarts significatifs avec la France (à 95 %) — moins bon que la France : « A &lt;b&gt; » ; différent : « C », « D ».</p>"
        );
        let none = Differences { compared: true, worse: vec![], better: vec![], other: vec![] };
        assert!(differences(&none).contains("Aucun écart significatif"));
        assert!(differences(&Differences { compared: false, ..none }).contains("Pas de données comparables"));
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
