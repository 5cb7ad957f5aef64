//! Submission ids already stored, for idempotent retries. Kept apart from the answer rows on
//! purpose: nothing links a submission id to a response. No id, no time, and no order of
//! arrival, like [`super::browser_seen`].
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submission")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dialogue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
