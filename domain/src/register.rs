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
}
