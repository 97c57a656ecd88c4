//! `diagsante report --contours FILE --map id,…`: the maps of the communes as choropleths on
//! real 2018 contours (former communes' codes remapped, unknown codes listed), and the
//! errors of a bad contours file or an unknown indicator. The maps without contours
//! (circles) are checked by `report::the_report_of_a_cpts…`.

use crate::{diagsante, realdata};

/// The CPTS Aliénor Ô Poitou (Vienne) on the real 2018 contours of Vienne, with a feature
/// whose code is no commune added: the maps are choropleths with one shape per current
/// commune of the territory, the 2018 codes of its merged communes remapped and the unknown
/// code listed in the methods.
#[test]
fn a_report_with_contours_draws_one_shape_per_current_commune_and_lists_the_codes_it_could_not_match() {
    let Some(vienne) = realdata("geo/contours/communes-86-vienne.geojson") else { return };
    let dir = tempfile::tempdir().unwrap();
    // The real file with one more feature, coded 86999 (no such commune).
    let text = std::fs::read_to_string(&vienne).unwrap();
    let extra = r#"{"type":"Feature","properties":{"code":"86999","nom":"Nulle part"},"geometry":{"type":"Polygon","coordinates":[[[0.1,46.1],[0.11,46.1],[0.11,46.11],[0.1,46.1]]]}}"#;
    let at = text.rfind("]}").expect("a FeatureCollection");
    let contours = dir.path().join("communes-86-vienne-plus.geojson");
    std::fs::write(&contours, format!("{},{extra}{}", &text[..at], &text[at..])).unwrap();
    let out = dir.path().join("out");
    let o = diagsante()
        .args(["report", "--territory", "cpts-alienor-o-poitou", "--format", "html", "--map", "densite_infirmiers", "--out"])
        .arg(&out)
        .arg("--contours")
        .arg(&contours)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let charts = out.join("graphiques");
    // The three default maps and the one asked for, as SVG and PNG.
    for stem in ["carte-apl", "carte-densite_mg", "carte-part_75_plus", "carte-densite_infirmiers"] {
        assert!(charts.join(format!("{stem}.png")).exists(), "{stem}.png");
        let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
        // 26 current communes in the CPTS (the CC du Haut Poitou's 27 but Quinçay), from 30
        // features of 2018: Saint-Martin-la-Pallu (86123) is 86123, 86021, 86056 and 86166 of
        // 2018, Boivre-la-Vallée (86281) is 86281 and 86277.
        assert_eq!(svg.matches("<path class=\"commune\"").count(), 26, "{stem}");
        assert_eq!(svg.matches("<path class=\"commune\" data-code=\"86123\"").count(), 1, "{stem}: one shape for Saint-Martin-la-Pallu");
        let saint_martin = svg.split("<path class=\"commune\" data-code=\"86123\" d=\"").nth(1).unwrap();
        let d = &saint_martin[..saint_martin.find('"').unwrap()];
        assert!(d.matches('M').count() >= 4, "{stem}: the four 2018 communes' polygons in one path");
        for code in ["86021", "86056", "86166", "86277"] {
            assert!(!svg.contains(&format!("data-code=\"{code}\"")), "{stem}: {code} is a former code");
        }
        assert!(svg.contains("class=\"territoire\"") && svg.contains("limite du territoire"), "{stem}");
        assert!(svg.contains("Source : contours communes-86-vienne-plus.geojson"), "{stem}");
        assert!(!svg.contains("Population (habitants)"), "{stem}: no circles");
    }
    // The APL's map has the communes of Vienne within 20 minutes, lighter.
    let apl = std::fs::read_to_string(charts.join("carte-apl.svg")).unwrap();
    assert!(apl.matches("<path class=\"voisine\"").count() > 20);
    assert!(apl.contains("data-code=\"86194\""), "Poitiers is within 20 minutes");
    let html = std::fs::read_to_string(out.join("rapport.html")).unwrap();
    let methods = &html[html.find("Méthodes et sources</h2>").expect("the methods section")..];
    assert!(methods.contains("86021 → 86123") && methods.contains("86277 → 86281"), "the territory's remapped codes");
    assert!(methods.contains("non reconnus dans le Code officiel géographique, non dessinés : 86999."), "the unknown code");
    assert!(methods.contains("propriété « code »"));
    // Each map in its theme's section.
    let section_of = |stem: &str| {
        let at = html.find(&format!("graphiques/{stem}.png")).unwrap();
        let h2 = html[..at].rfind("<h2").unwrap();
        html[h2..].split_once("</h2>").unwrap().0.rsplit('>').next().unwrap().to_owned()
    };
    assert_eq!(section_of("carte-apl"), "Accès aux soins");
    assert_eq!(section_of("carte-part_75_plus"), "Contexte démographique");
    assert_eq!(section_of("carte-densite_infirmiers"), "Offre de soins");
}

#[test]
fn a_bad_contours_file_or_an_unknown_indicator_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("communes.geojson");
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"x"},"geometry":null}]}"#).unwrap();
    let out = dir.path().join("out");
    let o = diagsante().args(["report", "--territory", "cpts-camargue-gardoise", "--out"]).arg(&out).arg("--contours").arg(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("communes.geojson") && err.contains("GeoJSON"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let o = diagsante()
        .args(["report", "--territory", "cpts-camargue-gardoise", "--map", "densite_mg,pas_un_indicateur", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pas_un_indicateur") && err.contains("indicators.toml"), "{err}");
    assert!(!out.exists(), "nothing written");
}
