//! Commune code normalisation, applied everywhere a commune code enters the program.
//!
//! - leading zeros lost by spreadsheets are restored ("1001" → "01001", "1001.0" too);
//! - Corsica's `2A`/`2B` are kept (and upper-cased);
//! - a commune déléguée/associée or a former code is mapped to its current commune, and
//!   the caller is told so it can warn;
//! - a municipal arrondissement (Paris 751xx, Lyon 6938x, Marseille 132xx) stays itself;
//! - anything else is an error naming the code.

use std::fmt;

use super::referential::{AliasKind, Referential};

/// A code resolved to a current unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub code: String,
    /// Set when the input was an alias (déléguée, associée, former code).
    pub remap: Option<Remap>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remap {
    pub from: String,
    pub kind: AliasKind,
    pub name: Option<String>,
}

impl fmt::Display for Remap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is a {}", self.from, self.kind.label())?;
        if let Some(name) = &self.name {
            write!(f, " ({name})")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Not shaped like a commune code at all.
    Malformed(String),
    /// Shaped like one, but absent from the referential.
    Unknown(String),
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeError::Malformed(raw) => write!(f, "«{raw}» is not a commune code (expected 5 characters such as 01001, 2A004 or 97101)"),
            CodeError::Unknown(code) => {
                write!(f, "unknown commune code «{code}» (not in the 2026 Code officiel géographique)")
            }
        }
    }
}

/// The syntactic part of normalisation: trims spaces and quotes, drops a spreadsheet's
/// `.0`, restores a lost leading zero and upper-cases Corsica. Does not look the code up.
pub fn canonical_code(raw: &str) -> Option<String> {
    let s = raw.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    let s = match s.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => s,
    };
    let bytes = s.as_bytes();
    if (4..=5).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_digit) {
        return Some(format!("{s:0>5}"));
    }
    if bytes.len() == 5 && bytes[0] == b'2' && matches!(bytes[1], b'a' | b'A' | b'b' | b'B') && bytes[2..].iter().all(u8::is_ascii_digit) {
        return Some(s.to_ascii_uppercase());
    }
    None
}

/// Département codes as people write them: "1" → "01", "2a" → "2A", "1.0" → "01".
pub fn normalise_departement(raw: &str) -> String {
    let s = raw.trim_matches(|c: char| c.is_whitespace() || c == '"').to_ascii_uppercase();
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    if s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{s}")
    } else {
        s
    }
}

/// A département code normalised and checked against the referential.
pub fn canonical_departement(raw: &str, r: &Referential) -> Option<String> {
    let code = normalise_departement(raw);
    r.departements.contains_key(&code).then_some(code)
}

impl Referential {
    /// Resolve a raw commune code to a current unit (commune or arrondissement).
    pub fn resolve(&self, raw: &str) -> Result<Resolved, CodeError> {
        let code = canonical_code(raw).ok_or_else(|| CodeError::Malformed(raw.trim().to_owned()))?;
        if self.unit(&code).is_some() {
            return Ok(Resolved { code, remap: None });
        }
        match self.alias(&code) {
            Some(alias) => {
                Ok(Resolved { code: alias.current.clone(), remap: Some(Remap { from: code, kind: alias.kind, name: alias.name.clone() }) })
            }
            None => Err(CodeError::Unknown(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_code("1001").as_deref(), Some("01001"));
        assert_eq!(canonical_code(" 01001 ").as_deref(), Some("01001"));
        assert_eq!(canonical_code("1001.0").as_deref(), Some("01001"));
        assert_eq!(canonical_code("\"2a004\"").as_deref(), Some("2A004"));
        assert_eq!(canonical_code("2B033").as_deref(), Some("2B033"));
        assert_eq!(canonical_code("97101").as_deref(), Some("97101"));
        for bad in ["", "123", "123456", "2C004", "ab123", "1001.5", "30 003"] {
            assert_eq!(canonical_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn resolves_against_the_referential() {
        let r = Referential::embedded().unwrap();
        let ok = |raw: &str| r.resolve(raw).unwrap();
        assert_eq!(ok("1001"), Resolved { code: "01001".into(), remap: None });
        assert_eq!(ok("2A004").code, "2A004");
        assert_eq!(ok("2a004").code, "2A004");
        // Arrondissements stay units of their own; their commune too.
        assert_eq!(ok("75112"), Resolved { code: "75112".into(), remap: None });
        assert_eq!(ok("69381").code, "69381");
        assert_eq!(ok("13201").code, "13201");
        assert_eq!(ok("75056").code, "75056");
        // Unknown and malformed codes are errors that name the code.
        assert_eq!(r.resolve("99999"), Err(CodeError::Unknown("99999".into())));
        assert!(r.resolve("99999").unwrap_err().to_string().contains("99999"));
        assert_eq!(r.resolve("abc"), Err(CodeError::Malformed("abc".into())));
    }

    #[test]
    fn deleguee_associee_and_former_codes_map_to_their_commune() {
        let r = Referential::embedded().unwrap();
        let cases = [
            ("01039", "01138", AliasKind::Deleguee), // Béon → Culoz-Béon
            ("1039", "01138", AliasKind::Deleguee),  // with its leading zero lost
            ("01120", "01262", AliasKind::Associee), // Cordieux → Montluel
            ("02285", "59545", AliasKind::Associee), // across a département border
            ("01126", "01033", AliasKind::Former),   // Châtillon-en-Michaille → Valserhône
        ];
        for (raw, current, kind) in cases {
            let got = r.resolve(raw).unwrap();
            assert_eq!(got.code, current, "{raw}");
            assert_eq!(got.remap.map(|m| m.kind), Some(kind), "{raw}");
        }
        // A déléguée sharing its commune nouvelle's code is the current commune itself.
        assert_eq!(r.resolve("01015").unwrap().remap, None);
    }
}
