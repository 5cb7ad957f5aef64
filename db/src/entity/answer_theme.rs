//! A theme of a coded answer: whether the suggester proposed it, and whether it was accepted.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "answer_theme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_id: i64,
    pub suggested: bool,
    pub accepted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
