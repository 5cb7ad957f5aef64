//! Follow-up records that must stay honest in public: corrections of logged progress
//! (*rättelse*) and an activity's status (*planerad, pågår, klar, inställd*). Pure rules, used by
//! `db::progress` and tested here.
//!
//! **Corrections.** A logged progress entry is never edited or deleted: a correcting entry
//! replaces its figure (amount and/or text) and says why. A correction may itself be corrected,
//! as a chain: only the entry that counts now (the original, or its latest correction) can be
//! corrected, so each entry is replaced at most once and the latest correction counts. Every
//! entry of the chain stays in the public history and the feed.
//!
//! **Activity status.** Staff set it; a cancelled activity needs a reason and leaves the
//! roll-up. Logged progress moves the *shown* status forward (some progress: under way; the
//! target reached: done), never back, and never overrides done or cancelled.

pub use crate::activity::{ActivityStatus, Corrected, Supersession, one};
use crate::promise::{ActivityProgress, commitment_percent as weighted_activities};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The longest reason (of a correction or a cancellation) kept, in characters.
pub const MAX_REASON: usize = 500;

/// A commitment's percent from its activities, weighted by their weights; cancelled
/// activities leave it (a commitment with only cancelled activities is 0).
pub fn commitment_percent(activities: &[(ActivityProgress, ActivityStatus)]) -> f64 {
    let counted: Vec<ActivityProgress> = activities
        .iter()
        .filter(|(_, s)| s.counts())
        .map(|(a, _)| a.clone())
        .collect();
    weighted_activities(&counted)
}

/// One logged entry as the roll-up needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Logged {
    pub id: i64,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    pub amount: f64,
}

/// The entries a later correction replaced.
pub fn superseded(entries: &[Logged]) -> HashSet<i64> {
    entries.iter().filter_map(|e| e.corrects).collect()
}

/// What has been achieved: the sum over the entries no correction replaced (each chain counts
/// once, with its latest figure).
pub fn achieved(entries: &[Logged]) -> f64 {
    let gone = superseded(entries);
    entries
        .iter()
        .filter(|e| !gone.contains(&e.id))
        .map(|e| e.amount)
        .sum()
}

/// Why a correction or a status change is refused: `(field, catalogue key)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The reason is missing.
    ReasonRequired,
    /// The reason is longer than [`MAX_REASON`].
    ReasonTooLong,
    /// The amount is negative or not a number.
    BadAmount,
    /// The correction changes neither the amount nor the text.
    Unchanged,
    /// The entry was already corrected: correct its latest correction instead.
    Superseded,
    /// The activity is cancelled: no more progress on it.
    Cancelled,
}

impl Refusal {
    pub fn field(self) -> &'static str {
        match self {
            Refusal::ReasonRequired | Refusal::ReasonTooLong => "reason",
            Refusal::BadAmount => "amount",
            Refusal::Unchanged => "amount",
            Refusal::Superseded => "entry",
            Refusal::Cancelled => "activity",
        }
    }

    pub fn message_key(self) -> &'static str {
        match self {
            Refusal::ReasonRequired => "progress.reason_required",
            Refusal::ReasonTooLong => "progress.reason_long",
            Refusal::BadAmount => "promise.amount",
            Refusal::Unchanged => "progress.unchanged",
            Refusal::Superseded => "progress.superseded",
            Refusal::Cancelled => "progress.cancelled",
        }
    }
}

/// A required reason, trimmed.
pub fn reason(text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    if t.chars().count() > MAX_REASON {
        return Err(Refusal::ReasonTooLong);
    }
    Ok(t.to_owned())
}

/// The figure a correction replaces.
#[derive(Clone, Debug, PartialEq)]
pub struct Current<'a> {
    pub amount: f64,
    pub text: &'a str,
    /// A later correction already replaced it.
    pub superseded: bool,
}

/// A correction of `current`: the new amount (absent: unchanged), the new text (absent or
/// blank: unchanged) and the reason. Returns the correcting entry's `(amount, text, reason)`.
pub fn correction(
    current: &Current<'_>,
    amount: Option<f64>,
    text: Option<&str>,
    why: &str,
) -> Result<(f64, String, String), Refusal> {
    if current.superseded {
        return Err(Refusal::Superseded);
    }
    let why = reason(why)?;
    let amount = amount.unwrap_or(current.amount);
    if !amount.is_finite() || amount < 0.0 {
        return Err(Refusal::BadAmount);
    }
    let text = match text.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => current.text.trim().to_owned(),
    };
    if amount == current.amount && text == current.text.trim() {
        return Err(Refusal::Unchanged);
    }
    Ok((amount, text, why))
}

/// A status change: a cancellation needs a reason; any other status keeps none. Returns the
/// reason to store. Setting the status (and reason) it already has is refused.
pub fn status_change(
    from: (ActivityStatus, Option<&str>),
    to: ActivityStatus,
    why: &str,
) -> Result<Option<String>, Refusal> {
    let kept = if to == ActivityStatus::Cancelled {
        Some(reason(why)?)
    } else {
        None
    };
    if from.0 == to && from.1.map(str::trim) == kept.as_deref() {
        return Err(Refusal::Unchanged);
    }
    Ok(kept)
}

/// An activity's status and history, as staff see it on the promise's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    pub activity_id: i64,
    /// As staff set it.
    pub status: ActivityStatus,
    /// As shown (moved forward by progress, see [`ActivityStatus::shown`]).
    pub shown: ActivityStatus,
    pub status_reason: Option<String>,
    pub weight: f64,
    /// Every entry logged, newest first, corrections and replaced entries alike.
    pub entries: Vec<crate::promise::Update>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(target: f64, achieved: f64, weight: f64) -> ActivityProgress {
        ActivityProgress {
            target,
            achieved,
            weight,
        }
    }

    #[test]
    fn weights_count_and_cancelled_activities_leave_the_roll_up() {
        use ActivityStatus::*;
        // 50 % at weight 3 and 0 % at weight 1: 37.5 %, not the unweighted 25 %.
        let c = commitment_percent(&[(a(4.0, 2.0, 3.0), UnderWay), (a(10.0, 0.0, 1.0), Planned)]);
        assert!((c - 37.5).abs() < 1e-9, "{c}");
        // Cancelling the stalled one leaves only the 50 %.
        let c = commitment_percent(&[(a(4.0, 2.0, 3.0), UnderWay), (a(10.0, 0.0, 1.0), Cancelled)]);
        assert!((c - 50.0).abs() < 1e-9, "{c}");
        // A cancelled activity's own progress does not count either, whatever its weight.
        let c = commitment_percent(&[(a(4.0, 4.0, 9.0), Cancelled), (a(10.0, 1.0, 1.0), Done)]);
        assert!((c - 10.0).abs() < 1e-9, "{c}");
        assert_eq!(commitment_percent(&[(a(4.0, 4.0, 1.0), Cancelled)]), 0.0);
        assert_eq!(commitment_percent(&[]), 0.0);
    }

    #[test]
    fn the_latest_correction_of_a_chain_counts_once() {
        let e = |id, corrects, amount| Logged {
            id,
            corrects,
            amount,
        };
        // 1 (3.0) corrected by 2 (1.0), corrected by 3 (2.0); 4 (5.0) stands alone.
        let entries = [
            e(1, None, 3.0),
            e(2, Some(1), 1.0),
            e(3, Some(2), 2.0),
            e(4, None, 5.0),
        ];
        assert_eq!(achieved(&entries), 7.0);
        assert_eq!(superseded(&entries), HashSet::from([1, 2]));
        assert_eq!(
            achieved(&entries[..2]),
            1.0,
            "a correction replaces, never adds"
        );
        assert_eq!(achieved(&[]), 0.0);
    }

    #[test]
    fn a_correction_needs_a_reason_a_change_and_a_valid_amount() {
        let cur = Current {
            amount: 14.0,
            text: "Fjorton pass",
            superseded: false,
        };
        assert_eq!(
            correction(&cur, Some(12.0), None, "  Två pass ställdes in "),
            Ok((
                12.0,
                "Fjorton pass".to_owned(),
                "Två pass ställdes in".to_owned()
            ))
        );
        assert_eq!(
            correction(&cur, None, Some("Tolv pass"), "Fel text"),
            Ok((14.0, "Tolv pass".to_owned(), "Fel text".to_owned()))
        );
        assert_eq!(
            correction(&cur, Some(12.0), None, "   "),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            correction(&cur, Some(12.0), None, &"x".repeat(MAX_REASON + 1)),
            Err(Refusal::ReasonTooLong)
        );
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                correction(&cur, Some(bad), None, "Fel"),
                Err(Refusal::BadAmount)
            );
        }
        assert_eq!(
            correction(&cur, Some(14.0), Some(" Fjorton pass"), "Fel"),
            Err(Refusal::Unchanged)
        );
        let gone = Current {
            superseded: true,
            ..cur
        };
        assert_eq!(
            correction(&gone, Some(1.0), None, "Fel"),
            Err(Refusal::Superseded)
        );
    }

    #[test]
    fn status_changes_and_the_shown_status() {
        use ActivityStatus::*;
        assert_eq!(
            status_change((Planned, None), Cancelled, " "),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            status_change((Planned, None), Cancelled, "Lokalen stängd"),
            Ok(Some("Lokalen stängd".to_owned()))
        );
        assert_eq!(
            status_change(
                (Cancelled, Some("Lokalen stängd")),
                Cancelled,
                "Lokalen stängd"
            ),
            Err(Refusal::Unchanged)
        );
        assert_eq!(
            status_change((Cancelled, Some("Lokalen stängd")), UnderWay, "ignored"),
            Ok(None)
        );
        assert_eq!(
            status_change((Done, None), Done, ""),
            Err(Refusal::Unchanged)
        );
        assert_eq!(Planned.shown(4.0, 0.0), Planned);
        assert_eq!(Planned.shown(4.0, 1.0), UnderWay);
        assert_eq!(UnderWay.shown(4.0, 4.0), Done);
        assert_eq!(Done.shown(4.0, 1.0), Done, "done stays done");
        assert_eq!(Cancelled.shown(4.0, 4.0), Cancelled);
        assert!(!Cancelled.counts() && !Cancelled.takes_progress());
        assert!(!Done.may_be_overdue() && UnderWay.may_be_overdue());
        for s in ActivityStatus::ALL {
            assert_eq!(ActivityStatus::parse(s.code()), Some(s));
        }
        assert_eq!(ActivityStatus::from_stored("kanske"), Planned);
    }
}
