//! An activity of a commitment, with a measurable target.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub commitment_id: i64,
    pub title: String,
    /// `officer`, `police_unit` or `municipal_unit`.
    pub owner_kind: String,
    pub owner_id: i64,
    pub target: f64,
    pub unit: String,
    pub due_on: Date,
    /// `domain::progress::ActivityStatus::code`.
    pub status: String,
    pub weight: f64,
    /// The promise version it was planned under: shown in public once that version is the
    /// one in force (an activity planned for a draft revision waits for its signatures).
    pub since_version: i32,
    /// Why it was cancelled (set while cancelled only).
    pub status_reason: Option<String>,
    /// Raised by every edit; a save made from an older version is a conflict.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
