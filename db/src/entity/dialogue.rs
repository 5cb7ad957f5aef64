//! A citizen dialogue (*medborgardialog*): a survey round of one LPO.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dialogue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lpo_id: i64,
    /// `LocalizedText` as JSON.
    pub title: String,
    /// `LocalizedText` as JSON.
    pub intro: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// Salts the one-answer-per-browser hashes of this dialogue.
    pub dedup_salt: String,
    /// The earlier dialogue this one measures again (before and after on shared bank items).
    pub follow_up_of: Option<i64>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
