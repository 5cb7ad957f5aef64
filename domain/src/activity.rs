//! An activity's status and the marks on its progress entries (a correction, a replaced
//! entry), which both a promise (`crate::promise`) and its progress rules (`crate::progress`,
//! which re-exports them) are made of.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Why an edit of an activity is refused (field, catalogue key), or `None` when it may be
/// saved. The rule of change: nothing changes on a closed promise; the unit only while no
/// progress is logged (logged amounts are counted in it); the title, owner, target, due date
/// and weight at any time before that (each change is audited with its old and new value).
pub fn edit_refusal(
    promise_closed: bool,
    progress_logged: bool,
    unit_changed: bool,
) -> Option<(&'static str, &'static str)> {
    if promise_closed {
        Some(("promise", "promise.closed"))
    } else if progress_logged && unit_changed {
        Some(("unit", "promise.unit_has_progress"))
    } else {
        None
    }
}

/// An activity's status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// *Planerad*: nothing done yet.
    #[default]
    Planned,
    /// *Pågår*: work has started.
    UnderWay,
    /// *Klar*: finished (not listed as overdue, even short of its target).
    Done,
    /// *Inställd*: will not be done; leaves the roll-up, with a reason.
    Cancelled,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 4] = [
        ActivityStatus::Planned,
        ActivityStatus::UnderWay,
        ActivityStatus::Done,
        ActivityStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityStatus::Planned => "planned",
            ActivityStatus::UnderWay => "under_way",
            ActivityStatus::Done => "done",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<ActivityStatus> {
        ActivityStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A stored code; an unknown one reads as planned (the column's first value).
    pub fn from_stored(code: &str) -> ActivityStatus {
        ActivityStatus::parse(code).unwrap_or_default()
    }

    /// Whether the activity counts in its commitment's percent.
    pub fn counts(self) -> bool {
        self != ActivityStatus::Cancelled
    }

    /// Whether progress may still be logged on it.
    pub fn takes_progress(self) -> bool {
        self != ActivityStatus::Cancelled
    }

    /// Whether it may be listed as overdue (done and cancelled ones need no more action).
    pub fn may_be_overdue(self) -> bool {
        matches!(self, ActivityStatus::Planned | ActivityStatus::UnderWay)
    }

    /// The status shown, given what has been logged: progress moves a planned or under-way
    /// activity forward, never back.
    pub fn shown(self, target: f64, achieved: f64) -> ActivityStatus {
        match self {
            ActivityStatus::Done | ActivityStatus::Cancelled => self,
            _ if target > 0.0 && achieved >= target => ActivityStatus::Done,
            _ if achieved > 0.0 => ActivityStatus::UnderWay,
            other => other,
        }
    }
}

/// On a correcting entry: what it replaced and why (*rättelse*).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Corrected {
    /// The replaced entry.
    pub id: i64,
    pub amount: f64,
    pub text: String,
    pub reason: String,
    /// The Stockholm day the correction was made.
    pub on: NaiveDate,
}

/// On a replaced entry: the correction that replaced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersession {
    pub by: i64,
    pub at: DateTime<Utc>,
}

/// The default weight (for records stored before weights were shown).
pub fn one() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_of_change_for_an_activity_row_by_row() {
        // (closed, logged, unit changed) → refusal
        let rows = [
            ((false, false, false), None),
            ((false, false, true), None),
            ((false, true, false), None),
            (
                (false, true, true),
                Some(("unit", "promise.unit_has_progress")),
            ),
            ((true, false, false), Some(("promise", "promise.closed"))),
            ((true, true, true), Some(("promise", "promise.closed"))),
        ];
        for ((closed, logged, unit), want) in rows {
            assert_eq!(
                edit_refusal(closed, logged, unit),
                want,
                "{closed} {logged} {unit}"
            );
        }
    }
}
