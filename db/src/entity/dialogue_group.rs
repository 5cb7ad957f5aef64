//! A target group within one dialogue: its own public link and target number of answers.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dialogue_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialogue_id: i64,
    pub target_group_id: i64,
    pub target_count: i32,
    /// The short code in the public link `/s/{link_code}`.
    #[sea_orm(unique)]
    pub link_code: String,
    /// Set for closed groups (e.g. a council meeting): answers need this code.
    pub invite_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
