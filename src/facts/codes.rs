//! Dense integer codes for the strings of fact columns, so that loading and aggregation
//! compare integers per row, not strings. A fact table's text columns (measure, level,
//! publisher, geo…) hold few distinct values in long runs, and Arrow's string views make a run
//! cheap to see: a view holds a string of up to 12 bytes inline and points a longer one at its
//! bytes, so a row whose view equals the row before's has the same string and the same code,
//! without reading it. Any other row is compared with the row before, then looked up by its
//! text. A column of one value (a constant column, `Column::Scalar`) is coded without being
//! written out row by row.

use polars::prelude::*;

/// The code of a null.
pub const NULL: u32 = u32::MAX;

/// Columns as codes: `rows[i]` is the index of row `i`'s string in `values` (in the order first
/// met), or [`NULL`].
#[derive(Default)]
pub struct Codes {
    pub rows: Vec<u32>,
    pub values: Vec<String>,
    /// polars' hasher: far quicker than the standard one on short strings.
    index: PlHashMap<String, u32>,
    /// Whether a null is read as the empty string (one code for both).
    null_empty: bool,
}

impl Codes {
    /// The codes of `column`.
    pub fn of(column: &Column) -> Result<Codes, PolarsError> {
        let mut codes = Codes::default();
        codes.push(column)?;
        Ok(codes)
    }

    /// The same, a null read as the empty string.
    pub fn of_null_empty(column: &Column) -> Result<Codes, PolarsError> {
        let mut codes = Codes::null_empty();
        codes.push(column)?;
        Ok(codes)
    }

    /// No rows yet, a null to be read as the empty string.
    pub fn null_empty() -> Codes {
        Codes { null_empty: true, ..Codes::default() }
    }

    /// Row `i`'s string (`None`: null).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.values.get(self.rows[i] as usize).map(String::as_str)
    }

    /// The code of `value` (`None`: null), numbered if new.
    pub fn code(&mut self, value: Option<&str>) -> u32 {
        let Some(text) = value.or(self.null_empty.then_some("")) else { return NULL };
        match self.index.get(text) {
            Some(&code) => code,
            None => {
                let code = self.values.len() as u32;
                self.values.push(text.to_owned());
                self.index.insert(text.to_owned(), code);
                code
            }
        }
    }

    /// Append the codes of `column`'s rows (a string column).
    pub fn push(&mut self, column: &Column) -> Result<(), PolarsError> {
        if let Some(scalar) = column.as_scalar_column() {
            let code = self.code(scalar.scalar().value().get_str());
            self.rows.resize(self.rows.len() + column.len(), code);
            return Ok(());
        }
        let column = column.str()?;
        self.rows.reserve(column.len());
        for (array, validity) in column.downcast_iter().zip(column.iter_validities()) {
            // A view points into its own array's buffers: runs are followed within one chunk.
            let mut last: Option<(u128, &str, u32)> = None;
            for (i, view) in array.views().iter().enumerate() {
                let valid = validity.is_none_or(|v| v.get_bit(i));
                if !valid && !self.null_empty {
                    self.rows.push(NULL);
                    continue;
                }
                // A null read as the empty string has an empty string's view (all zeros).
                let view = if valid { view.as_u128() } else { 0 };
                let code = match last {
                    Some((v, _, code)) if v == view => code,
                    _ => {
                        // A long string repeated at other bytes: compared with the last before hashed.
                        let text = if valid { array.value(i) } else { "" };
                        let code = match last {
                            Some((_, t, code)) if t == text => code,
                            _ => self.code(Some(text)),
                        };
                        last = Some((view, text, code));
                        code
                    }
                };
                self.rows.push(code);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[Option<&str>]) -> Column {
        Column::new("c".into(), values)
    }

    #[test]
    fn equal_strings_share_a_code_whatever_their_length_or_chunk() {
        let long = "a measure name longer than twelve bytes";
        let mut c = Codes::of(&column(&[Some("17300"), Some("17300"), None, Some(long), Some(long), Some("17300")])).unwrap();
        c.push(&column(&[Some(long), Some("79"), Some("17300")])).unwrap();
        assert_eq!(c.values, vec!["17300", long, "79"]);
        assert_eq!(c.rows, vec![0, 0, NULL, 1, 1, 0, 1, 2, 0]);
        assert_eq!(c.get(2), None);
        assert_eq!(c.get(6), Some(long));
    }

    #[test]
    fn two_long_strings_sharing_their_first_bytes_differ() {
        let c = Codes::of(&column(&[Some("population_by_age_2021"), Some("population_by_age_2015"), Some("population_by_age_2021")])).unwrap();
        assert_eq!(c.rows, vec![0, 1, 0]);
    }

    #[test]
    fn a_null_is_null_or_the_empty_string() {
        let values = [Some("79"), None, Some(""), None, Some("")];
        assert_eq!(Codes::of(&column(&values)).unwrap().rows, vec![0, NULL, 1, NULL, 1]);
        let c = Codes::of_null_empty(&column(&values)).unwrap();
        assert_eq!((c.rows, c.values), (vec![0, 1, 1, 1, 1], vec!["79".to_owned(), String::new()]));
    }

    #[test]
    fn a_constant_column_is_one_code_for_its_length() {
        let constant = Column::new_scalar("c".into(), Scalar::new(DataType::String, AnyValue::StringOwned("commune".into())), 4);
        let mut c = Codes::of(&column(&[Some("departement")])).unwrap();
        c.push(&constant).unwrap();
        assert_eq!(c.rows, vec![0, 1, 1, 1, 1]);
        assert!(constant.as_scalar_column().is_some(), "coding a constant column does not write it out");
        let null = Column::new_scalar("c".into(), Scalar::null(DataType::String), 2);
        assert_eq!(Codes::of(&null).unwrap().rows, vec![NULL, NULL]);
        assert_eq!(Codes::of_null_empty(&null).unwrap().rows, vec![0, 0]);
    }
}
