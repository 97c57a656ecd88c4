//! Why a value is not shown, as a type. Every output reads it — the secondary suppression of
//! the national table and of a benchmark, the « s » / « n.d. » of the report, the `note` and
//! `status` columns of the tables — so that a value hidden for secrecy is treated as secret
//! everywhere, whatever its wording. The French and English sentences are renderings of it.

use std::fmt::Write as _;

use crate::stats::StatsError;

/// Why an indicator has no value in a geography.
#[derive(Debug, Clone, PartialEq)]
pub enum Withheld {
    /// Primary statistical secrecy: the count is under the indicator's threshold.
    Secret { threshold: f64 },
    /// One of its input counts is secret at source (a suppressed cell of the data).
    SecretInput,
    /// Secondary secrecy: with the other parts of its level and their total, it would give
    /// back a value withheld for secrecy.
    SecretComplement,
    /// Secrecy by difference: subtracted from (or subtracting) the published value of
    /// `other`, its count would give a count under the threshold.
    SecretByDifference { other: String, threshold: f64 },
    /// A measure it needs is not in the data, or not for these ages or sexes.
    MissingInput { detail: String },
    /// Its two terms cover different communes (a density over communes without an area).
    UnequalCoverage { numerator: String, numerator_units: usize, denominator: String, denominator_units: usize },
    /// Too few events for the method (a DSR under 10 events: Dobson's interval is unreliable).
    TooFewEvents { observed: f64, minimum: f64 },
    /// Too few people for the method (a life expectancy under 5,000 people).
    TooSmallPopulation { population: f64, minimum: f64 },
    /// Nothing to divide by: a zero denominator, or no reference events for an ICM.
    ZeroDenominator,
    /// The method refused its input for another reason, said in `detail`.
    NotComputable { detail: String },
}

impl Withheld {
    /// Whether the value is withheld for statistical secrecy (« s »), rather than not
    /// available (« n.d. »). Secondary suppression treats every one of these as secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, Withheld::Secret { .. } | Withheld::SecretInput | Withheld::SecretComplement | Withheld::SecretByDifference { .. })
    }

    /// A short stable code for the tables' `status` column.
    pub fn code(&self) -> &'static str {
        match self {
            Withheld::Secret { .. } => "secret",
            Withheld::SecretInput => "secret_input",
            Withheld::SecretComplement => "secret_complement",
            Withheld::SecretByDifference { .. } => "secret_difference",
            Withheld::MissingInput { .. } => "missing_input",
            Withheld::UnequalCoverage { .. } => "unequal_coverage",
            Withheld::TooFewEvents { .. } => "too_few_events",
            Withheld::TooSmallPopulation { .. } => "too_small_population",
            Withheld::ZeroDenominator => "zero_denominator",
            Withheld::NotComputable { .. } => "not_computable",
        }
    }

    /// The sentence of a French page or table.
    pub fn french(&self) -> String {
        match self {
            Withheld::Secret { threshold } => format!("secret statistique : effectif inférieur à {threshold}"),
            Withheld::SecretInput => "donnée couverte par le secret statistique".into(),
            Withheld::SecretComplement => "secret statistique (secondaire : protège une autre valeur du même niveau)".into(),
            Withheld::SecretByDifference { other, threshold } => {
                format!("secret statistique (par différence : l'écart avec {other} serait un effectif inférieur à {threshold})")
            }
            Withheld::MissingInput { detail } => detail.clone(),
            Withheld::UnequalCoverage { numerator, numerator_units, denominator, denominator_units } => {
                format!("non calculé : «{numerator}» est donné pour {numerator_units} communes, «{denominator}» pour {denominator_units}")
            }
            Withheld::TooFewEvents { observed, minimum } => {
                format!("moins de {minimum} événements ({observed}) : non calculé (intervalle de Dobson peu fiable)")
            }
            Withheld::TooSmallPopulation { population, minimum } => {
                format!("population de {population} habitants, pas au-dessus de {minimum} : espérance de vie non calculée (trop imprécise)")
            }
            Withheld::ZeroDenominator => "non calculé : dénominateur nul".into(),
            Withheld::NotComputable { detail } => format!("non calculé : {detail}"),
        }
    }

    /// The sentence in English (for analysts' logs and the library's users).
    pub fn english(&self) -> String {
        match self {
            Withheld::Secret { threshold } => format!("statistical secrecy: count under {threshold}"),
            Withheld::SecretInput => "an input count is secret at source".into(),
            Withheld::SecretComplement => "statistical secrecy (secondary: protects another value of the same level)".into(),
            Withheld::SecretByDifference { other, threshold } => {
                format!("statistical secrecy (by difference: the gap with {other} would be a count under {threshold})")
            }
            Withheld::MissingInput { detail } => format!("missing input: {detail}"),
            Withheld::UnequalCoverage { numerator, numerator_units, denominator, denominator_units } => {
                format!("not computed: «{numerator}» is given for {numerator_units} communes, «{denominator}» for {denominator_units}")
            }
            Withheld::TooFewEvents { observed, minimum } => format!("fewer than {minimum} events ({observed}): not computed"),
            Withheld::TooSmallPopulation { population, minimum } => {
                format!("population {population} not above {minimum}: life expectancy not computed")
            }
            Withheld::ZeroDenominator => "not computed: zero denominator".into(),
            Withheld::NotComputable { detail } => format!("not computed: {detail}"),
        }
    }

    /// A method's refusal of its input, as a status (in French: what the pages show).
    pub fn from_stats(e: &StatsError) -> Withheld {
        let detail = match e {
            StatsError::NonPositiveDenominator(_) => return Withheld::ZeroDenominator,
            StatsError::NumeratorAboveDenominator { numerator, denominator } => {
                format!("numérateur ({numerator}) supérieur au dénominateur ({denominator})")
            }
            StatsError::NegativeCount(x) => format!("effectif négatif ({x})"),
            StatsError::Negative { what, value } => format!("valeur négative de «{what}» ({value})"),
            StatsError::NotFinite { what, .. } => format!("«{what}» n'est pas un nombre fini"),
            other => {
                let mut s = String::from("la méthode refuse ces données");
                let _ = write!(s, " ({other})");
                s
            }
        };
        Withheld::NotComputable { detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrecy_is_read_from_the_type_not_the_words() {
        let secret = [
            Withheld::Secret { threshold: 11.0 },
            Withheld::SecretInput,
            Withheld::SecretComplement,
            Withheld::SecretByDifference { other: "CC du Haut Poitou".into(), threshold: 11.0 },
        ];
        assert!(secret.iter().all(Withheld::is_secret));
        let missing = [
            Withheld::MissingInput { detail: "mesure «x» absente des données".into() },
            Withheld::ZeroDenominator,
            Withheld::TooFewEvents { observed: 3.0, minimum: 10.0 },
            // A detail that happens to contain the word is not secrecy.
            Withheld::NotComputable { detail: "secret".into() },
        ];
        assert!(missing.iter().all(|w| !w.is_secret()));
    }

    #[test]
    fn french_renderings_are_french() {
        assert_eq!(Withheld::Secret { threshold: 11.0 }.french(), "secret statistique : effectif inférieur à 11");
        assert_eq!(Withheld::from_stats(&StatsError::NonPositiveDenominator(0.0)), Withheld::ZeroDenominator);
        let dsr = Withheld::TooFewEvents { observed: 3.0, minimum: 10.0 }.french();
        assert!(dsr.starts_with("moins de 10 événements") && !dsr.contains("fewer"), "{dsr}");
        assert!(Withheld::from_stats(&StatsError::NumeratorAboveDenominator { numerator: 5.0, denominator: 3.0 }).french().contains("supérieur"));
    }
}
