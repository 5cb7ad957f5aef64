//! A question of a dialogue. Frozen once the dialogue opens.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialogue_id: i64,
    pub position: i32,
    pub required: bool,
    /// `LocalizedText` as JSON.
    pub text: String,
    /// `domain::QuestionKind` as JSON.
    pub kind: String,
    /// `Option<domain::Condition>` as JSON.
    pub condition: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
