//! Browsers that have answered a dialogue, as salted hashes of a random cookie token.
//! Kept apart from the answer rows: nothing links a row here to a response. No id, no time,
//! and no order of arrival: `WITHOUT ROWID` on SQLite, rewritten in key order after each
//! commit on PostgreSQL ([`crate::survey::unlink_claims`]).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "browser_seen")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dialogue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
