//! One submitted questionnaire. Holds no IP address, user agent, name or exact time.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "response")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialogue_id: i64,
    pub dialogue_group_id: i64,
    pub channel: String,
    /// The area answered, or empty.
    pub area: String,
    /// Submission time truncated to the hour (UTC).
    pub submitted_hour: DateTimeUtc,
    pub quarantined: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
