//! One version of a promise's text, as JSON; immutable once signed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promise_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub promise_id: i64,
    pub version: i32,
    /// `PromiseText` as JSON.
    pub data: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
