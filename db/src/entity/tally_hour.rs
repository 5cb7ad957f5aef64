//! Responses per dialogue, hour (UTC, truncated), group and channel: the time series of the
//! dashboards, kept in the same commit as the answers.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tally_hour")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dialogue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: DateTimeUtc,
    #[sea_orm(primary_key, auto_increment = false)]
    pub dialogue_group_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
