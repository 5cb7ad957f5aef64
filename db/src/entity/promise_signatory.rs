//! A named signatory of one version of a promise (*undertecknare*): the version is agreed
//! when each of them has signed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promise_signatory")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promise_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// `domain::promise::Signer` code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub signer: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
