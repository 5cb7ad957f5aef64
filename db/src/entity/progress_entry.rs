//! Progress logged on an activity: a date, a text and an amount towards the target.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "progress_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: i64,
    pub on_day: Date,
    pub text: String,
    pub amount: f64,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    /// The entry this one corrects (*rättelse*); that entry's figure no longer counts.
    pub corrects: Option<i64>,
    /// Why the correction was made (set on correcting entries only).
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
