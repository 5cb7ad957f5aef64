//! A sign-off of one version of a promise.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promise_sign_off")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promise_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// `domain::promise::Signer` code (before the named signatories: `police` and
    /// `municipality`, rewritten by the migration that introduced them).
    #[sea_orm(primary_key, auto_increment = false)]
    pub signer: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub signed_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
