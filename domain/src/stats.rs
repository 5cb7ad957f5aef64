//! Read models for staff views.

use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

/// Answers received through one target group's link, against its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group_code: String,
    pub group_name: LocalizedText,
    pub link_code: String,
    pub target: i32,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueCounts {
    pub dialogue_id: i64,
    pub title: LocalizedText,
    pub lpo_id: i64,
    pub lpo_name: String,
    pub total: i64,
    pub groups: Vec<GroupCount>,
}

/// A dialogue open to answers, as listed publicly (no counts: those are staff-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDialogue {
    pub title: LocalizedText,
    pub lpo_name: String,
    /// The link of its general (residents') group.
    pub link_code: String,
}
