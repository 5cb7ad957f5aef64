//! A community officers' agreement (*medborgarlöftets överenskommelse*) a promise builds on.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promise_agreement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promise_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
