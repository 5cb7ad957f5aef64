//! A free-text answer an officer has worked through.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coded_answer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: i64,
    pub dialogue_id: i64,
    pub coded_by: Option<i64>,
    pub coded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
