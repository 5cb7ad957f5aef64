//! A staff account. The password hash never leaves this crate: services map to `domain::Principal`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub scope_unit_id: Option<i64>,
    pub municipal_unit_id: Option<i64>,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: DateTimeUtc,
    /// Raised by every edit; a save made from an older version is a conflict.
    pub version: i32,
    /// Sessions that began before this no longer count (role or scope changed).
    pub sessions_since: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
