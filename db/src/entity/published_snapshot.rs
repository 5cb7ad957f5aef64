//! The dashboard distributions as last published for a dialogue (JSON), and the response
//! total they were published at.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "published_snapshot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dialogue_id: i64,
    pub total: i64,
    pub data: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
