//! An earlier wording of a question, kept when a frozen question's text is fixed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub question_id: i64,
    /// The revision these texts belonged to.
    pub revision: i32,
    /// `LocalizedText` as JSON.
    pub text: String,
    /// `domain::QuestionKind` as JSON (option labels and scale ends of that revision).
    pub kind: String,
    pub changed_at: DateTimeUtc,
    pub changed_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
