//! A node of the police organisation: nation → region → district (*polisområde*) →
//! local police area (*lokalpolisområde*, LPO) → municipality (*kommun*) → area (*stadsdel/tätort*).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `nation`, `region`, `district`, `lpo`, `municipality` or `area`.
    pub kind: String,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
