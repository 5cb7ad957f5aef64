//! Every state change by staff: who, what, which record, when (UTC). Never respondent data.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub user_id: Option<i64>,
    /// The org unit the change belongs to, so managers see the log for their scope.
    pub scope_unit_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
