//! How long an LPO keeps raw free text after a compilation is approved.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lpo_retention")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub lpo_id: i64,
    pub days: i32,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
