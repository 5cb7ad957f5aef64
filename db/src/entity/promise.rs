//! A citizen promise of an LPO for one or more municipalities.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promise")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lpo_id: i64,
    /// `domain::promise::Status` code.
    pub status: String,
    pub period_from: Date,
    pub period_to: Date,
    /// The version in force once one is agreed (before that: the draft).
    pub current_version: i32,
    pub created_at: DateTimeUtc,
    /// A revision drafted beside the version in force; it becomes `current_version` when
    /// all its signatories have signed.
    pub revision: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
