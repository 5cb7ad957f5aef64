//! A theme link of a commitment as one version of a promise has it (*temakoppling*): part of
//! the version's snapshot, so a draft revision never changes what a signed version answers.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promise_version_theme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promise_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub commitment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_id: i64,
    pub compilation_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
