//! A theme of an LPO's free-text coding (*tema*), with its keywords for suggestions.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "theme")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lpo_id: i64,
    pub code: String,
    /// `LocalizedText` as JSON.
    pub name: String,
    /// One keyword per line.
    pub keywords: String,
    pub position: i32,
    /// Set when retired (or merged): out of coding, suggestions and the draft compilation.
    pub retired_at: Option<DateTimeUtc>,
    /// The theme this one was merged into (its coded answers moved there).
    pub merged_into: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
