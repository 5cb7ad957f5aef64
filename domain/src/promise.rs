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

/// Who must sign a version (*undertecknare*). Each promise names its signatories: at least
/// the LPO manager and a representative of each covered municipality; often also the
/// community officer, the chair of the municipal board and the municipal director. A version
/// is agreed when every named signatory has signed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// The LPO manager of the promise's LPO (*lokalpolisområdeschef*).
    Police,
    /// A community officer of the promise's LPO (*kommunpolis*).
    CommunityOfficer,
    /// A representative of this municipality (a municipal partner of it).
    Municipality(i64),
    /// The chair of this municipality's municipal board (*kommunstyrelsens ordförande*).
    BoardChair(i64),
    /// This municipality's municipal director (*kommundirektör*).
    MunicipalDirector(i64),
}

impl Signer {
    /// The stored code (at most 20 characters for any 11-digit id).
    pub fn code(self) -> String {
        match self {
            Signer::Police => "police".to_owned(),
            Signer::CommunityOfficer => "officer".to_owned(),
            Signer::Municipality(m) => format!("mun:{m}"),
            Signer::BoardChair(m) => format!("chair:{m}"),
            Signer::MunicipalDirector(m) => format!("director:{m}"),
        }
    }

    pub fn parse(code: &str) -> Option<Signer> {
        match code {
            "police" => return Some(Signer::Police),
            "officer" => return Some(Signer::CommunityOfficer),
            _ => {}
        }
        let (kind, id) = code.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "mun" => Some(Signer::Municipality(id)),
            "chair" => Some(Signer::BoardChair(id)),
            "director" => Some(Signer::MunicipalDirector(id)),
            _ => None,
        }
    }

    /// The municipality a municipal signatory signs for.
    pub fn municipality(self) -> Option<i64> {
        match self {
            Signer::Municipality(m) | Signer::BoardChair(m) | Signer::MunicipalDirector(m) => {
                Some(m)
            }
            Signer::Police | Signer::CommunityOfficer => None,
        }
    }

    /// The i18n key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Signer::Police => "promise.signed_police",
            Signer::CommunityOfficer => "promise.signed_officer",
            Signer::Municipality(_) => "promise.signed_municipality",
            Signer::BoardChair(_) => "promise.signed_chair",
            Signer::MunicipalDirector(_) => "promise.signed_director",
        }
    }

    /// The i18n key of the signatory's role (in forms and lists).
    pub fn role_key(self) -> &'static str {
        match self {
            Signer::Police => "promise.role.police",
            Signer::CommunityOfficer => "promise.role.officer",
            Signer::Municipality(_) => "promise.role.municipality",
            Signer::BoardChair(_) => "promise.role.chair",
            Signer::MunicipalDirector(_) => "promise.role.director",
        }
    }

    /// Whether someone with `role` scoped to `scope` may sign as this signatory of a promise
    /// of `lpo`: the LPO manager for the police, an officer of the LPO for the community
    /// officer, and a municipal partner of that municipality for each municipal role (the
    /// system has no separate roles for the chair and the director; their municipality's
    /// partner account signs in their name). Admins sign for nobody.
    pub fn may_sign(self, role: crate::Role, scope: Option<i64>, lpo: i64) -> bool {
        use crate::Role;
        match self {
            Signer::Police => role == Role::LpoManager && scope == Some(lpo),
            Signer::CommunityOfficer => role == Role::Officer && scope == Some(lpo),
            Signer::Municipality(m) | Signer::BoardChair(m) | Signer::MunicipalDirector(m) => {
                role == Role::MunicipalPartner && scope == Some(m)
            }
        }
    }
}

/// The signatories of a version: always the police and a representative of each of
/// `municipalities`, then `extra` (the optional roles) in a fixed order, without repeats.
/// An extra signatory of a municipality the promise does not cover is refused.
pub fn signatories(municipalities: &[i64], extra: &[Signer]) -> Result<Vec<Signer>, Refusal> {
    let mut out = vec![Signer::Police];
    out.extend(municipalities.iter().map(|m| Signer::Municipality(*m)));
    for s in extra {
        if s.municipality()
            .is_some_and(|m| !municipalities.contains(&m))
        {
            return Err(Refusal::Signatories);
        }
    }
    let rank = |s: &Signer| match s {
        Signer::Police => 0,
        Signer::Municipality(_) => 1,
        Signer::BoardChair(_) => 2,
        Signer::MunicipalDirector(_) => 3,
        Signer::CommunityOfficer => 4,
    };
    let mut extra: Vec<Signer> = extra.to_vec();
    extra.sort_by_key(|s| (rank(s), s.municipality()));
    for s in extra {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
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
    /// This signer (or this person, as another signatory) has already signed this version.
    AlreadySigned,
    /// Not one of the version's named signatories, or a signatory of a municipality the
    /// promise does not cover.
    Signatories,
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
            Refusal::Signatories => "promise.signatories",
            Refusal::WrongStep => "promise.wrong_step",
            Refusal::Closed => "promise.closed",
        }
    }
}

/// A sign-off of the version being signed: a first draft (`status` draft), or a revision
/// drafted beside the version in force (`revising`). `required` are the version's named
/// signatories. Returns `Some(status)` when this was the last signature missing (a first
/// draft becomes agreed; a revision comes into force with the lifecycle status unchanged),
/// `None` while signatures are still missing.
pub fn sign(
    status: Status,
    revising: bool,
    required: &[Signer],
    signed: &[SignOff],
    by: Signer,
) -> Result<Option<Status>, Refusal> {
    if status == Status::Closed {
        return Err(Refusal::Closed);
    }
    if status != Status::Draft && !revising {
        return Err(Refusal::WrongStep);
    }
    if !required.contains(&by) {
        return Err(Refusal::Signatories);
    }
    if signed.iter().any(|s| s.signer == by) {
        return Err(Refusal::AlreadySigned);
    }
    let all = required
        .iter()
        .all(|need| *need == by || signed.iter().any(|s| s.signer == *need));
    Ok(all.then_some(if status == Status::Draft {
        Status::Agreed
    } else {
        status
    }))
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
    /// The stored version, which its edit form sends back (optimistic concurrency).
    pub version: i32,
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
    /// The version of a revision drafted beside the signed one, if any.
    #[serde(default)]
    pub revision: Option<i32>,
}

/// A promise as staff work on it: the version being worked on (the draft revision when there
/// is one, else the version in force), its sign-offs, its commitments.
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
    /// The signed version in force (`version` is then either it or a revision drafted beside
    /// it); `None` before the first version is agreed.
    #[serde(default)]
    pub in_force: Option<i32>,
    /// The named signatories of `version`.
    #[serde(default)]
    pub required: Vec<Signer>,
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
    /// As shown (`crate::activity::ActivityStatus::shown`); a cancelled one does not count.
    #[serde(default)]
    pub status: crate::activity::ActivityStatus,
    /// Why it was cancelled.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default = "crate::activity::one")]
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
    pub corrects: Option<crate::activity::Corrected>,
    /// On an entry a later correction replaced: its amount no longer counts.
    #[serde(default)]
    pub superseded: Option<crate::activity::Supersession>,
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
    /// A revised version is being drafted (it changes nothing shown until it is signed).
    #[serde(default)]
    pub revising: bool,
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
    fn every_named_signatory_must_sign() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 1).expect("date");
        let off = |signer| SignOff {
            signer,
            name: "Namn".into(),
            on: day,
        };
        let two = signatories(&[7], &[]).expect("valid");
        assert_eq!(two, vec![Signer::Police, Signer::Municipality(7)]);
        assert_eq!(
            sign(Status::Draft, false, &two, &[], Signer::Police),
            Ok(None)
        );
        assert_eq!(
            sign(
                Status::Draft,
                false,
                &two,
                &[off(Signer::Police)],
                Signer::Police
            ),
            Err(Refusal::AlreadySigned)
        );
        assert_eq!(
            sign(
                Status::Draft,
                false,
                &two,
                &[off(Signer::Police)],
                Signer::Municipality(7)
            ),
            Ok(Some(Status::Agreed))
        );
        assert_eq!(
            sign(Status::Draft, false, &two, &[], Signer::Municipality(8)),
            Err(Refusal::Signatories),
            "not a named signatory"
        );
        // Four: agreed only with the last one, whatever the order.
        let four = signatories(
            &[7],
            &[
                Signer::MunicipalDirector(7),
                Signer::BoardChair(7),
                Signer::BoardChair(7),
            ],
        )
        .expect("valid");
        assert_eq!(
            four,
            vec![
                Signer::Police,
                Signer::Municipality(7),
                Signer::BoardChair(7),
                Signer::MunicipalDirector(7)
            ]
        );
        let mut done = Vec::new();
        for (i, s) in [four[3], four[0], four[2], four[1]].into_iter().enumerate() {
            let r = sign(Status::Draft, false, &four, &done, s);
            assert_eq!(r, Ok((i == 3).then_some(Status::Agreed)), "{i}");
            done.push(off(s));
        }
        assert_eq!(
            signatories(&[7], &[Signer::BoardChair(8)]),
            Err(Refusal::Signatories)
        );
        // A revision beside an active promise comes into force and stays active.
        assert_eq!(
            sign(
                Status::Active,
                true,
                &two,
                &[off(Signer::Police)],
                Signer::Municipality(7)
            ),
            Ok(Some(Status::Active))
        );
        assert_eq!(
            sign(Status::Agreed, false, &two, &[], Signer::Police),
            Err(Refusal::WrongStep)
        );
        assert_eq!(
            sign(Status::Closed, true, &two, &[], Signer::Police),
            Err(Refusal::Closed)
        );
        for s in four.iter().chain([Signer::CommunityOfficer].iter()) {
            assert_eq!(Signer::parse(&s.code()), Some(*s));
            assert!(Signer::MunicipalDirector(99_999_999_999).code().len() <= 20);
        }
        use crate::Role;
        assert!(Signer::Police.may_sign(Role::LpoManager, Some(1), 1));
        assert!(!Signer::Police.may_sign(Role::LpoManager, Some(2), 1));
        assert!(!Signer::Police.may_sign(Role::Admin, None, 1));
        assert!(Signer::CommunityOfficer.may_sign(Role::Officer, Some(1), 1));
        assert!(Signer::BoardChair(7).may_sign(Role::MunicipalPartner, Some(7), 1));
        assert!(!Signer::BoardChair(7).may_sign(Role::MunicipalPartner, Some(8), 1));
        assert!(!Signer::Municipality(7).may_sign(Role::Officer, Some(7), 1));
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
