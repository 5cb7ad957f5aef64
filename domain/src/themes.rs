//! Theme coding of free text, as staff see it.

use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeLine {
    pub id: i64,
    pub code: String,
    pub name: LocalizedText,
    pub keywords: Vec<String>,
}

/// A free-text answer waiting to be coded, with the suggester's proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodingItem {
    pub answer_id: i64,
    pub question: LocalizedText,
    pub text: String,
    pub suggested: Vec<i64>,
    /// Catalogue keys of the quick check's warnings (name, phone, e-mail, personnummer).
    pub warnings: Vec<String>,
    pub hidden: bool,
}

/// The coding page of one dialogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coding {
    pub dialogue_id: i64,
    pub title: LocalizedText,
    pub themes: Vec<ThemeLine>,
    /// The next answers to code, oldest first.
    pub queue: Vec<CodingItem>,
    pub coded: u64,
    pub remaining: u64,
    /// Suggestions decided so far, and how many of them were accepted.
    pub suggestions_decided: u64,
    pub suggestions_accepted: u64,
    /// Themes by how many coded answers carry them: `(theme id, count)`, before suppression
    /// (staff working view; every public figure goes through the n<5 rule).
    pub counts: Vec<(i64, u64)>,
}
