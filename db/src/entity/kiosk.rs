//! A kiosk token: lets one tablet at a meeting take answers from one person after another.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kiosk")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialogue_id: i64,
    /// SHA-256 of the token; the token itself is shown once, when issued.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub label: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// `kiosk` (takes answers) or `display` (a read-only wall screen).
    pub purpose: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
