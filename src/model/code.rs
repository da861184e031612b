//! GB/T 30428.1-style unit codes: 6 digits of county administrative code (GB/T 2260),
//! 3 of township/street, 3 of village/community, 3 of grid sequence (15 digits for a grid),
//! and 3 more for a micro-grid (18 digits).

use crate::model::Level;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("unit code '{0}' must contain only digits")]
    NotDigits(String),
    #[error("unit code '{code}' has {len} digits; a {level} code has {expected}")]
    WrongLength {
        code: String,
        len: usize,
        level: &'static str,
        expected: usize,
    },
}

/// A validated unit code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitCode(String);

impl UnitCode {
    /// Number of digits a code of `level` has.
    pub fn digits_for(level: Level) -> usize {
        match level {
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
            Level::Grid => 15,
            Level::MicroGrid => 18,
        }
    }

    pub fn parse(code: &str, level: Level) -> Result<UnitCode, UnitCodeError> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UnitCodeError::NotDigits(code.to_owned()));
        }
        let expected = Self::digits_for(level);
        if code.len() != expected {
            return Err(UnitCodeError::WrongLength {
                code: code.to_owned(),
                len: code.len(),
                level: level.name_en(),
                expected,
            });
        }
        Ok(UnitCode(code.to_owned()))
    }

    /// The code of a child: this code followed by a 3-digit sequence number (1-based).
    pub fn child(&self, sequence: u32) -> UnitCode {
        UnitCode(format!("{}{:03}", self.0, sequence))
    }

    /// The code of a child of the unit coded `parent`: `parent` followed by a 3-digit sequence.
    pub fn child_code(parent: &str, sequence: u32) -> String {
        format!("{parent}{sequence:03}")
    }

    /// The code of the parent unit, if this is not a county.
    pub fn parent(&self) -> Option<UnitCode> {
        (self.0.len() > 6).then(|| UnitCode(self.0[..self.0.len() - 3].to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_code_has_fifteen_digits_and_knows_its_parent() {
        let county = UnitCode::parse("430181", Level::County).unwrap();
        let grid = county.child(101).child(7).child(12);
        assert_eq!(grid.as_str(), "430181101007012");
        assert!(UnitCode::parse(grid.as_str(), Level::Grid).is_ok());
        assert_eq!(grid.parent().unwrap().as_str(), "430181101007");
        assert_eq!(county.parent(), None);
    }

    #[test]
    fn bad_codes_say_what_is_wrong() {
        let err = UnitCode::parse("43018110100701", Level::Grid).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unit code '43018110100701' has 14 digits; a grid code has 15"
        );
        assert!(matches!(
            UnitCode::parse("4301a1", Level::County),
            Err(UnitCodeError::NotDigits(_))
        ));
    }
}
