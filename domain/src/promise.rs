//! The citizen promise (*medborgarlöfte*): its lifecycle, its sign-offs, its versions, and the
//! roll-up of activity progress into commitment and promise progress. Pure rules, used by the
//! persistence layer and tested here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A promise's lifecycle: draft → agreed → active → followed up → closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Agreed,
    Active,
    FollowedUp,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Agreed,
        Status::Active,
        Status::FollowedUp,
        Status::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Agreed => "agreed",
            Status::Active => "active",
            Status::FollowedUp => "followed_up",
            Status::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the text may be changed in place (only a draft's).
    pub fn editable(self) -> bool {
        self == Status::Draft
    }

    /// Whether progress may be logged.
    pub fn takes_progress(self) -> bool {
        matches!(self, Status::Agreed | Status::Active)
    }
}

/// Who signs a version for it to become agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// The LPO manager of the promise's LPO.
    Police,
    /// A municipal partner of one of the promise's municipalities.
    Municipality,
}

/// One sign-off of one version: who, as what, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub signer: Signer,
    pub name: String,
    pub on: NaiveDate,
}

/// Why a lifecycle step is refused. Each maps to a message in the i18n catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Agreed (or later) text cannot change in place: make a new version.
    Frozen,
    /// The step needs both sign-offs of the current version.
    Unsigned,
    /// This signer has already signed this version.
    AlreadySigned,
    /// Not the next step of the lifecycle.
    WrongStep,
    /// A closed promise takes nothing more.
    Closed,
}

impl Refusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Refusal::Frozen => "promise.frozen",
            Refusal::Unsigned => "promise.unsigned",
            Refusal::AlreadySigned => "promise.already_signed",
            Refusal::WrongStep => "promise.wrong_step",
            Refusal::Closed => "promise.closed",
        }
    }
}

/// A sign-off of the current version. Returns the new status: the second of the two
/// signatures makes a draft agreed.
pub fn sign(status: Status, signed: &[SignOff], by: Signer) -> Result<Status, Refusal> {
    if status != Status::Draft {
        return Err(if status == Status::Closed {
            Refusal::Closed
        } else {
            Refusal::WrongStep
        });
    }
    if signed.iter().any(|s| s.signer == by) {
        return Err(Refusal::AlreadySigned);
    }
    let both = [Signer::Police, Signer::Municipality]
        .iter()
        .all(|need| *need == by || signed.iter().any(|s| s.signer == *need));
    Ok(if both { Status::Agreed } else { Status::Draft })
}

/// The next step of the lifecycle after agreement: agreed → active → followed up → closed.
pub fn advance(status: Status, to: Status) -> Result<Status, Refusal> {
    let next = match status {
        Status::Draft => return Err(Refusal::Unsigned),
        Status::Agreed => Status::Active,
        Status::Active => Status::FollowedUp,
        Status::FollowedUp => Status::Closed,
        Status::Closed => return Err(Refusal::Closed),
    };
    if to == next {
        Ok(next)
    } else {
        Err(Refusal::WrongStep)
    }
}

/// Editing an agreed (or later) promise makes a new draft version that needs new sign-offs;
/// a draft is edited in place. Returns the status the edited promise has.
pub fn edit(status: Status) -> Result<EditKind, Refusal> {
    match status {
        Status::Draft => Ok(EditKind::InPlace),
        Status::Closed => Err(Refusal::Closed),
        _ => Ok(EditKind::NewVersion),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKind {
    InPlace,
    NewVersion,
}

/// An activity's progress: the amounts logged against its measurable target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityProgress {
    pub target: f64,
    pub achieved: f64,
    pub weight: f64,
}

/// Percent of target reached, 0–100: achieved ÷ target, capped at 100. A target of 0 or less
/// is refused when stored; here it counts as 0 so a bad row cannot divide by zero.
pub fn activity_percent(target: f64, achieved: f64) -> f64 {
    if target <= 0.0 || !target.is_finite() || !achieved.is_finite() {
        return 0.0;
    }
    (achieved.max(0.0) / target * 100.0).min(100.0)
}

/// A weighted mean of percents; no parts (or no weight) is 0.
pub fn weighted(parts: &[(f64, f64)]) -> f64 {
    let total: f64 = parts.iter().map(|(_, w)| w.max(0.0)).sum();
    if total <= 0.0 {
        return 0.0;
    }
    parts.iter().map(|(p, w)| p * w.max(0.0)).sum::<f64>() / total
}

/// A commitment's percent from its activities, weighted by their weights.
pub fn commitment_percent(activities: &[ActivityProgress]) -> f64 {
    let parts: Vec<(f64, f64)> = activities
        .iter()
        .map(|a| (activity_percent(a.target, a.achieved), a.weight))
        .collect();
    weighted(&parts)
}

/// A promise's percent from its commitments: `(commitment percent, weight)`.
pub fn promise_percent(commitments: &[(f64, f64)]) -> f64 {
    weighted(commitments)
}

/// One commitment as written in a version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommitmentText {
    /// The stable commitment id (absent for a new one).
    pub id: Option<i64>,
    pub text: crate::LocalizedText,
    pub weight: f64,
    /// Themes of an approved compilation of the LPO that this commitment answers.
    pub theme_ids: Vec<i64>,
}

/// The text of one version of a promise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromiseText {
    pub title: crate::LocalizedText,
    pub body: crate::LocalizedText,
    pub commitments: Vec<CommitmentText>,
}

/// An activity as staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub id: i64,
    pub title: String,
    pub owner_kind: String,
    pub owner_id: i64,
    pub target: f64,
    pub unit: String,
    pub due_on: NaiveDate,
    pub achieved: f64,
    pub percent: f64,
}

/// An activity past its due date and short of its target, for the LPO's overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverdueActivity {
    pub promise_id: i64,
    pub promise_title: crate::LocalizedText,
    pub title: String,
    pub unit: String,
    pub target: f64,
    pub achieved: f64,
    pub due_on: NaiveDate,
}

/// A commitment with its activities, as staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommitmentLine {
    pub id: i64,
    pub text: crate::LocalizedText,
    pub weight: f64,
    pub percent: f64,
    pub activities: Vec<ActivityLine>,
}

/// A promise in the staff list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromiseRow {
    pub id: i64,
    pub lpo_name: String,
    pub title: crate::LocalizedText,
    pub status: Status,
    pub version: i32,
    pub percent: f64,
}

/// A promise as staff work on it: its current version, its sign-offs, its commitments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromiseDetail {
    pub id: i64,
    pub lpo_id: i64,
    pub lpo_name: String,
    pub status: Status,
    pub version: i32,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub text: PromiseText,
    pub signed: Vec<SignOff>,
    pub commitments: Vec<CommitmentLine>,
    pub percent: f64,
    pub municipalities: Vec<crate::Named>,
}

/// An activity as the public follow-up page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicActivity {
    pub title: String,
    pub unit: String,
    pub target: f64,
    pub achieved: f64,
    pub percent: f64,
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// As shown (`crate::progress::ActivityStatus::shown`); a cancelled one does not count.
    #[serde(default)]
    pub status: crate::progress::ActivityStatus,
    /// Why it was cancelled.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default = "crate::progress::one")]
    pub weight: f64,
}

/// A theme residents raised, with how many (under the n<5 rule, from the approved compilation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicTheme {
    pub name: crate::LocalizedText,
    pub people: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicCommitment {
    pub text: crate::LocalizedText,
    pub percent: f64,
    pub themes: Vec<PublicTheme>,
    pub activities: Vec<PublicActivity>,
}

/// A progress entry as published (an Atom entry too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub id: i64,
    pub on: NaiveDate,
    pub at: chrono::DateTime<chrono::Utc>,
    pub activity: String,
    pub text: String,
    pub amount: f64,
    pub unit: String,
    /// On a correcting entry (*rättelse*): what it replaced and why.
    #[serde(default)]
    pub corrects: Option<crate::progress::Corrected>,
    /// On an entry a later correction replaced: its amount no longer counts.
    #[serde(default)]
    pub superseded: Option<crate::progress::Supersession>,
}

/// An earlier promise and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    pub title: crate::LocalizedText,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub status: Status,
    pub percent: f64,
}

/// The public follow-up page of one municipality: the current promise (its last signed
/// version), its progress, "du sa – vi gjorde", the latest updates and earlier promises.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicPromise {
    pub id: i64,
    pub municipality: String,
    pub lpo_name: String,
    pub title: crate::LocalizedText,
    pub body: crate::LocalizedText,
    pub status: Status,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub version: i32,
    pub signed: Vec<SignOff>,
    pub percent: f64,
    pub commitments: Vec<PublicCommitment>,
    pub updates: Vec<Update>,
    pub earlier: Vec<Earlier>,
    /// Before and after: the dialogue the promise answers and its follow-up, on their
    /// shared question-bank items.
    #[serde(default)]
    pub follow_up: Option<BeforeAfter>,
}

/// One bank item's figures in one dialogue, as published (each `None` under the n<5 rule).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemFigure {
    pub answered: Option<i64>,
    pub mean: Option<f64>,
    pub share_high: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfterItem {
    pub text: crate::LocalizedText,
    pub before: ItemFigure,
    pub after: ItemFigure,
}

/// A dialogue and its follow-up, side by side on the bank items both ask.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    pub before: crate::LocalizedText,
    pub after: crate::LocalizedText,
    /// The follow-up is still open: its figures are preliminary.
    pub after_preliminary: bool,
    pub items: Vec<BeforeAfterItem>,
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
    fn activity_percent_is_capped_and_safe() {
        assert_eq!(activity_percent(4.0, 1.0), 25.0);
        assert_eq!(activity_percent(4.0, 6.0), 100.0, "capped at 100");
        assert_eq!(activity_percent(8.0, 0.0), 0.0, "no progress yet");
        assert_eq!(activity_percent(0.0, 3.0), 0.0, "no division by zero");
        assert_eq!(activity_percent(-1.0, 3.0), 0.0);
        assert_eq!(
            activity_percent(4.0, -2.0),
            0.0,
            "a negative amount counts as none"
        );
    }

    #[test]
    fn roll_up_weights_caps_and_empty_activities() {
        // "4 trygghetsvandringar" with 1 done (25 %), weight 1; "≥ 8 grannsamverkansområden"
        // with 10 (capped 100 %), weight 3; one with no progress (0 %), weight 1.
        let c = commitment_percent(&[a(4.0, 1.0, 1.0), a(8.0, 10.0, 3.0), a(2.0, 0.0, 1.0)]);
        assert!((c - (25.0 + 300.0 + 0.0) / 5.0).abs() < 1e-9, "{c}");
        assert_eq!(
            commitment_percent(&[]),
            0.0,
            "a commitment without activities"
        );
        assert_eq!(
            commitment_percent(&[a(4.0, 4.0, 0.0)]),
            0.0,
            "no weight, no progress"
        );
        let p = promise_percent(&[(c, 2.0), (100.0, 1.0), (0.0, 1.0)]);
        assert!((p - (c * 2.0 + 100.0) / 4.0).abs() < 1e-9, "{p}");
        assert_eq!(promise_percent(&[]), 0.0);
    }

    #[test]
    fn both_sign_offs_make_a_draft_agreed() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 1).expect("date");
        let police = SignOff {
            signer: Signer::Police,
            name: "Chef".into(),
            on: day,
        };
        assert_eq!(sign(Status::Draft, &[], Signer::Police), Ok(Status::Draft));
        assert_eq!(
            sign(Status::Draft, std::slice::from_ref(&police), Signer::Police),
            Err(Refusal::AlreadySigned)
        );
        assert_eq!(
            sign(
                Status::Draft,
                std::slice::from_ref(&police),
                Signer::Municipality
            ),
            Ok(Status::Agreed)
        );
        assert_eq!(
            sign(Status::Agreed, &[], Signer::Police),
            Err(Refusal::WrongStep)
        );
        assert_eq!(
            sign(Status::Closed, &[], Signer::Police),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn the_lifecycle_goes_one_step_at_a_time_and_agreed_text_is_frozen() {
        assert_eq!(
            advance(Status::Draft, Status::Agreed),
            Err(Refusal::Unsigned)
        );
        assert_eq!(advance(Status::Agreed, Status::Active), Ok(Status::Active));
        assert_eq!(
            advance(Status::Agreed, Status::Closed),
            Err(Refusal::WrongStep)
        );
        assert_eq!(
            advance(Status::Active, Status::FollowedUp),
            Ok(Status::FollowedUp)
        );
        assert_eq!(
            advance(Status::FollowedUp, Status::Closed),
            Ok(Status::Closed)
        );
        assert_eq!(
            advance(Status::Closed, Status::Closed),
            Err(Refusal::Closed)
        );
        assert_eq!(edit(Status::Draft), Ok(EditKind::InPlace));
        assert_eq!(edit(Status::Agreed), Ok(EditKind::NewVersion));
        assert_eq!(edit(Status::Active), Ok(EditKind::NewVersion));
        assert_eq!(edit(Status::Closed), Err(Refusal::Closed));
        assert!(Status::Active.takes_progress());
        assert!(!Status::Closed.takes_progress() && !Status::Draft.takes_progress());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
    }
}
