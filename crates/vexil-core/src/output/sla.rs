//! SLA: how many business days a finding of each severity may stay open, counted from its first
//! confirmation, skipping weekends and the team's holidays (`[sla]` in vexil.toml). Pure date
//! arithmetic: the caller passes `today`; nothing here reads a clock.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, Weekday};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::model::finding::SeverityLevel;

/// How long a finding of one severity may stay open: a number of business days, or until the
/// next release (no date; the release gate decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlaTarget {
    BusinessDays(u32),
    NextRelease,
}

const NEXT_RELEASE: &str = "next-release";

impl fmt::Display for SlaTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlaTarget::BusinessDays(n) => write!(f, "{n} business days"),
            SlaTarget::NextRelease => f.write_str(NEXT_RELEASE),
        }
    }
}

impl Serialize for SlaTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SlaTarget::BusinessDays(n) => s.serialize_u32(*n),
            SlaTarget::NextRelease => s.serialize_str(NEXT_RELEASE),
        }
    }
}

impl<'de> Deserialize<'de> for SlaTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SlaTarget, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SlaTarget;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a number of business days (0 or more) or \"{NEXT_RELEASE}\""
                )
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<SlaTarget, E> {
                u32::try_from(n)
                    .map(SlaTarget::BusinessDays)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<SlaTarget, E> {
                u32::try_from(n)
                    .map(SlaTarget::BusinessDays)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SlaTarget, E> {
                if s == NEXT_RELEASE {
                    Ok(SlaTarget::NextRelease)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(s), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `[sla]` in `vexil.toml`:
///
/// ```toml
/// [sla]
/// critical = 3
/// high = 10
/// medium = "next-release"
/// low = "next-release"
/// holidays = [2026-12-25, 2027-01-01]
/// ```
///
/// Holidays are TOML dates (quoted `"2026-12-25"` is accepted too); duplicates collapse, and a
/// holiday on a weekend changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    #[serde(default = "default_critical")]
    pub critical: SlaTarget,
    #[serde(default = "default_high")]
    pub high: SlaTarget,
    #[serde(default = "next_release")]
    pub medium: SlaTarget,
    #[serde(default = "next_release")]
    pub low: SlaTarget,
    #[serde(default, deserialize_with = "holidays")]
    pub holidays: BTreeSet<Date>,
}

fn default_critical() -> SlaTarget {
    SlaTarget::BusinessDays(3)
}

fn default_high() -> SlaTarget {
    SlaTarget::BusinessDays(10)
}

fn next_release() -> SlaTarget {
    SlaTarget::NextRelease
}

impl Default for SlaPolicy {
    fn default() -> SlaPolicy {
        SlaPolicy {
            critical: default_critical(),
            high: default_high(),
            medium: next_release(),
            low: next_release(),
            holidays: BTreeSet::new(),
        }
    }
}

impl SlaPolicy {
    pub fn target(&self, severity: SeverityLevel) -> SlaTarget {
        match severity {
            SeverityLevel::Critical => self.critical,
            SeverityLevel::High => self.high,
            SeverityLevel::Medium => self.medium,
            SeverityLevel::Low => self.low,
        }
    }
}

/// TOML dates (`2026-12-25`) or date strings; a date-time or a time is refused.
fn holidays<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<Date>, D::Error> {
    let values = Vec::<toml::Value>::deserialize(d)?;
    values
        .into_iter()
        .map(|v| {
            let text = match &v {
                toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                    dt.to_string()
                }
                toml::Value::String(s) => s.clone(),
                other => {
                    return Err(de::Error::custom(format!(
                        "a holiday must be a date like 2026-12-25, found `{other}`"
                    )));
                }
            };
            text.parse::<Date>().map_err(|e| {
                de::Error::custom(format!(
                    "a holiday must be a date like 2026-12-25, found `{text}`: {e}"
                ))
            })
        })
        .collect()
}

/// When a finding is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Due {
    /// The last business day it may stay open.
    On(Date),
    /// No date: to be fixed in the next release.
    NextRelease,
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::On(d) => write!(f, "{d}"),
            Due::NextRelease => f.write_str(NEXT_RELEASE),
        }
    }
}

/// A date (`"2026-12-03"`) or `"next-release"`.
impl Serialize for Due {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a due date could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{days} business days after {start} is past the last representable date (9999-12-31): \
     lower the `[sla]` number of days"
)]
pub struct SlaError {
    pub start: Date,
    pub days: u32,
}

/// The date `n` business days after `start`, skipping Saturdays, Sundays and `holidays`.
///
/// Day 0 is `start` when it is a business day; a start on a weekend or a holiday counts from the
/// next business day (a finding confirmed on Saturday with a 3-day SLA is due on Thursday, as if
/// confirmed on Monday). So `n = 0` gives `start` itself, or the next business day. The result is
/// always a business day.
///
/// Runs in O(n/5 + holidays) date steps, not O(n): whole weeks are added at once. An `n` that
/// leads past 9999-12-31 (jiff's last date) is an [`SlaError`], never a panic or a silently
/// saturated date.
pub fn add_business_days(start: Date, n: u32, holidays: &BTreeSet<Date>) -> Result<Date, SlaError> {
    let err = |_| SlaError { start, days: n };
    let is_business = |d: Date| is_weekday(d) && !holidays.contains(&d);
    let mut day0 = start;
    while !is_business(day0) {
        day0 = day0.tomorrow().map_err(err)?;
    }
    let mut target = add_weekdays(day0, u64::from(n)).map_err(err)?;
    // Each weekday holiday in (counted, target] pushes the target one weekday further; the
    // days added may hold holidays of their own, so repeat over the new stretch until none.
    let mut counted = day0;
    loop {
        let extra = holidays
            .range((
                std::ops::Bound::Excluded(counted),
                std::ops::Bound::Included(target),
            ))
            .filter(|d| is_weekday(**d))
            .count();
        if extra == 0 {
            return Ok(target);
        }
        counted = target;
        target = add_weekdays(target, extra as u64).map_err(err)?;
    }
}

fn is_weekday(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `k` weekdays after the weekday `d`: whole weeks at once, then day by day.
fn add_weekdays(d: Date, k: u64) -> Result<Date, jiff::Error> {
    let weeks = i64::try_from((k / 5).saturating_mul(7)).unwrap_or(i64::MAX);
    let mut out = d.checked_add(jiff::Span::new().try_days(weeks)?)?;
    for _ in 0..k % 5 {
        out = out.tomorrow()?;
        while !is_weekday(out) {
            out = out.tomorrow()?;
        }
    }
    Ok(out)
}

/// When a finding of `severity`, first confirmed on `first_confirmed`, is due under `policy`.
pub fn due_date(
    policy: &SlaPolicy,
    severity: SeverityLevel,
    first_confirmed: Date,
) -> Result<Due, SlaError> {
    match policy.target(severity) {
        SlaTarget::BusinessDays(n) => {
            add_business_days(first_confirmed, n, &policy.holidays).map(Due::On)
        }
        SlaTarget::NextRelease => Ok(Due::NextRelease),
    }
}

/// Whether a finding due `due` is overdue on `today`: the due date itself is still in time, the
/// day after is overdue. `NextRelease` is never overdue by date (the release gate judges it).
pub fn is_overdue(due: Due, today: Date) -> bool {
    match due {
        Due::On(d) => today > d,
        Due::NextRelease => false,
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn add(start: Date, n: u32, holidays: &[Date]) -> Date {
        add_business_days(start, n, &holidays.iter().copied().collect()).unwrap()
    }

    #[test]
    fn weekdays_only_within_a_week_and_across_weekends() {
        // 2026-11-02 is a Monday.
        assert_eq!(add(date(2026, 11, 2), 3, &[]), date(2026, 11, 5));
        assert_eq!(add(date(2026, 11, 2), 4, &[]), date(2026, 11, 6));
        // Friday + 1 = Monday; Thursday + 3 = Tuesday.
        assert_eq!(add(date(2026, 11, 6), 1, &[]), date(2026, 11, 9));
        assert_eq!(add(date(2026, 11, 5), 3, &[]), date(2026, 11, 10));
        // Whole weeks: 10 business days from Monday is the Monday two weeks later.
        assert_eq!(add(date(2026, 11, 2), 10, &[]), date(2026, 11, 16));
        assert_eq!(add(date(2026, 11, 4), 10, &[]), date(2026, 11, 18));
    }

    #[test]
    fn n_zero_is_the_start_or_the_next_business_day() {
        assert_eq!(add(date(2026, 11, 4), 0, &[]), date(2026, 11, 4));
        // Saturday and Sunday → Monday.
        assert_eq!(add(date(2026, 11, 7), 0, &[]), date(2026, 11, 9));
        assert_eq!(add(date(2026, 11, 8), 0, &[]), date(2026, 11, 9));
        // A holiday Monday → Tuesday.
        assert_eq!(
            add(date(2026, 11, 9), 0, &[date(2026, 11, 9)]),
            date(2026, 11, 10)
        );
    }

    #[test]
    fn a_weekend_start_counts_from_monday() {
        // Saturday with 3 days: Monday is day 0, due Thursday.
        assert_eq!(add(date(2026, 11, 7), 3, &[]), date(2026, 11, 12));
        assert_eq!(add(date(2026, 11, 8), 3, &[]), date(2026, 11, 12));
    }

    #[test]
    fn holidays_are_skipped_and_weekend_holidays_change_nothing() {
        // Thursday 2026-12-24 + 3 with Christmas (Friday) off: Mon 28, Tue 29, Wed 30.
        assert_eq!(
            add(date(2026, 12, 24), 3, &[date(2026, 12, 25)]),
            date(2026, 12, 30)
        );
        // A holiday on Saturday: no effect.
        assert_eq!(
            add(date(2026, 12, 24), 3, &[date(2026, 12, 26)]),
            date(2026, 12, 29)
        );
        // Duplicates and holidays before the start count nothing.
        assert_eq!(
            add(
                date(2026, 12, 24),
                3,
                &[date(2026, 12, 25), date(2026, 12, 25), date(2026, 1, 1)]
            ),
            date(2026, 12, 30)
        );
        // A holiday on the day the count lands on pushes it on, and so does the next one.
        assert_eq!(
            add(
                date(2026, 11, 2),
                3,
                &[date(2026, 11, 5), date(2026, 11, 6)]
            ),
            date(2026, 11, 9)
        );
    }

    #[test]
    fn year_end_with_new_year_a_holiday() {
        // Thursday 2026-12-31 + 1 with 2027-01-01 (Friday) off: Monday 2027-01-04.
        assert_eq!(
            add(date(2026, 12, 31), 1, &[date(2027, 1, 1)]),
            date(2027, 1, 4)
        );
        // 2025-12-31 is a Wednesday; Jan 1 a Thursday holiday: + 1 = Friday Jan 2.
        assert_eq!(
            add(date(2025, 12, 31), 1, &[date(2026, 1, 1)]),
            date(2026, 1, 2)
        );
        // A whole holiday season: Dec 24, 25, 31 and Jan 1 off, from Wednesday 2025-12-24.
        let season = [
            date(2025, 12, 24),
            date(2025, 12, 25),
            date(2025, 12, 31),
            date(2026, 1, 1),
        ];
        // Day 0 = Fri 26; 1 Mon 29, 2 Tue 30, 3 Fri Jan 2, 4 Mon Jan 5.
        assert_eq!(add(date(2025, 12, 24), 4, &season), date(2026, 1, 5));
    }

    #[test]
    fn leap_days() {
        // 2028-02-28 is a Monday; Feb 29 2028 exists.
        assert_eq!(add(date(2028, 2, 28), 1, &[]), date(2028, 2, 29));
        assert_eq!(add(date(2028, 2, 28), 3, &[]), date(2028, 3, 2));
        // 2027 has no Feb 29: Friday Feb 26 + 1 = Monday Mar 1.
        assert_eq!(add(date(2027, 2, 26), 1, &[]), date(2027, 3, 1));
        // A holiday on the leap day itself.
        assert_eq!(
            add(date(2028, 2, 28), 1, &[date(2028, 2, 29)]),
            date(2028, 3, 1)
        );
    }

    #[test]
    fn many_days_agree_with_counting_day_by_day() {
        let holidays: BTreeSet<Date> = [date(2026, 12, 25), date(2027, 1, 1), date(2027, 5, 31)]
            .into_iter()
            .collect();
        for start_offset in 0..14 {
            let start = date(2026, 11, 2)
                .checked_add(jiff::Span::new().days(start_offset))
                .unwrap();
            for n in [0, 1, 4, 5, 6, 9, 37, 150, 400] {
                let mut d = start;
                while !is_weekday(d) || holidays.contains(&d) {
                    d = d.tomorrow().unwrap();
                }
                for _ in 0..n {
                    d = d.tomorrow().unwrap();
                    while !is_weekday(d) || holidays.contains(&d) {
                        d = d.tomorrow().unwrap();
                    }
                }
                assert_eq!(
                    add_business_days(start, n, &holidays).unwrap(),
                    d,
                    "{start} + {n}"
                );
            }
        }
    }

    #[test]
    fn a_huge_n_is_an_error_not_a_panic() {
        let e = add_business_days(date(2026, 11, 2), u32::MAX, &BTreeSet::new()).unwrap_err();
        assert_eq!(e.days, u32::MAX);
        assert!(e.to_string().contains("9999-12-31"), "{e}");
        // Near the end of time, a small n fails the same way.
        assert!(add_business_days(date(9999, 12, 30), 5, &BTreeSet::new()).is_err());
        assert!(add_business_days(date(9999, 12, 31), 1, &BTreeSet::new()).is_err());
        let last: BTreeSet<Date> = [date(9999, 12, 31)].into_iter().collect();
        assert!(add_business_days(date(9999, 12, 31), 0, &last).is_err());
        // Friday 9999-12-31 itself is still a date; a million business days fit too.
        assert_eq!(add(date(9999, 12, 31), 0, &[]), date(9999, 12, 31));
        assert!(add_business_days(date(2026, 11, 2), 1_000_000, &BTreeSet::new()).is_ok());
    }

    #[test]
    fn due_dates_per_severity_with_the_default_policy() {
        let policy = SlaPolicy::default();
        let monday = date(2026, 11, 2);
        assert_eq!(
            due_date(&policy, SeverityLevel::Critical, monday).unwrap(),
            Due::On(date(2026, 11, 5))
        );
        assert_eq!(
            due_date(&policy, SeverityLevel::High, monday).unwrap(),
            Due::On(date(2026, 11, 16))
        );
        assert_eq!(
            due_date(&policy, SeverityLevel::Medium, monday).unwrap(),
            Due::NextRelease
        );
        assert_eq!(
            due_date(&policy, SeverityLevel::Low, monday).unwrap(),
            Due::NextRelease
        );
    }

    #[test]
    fn overdue_the_day_after_the_due_date() {
        let due = Due::On(date(2026, 11, 5));
        assert!(!is_overdue(due, date(2026, 11, 4)));
        assert!(!is_overdue(due, date(2026, 11, 5)));
        assert!(is_overdue(due, date(2026, 11, 6)));
        assert!(!is_overdue(Due::NextRelease, date(9999, 12, 31)));
    }

    #[test]
    fn the_policy_reads_from_toml() {
        let policy: SlaPolicy = toml::from_str(
            "critical = 1\nhigh = \"next-release\"\nlow = 30\n\
             holidays = [2026-12-25, \"2027-01-01\", 2026-12-25]",
        )
        .unwrap();
        assert_eq!(policy.critical, SlaTarget::BusinessDays(1));
        assert_eq!(policy.high, SlaTarget::NextRelease);
        assert_eq!(policy.medium, SlaTarget::NextRelease);
        assert_eq!(policy.low, SlaTarget::BusinessDays(30));
        assert_eq!(
            policy.holidays.iter().copied().collect::<Vec<_>>(),
            [date(2026, 12, 25), date(2027, 1, 1)]
        );
        assert_eq!(
            toml::from_str::<SlaPolicy>("").unwrap(),
            SlaPolicy::default()
        );
    }

    #[test]
    fn bad_policies_say_what_was_expected() {
        let err = |s: &str| toml::from_str::<SlaPolicy>(s).unwrap_err().to_string();
        assert!(err("critical = -1").contains("a number of business days"));
        assert!(err("critical = \"soon\"").contains("\"next-release\""));
        assert!(err("critcal = 3").contains("unknown field"));
        assert!(err("holidays = [2026-12-25T10:00:00]").contains("a date like 2026-12-25"));
        assert!(err("holidays = [\"christmas\"]").contains("christmas"));
    }
}
