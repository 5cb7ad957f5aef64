//! One answer to one question. A multiple-choice answer is one row per option picked.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "answer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub response_id: i64,
    pub question_id: i64,
    /// Scale value 1–5.
    pub value_num: Option<i32>,
    /// Option, area or `vet_ej` code.
    pub value_code: Option<String>,
    pub value_text: Option<String>,
    /// Free text hidden by staff because it identifies someone: never shown or quoted.
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
