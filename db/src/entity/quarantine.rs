//! A spam quarantine: the responses that arrived in `[from_hour, to_hour)` leave every count
//! until it is released.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quarantine")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialogue_id: i64,
    pub from_hour: DateTimeUtc,
    pub to_hour: DateTimeUtc,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub released_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
