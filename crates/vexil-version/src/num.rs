//! Arbitrary-size non-negative decimal numbers, as version segments need them.
//!
//! Real versions hold numbers past `u64` (`20190126230843123456789`), and several
//! upstream comparators compare digit strings, not machine integers. `Num` keeps small
//! values inline and compares big ones by digit string, so it never overflows.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative integer of any size. Leading zeros are not significant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Num {
    Small(u64),
    /// Decimal digits without leading zeros, more than fit in `u64`.
    Big(Box<str>),
}

impl Num {
    pub(crate) const ZERO: Num = Num::Small(0);

    /// Parses a run of ASCII digits. The caller guarantees `digits` is non-empty and all digits.
    pub(crate) fn from_digits(digits: &str) -> Num {
        debug_assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        let trimmed = digits.trim_start_matches('0');
        if trimmed.len() <= 19 {
            // 19 digits always fit in u64 (max is 20 digits).
            let mut value = 0u64;
            for b in trimmed.bytes() {
                value = value * 10 + u64::from(b - b'0');
            }
            Num::Small(value)
        } else {
            match trimmed.parse::<u64>() {
                Ok(value) => Num::Small(value),
                Err(_) => Num::Big(trimmed.into()),
            }
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Num::Small(0))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            (Num::Big(a), Num::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Small(v) => write!(f, "{v}"),
            Num::Big(s) => f.write_str(s),
        }
    }
}

/// Compares two digit strings numerically without allocating (leading zeros ignored).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_compare_by_value() {
        let a = Num::from_digits("999999999999999999999999999991");
        let b = Num::from_digits("999999999999999999999999999999");
        assert!(a < b);
        assert!(Num::from_digits("18446744073709551615") > Num::from_digits("9"));
        assert_eq!(
            Num::from_digits("18446744073709551616").to_string(),
            "18446744073709551616"
        );
        assert_eq!(Num::from_digits("0007"), Num::Small(7));
        assert_eq!(Num::from_digits("000"), Num::ZERO);
    }

    #[test]
    fn digit_strings_ignore_leading_zeros() {
        assert_eq!(cmp_digits("0010", "10"), Ordering::Equal);
        assert_eq!(cmp_digits("9", "10"), Ordering::Less);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
    }
}
