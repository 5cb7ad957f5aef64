//! The community officers' register: special areas and agreements (*överenskommelser*).

use crate::text::LocalizedText;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Draft,
    Active,
    Ended,
}

impl AgreementStatus {
    pub const ALL: [AgreementStatus; 3] = [
        AgreementStatus::Draft,
        AgreementStatus::Active,
        AgreementStatus::Ended,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AgreementStatus::Draft => "draft",
            AgreementStatus::Active => "active",
            AgreementStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// A choice in a form: an id and what to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: i64,
    pub name: LocalizedText,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: i64,
    /// Stable id for links from promises and activities.
    pub uid: String,
    pub lpo_id: i64,
    pub lpo_name: String,
    pub officer_name: Option<String>,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub municipal_unit_name: String,
    pub special_area: LocalizedText,
    pub purpose: String,
    pub starts_on: NaiveDate,
    pub review_on: NaiveDate,
    pub contact_person: String,
    pub status: AgreementStatus,
    pub due_for_review: bool,
}

/// What a form sends to create an agreement; every field is checked on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementInput {
    pub municipal_unit_id: String,
    pub special_area_id: String,
    pub officer_id: String,
    pub purpose: String,
    pub starts_on: String,
    pub review_on: String,
    pub contact_person: String,
    pub status: String,
}

/// Agreements are flagged this many days before their review date.
pub const REVIEW_WARNING_DAYS: i64 = 30;

pub fn due_for_review(review_on: NaiveDate, status: AgreementStatus, today: NaiveDate) -> bool {
    status != AgreementStatus::Ended && (review_on - today).num_days() <= REVIEW_WARNING_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_flag() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert!(due_for_review(
            d("2026-12-20"),
            AgreementStatus::Active,
            d("2026-11-30")
        ));
        assert!(due_for_review(
            d("2026-11-01"),
            AgreementStatus::Active,
            d("2026-11-30")
        ));
        assert!(!due_for_review(
            d("2027-03-01"),
            AgreementStatus::Active,
            d("2026-11-30")
        ));
        assert!(!due_for_review(
            d("2026-12-01"),
            AgreementStatus::Ended,
            d("2026-11-30")
        ));
    }
}

/// A community police officer and their special areas (*specialområden*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerAreas {
    pub name: String,
    pub lpo_name: String,
    pub areas: Vec<LocalizedText>,
}

/// A unit of the organisation tree, with its depth, for the admin page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNode {
    pub depth: usize,
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub code: String,
    /// Retired: no longer offered in pickers (scopes, municipalities, areas); restorable.
    #[serde(default)]
    pub retired: bool,
    /// Has history (units under it, accounts, dialogues, promises, agreements, themes):
    /// renamed, moved or retired, never deleted.
    #[serde(default)]
    pub history: bool,
}

/// The kind a child of a `parent_kind` unit may have.
pub fn child_kinds(parent_kind: &str) -> &'static [&'static str] {
    match parent_kind {
        "nation" => &["region"],
        "region" => &["district"],
        "district" => &["lpo"],
        "lpo" => &["municipality"],
        "municipality" => &["area", "unit"],
        _ => &[],
    }
}

/// What may be done with a unit of the organisation tree (admins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgChange {
    Rename,
    /// Under another parent of a kind that may hold it.
    Move,
    /// Out of every picker; what refers to it keeps its name.
    Retire,
    Restore,
    /// Gone for good: only without history.
    Delete,
}

impl OrgChange {
    pub fn parse(code: &str) -> Option<OrgChange> {
        match code {
            "rename" => Some(OrgChange::Rename),
            "move" => Some(OrgChange::Move),
            "retire" => Some(OrgChange::Retire),
            "restore" => Some(OrgChange::Restore),
            "delete" => Some(OrgChange::Delete),
            _ => None,
        }
    }
}

/// What the rule of change needs to know of a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrgFacts {
    /// The tree's root (the nation): fixed.
    pub root: bool,
    pub retired: bool,
    pub history: bool,
    /// Units under it that are not retired.
    pub active_children: bool,
    pub parent_retired: bool,
}

/// Why `change` is refused (field, catalogue key), or `None`. The rule of change: any unit but
/// the root may be renamed, moved (under a parent of a fitting kind, checked with the tree)
/// and retired once nothing active is under it; a retired unit is restored under an active
/// parent; only a unit without history is deleted.
pub fn org_change_refusal(change: OrgChange, f: OrgFacts) -> Option<(&'static str, &'static str)> {
    match change {
        OrgChange::Rename => None,
        _ if f.root => Some(("change", "org.root_fixed")),
        OrgChange::Retire if f.retired => Some(("change", "org.already_retired")),
        OrgChange::Retire if f.active_children => Some(("change", "org.has_active_children")),
        OrgChange::Restore if !f.retired => Some(("change", "org.not_retired")),
        OrgChange::Restore if f.parent_retired => Some(("change", "org.parent_retired")),
        OrgChange::Delete if f.history => Some(("change", "org.has_history")),
        _ => None,
    }
}

#[cfg(test)]
mod org_change_tests {
    use super::*;

    #[test]
    fn the_org_units_rule_of_change_row_by_row() {
        use OrgChange::*;
        let plain = OrgFacts::default();
        let with = |f: fn(&mut OrgFacts)| {
            let mut x = plain;
            f(&mut x);
            x
        };
        let root = with(|f| f.root = true);
        assert_eq!(org_change_refusal(Rename, root), None);
        for c in [Move, Retire, Delete] {
            assert_eq!(
                org_change_refusal(c, root),
                Some(("change", "org.root_fixed"))
            );
        }
        assert_eq!(org_change_refusal(Move, with(|f| f.history = true)), None);
        assert_eq!(org_change_refusal(Retire, with(|f| f.history = true)), None);
        assert_eq!(
            org_change_refusal(Retire, with(|f| f.active_children = true)),
            Some(("change", "org.has_active_children"))
        );
        assert_eq!(
            org_change_refusal(Retire, with(|f| f.retired = true)),
            Some(("change", "org.already_retired"))
        );
        assert_eq!(
            org_change_refusal(Restore, with(|f| f.retired = true)),
            None
        );
        assert_eq!(
            org_change_refusal(Restore, plain),
            Some(("change", "org.not_retired"))
        );
        assert_eq!(
            org_change_refusal(
                Restore,
                with(|f| {
                    f.retired = true;
                    f.parent_retired = true
                })
            ),
            Some(("change", "org.parent_retired"))
        );
        assert_eq!(org_change_refusal(Delete, plain), None);
        assert_eq!(
            org_change_refusal(Delete, with(|f| f.history = true)),
            Some(("change", "org.has_history"))
        );
        assert_eq!(OrgChange::parse("move"), Some(Move));
        assert_eq!(OrgChange::parse("drop"), None);
    }
}
