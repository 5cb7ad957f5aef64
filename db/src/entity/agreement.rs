//! An agreement (*överenskommelse*) between the LPO or an officer and a municipal unit.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public id, for links from promises and activities.
    #[sea_orm(unique)]
    pub uid: String,
    pub lpo_id: i64,
    pub officer_id: Option<i64>,
    pub municipal_unit_id: i64,
    pub special_area_id: i64,
    pub purpose: String,
    pub starts_on: Date,
    pub review_on: Date,
    pub contact_person: String,
    /// `draft`, `active`, `ended`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
