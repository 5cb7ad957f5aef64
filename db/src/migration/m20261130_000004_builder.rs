//! The dialogue builder: the shared question bank, the origin and revision of each question,
//! and the wording history kept when a frozen question's text is fixed.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Texts are `LocalizedText` and kinds `QuestionKind`, both as JSON text, so a new
        // language (also a right-to-left one) needs no schema change.
        m.create_table(
            Table::create()
                .table("bank_item")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 80))
                .col(integer("position"))
                .col(text("text"))
                .col(text("kind"))
                .col(integer("revision").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        // One row per question: the bank item it came from (to compare LPOs) and its wording
        // revision. Kept apart from `question` so the respondent path is untouched.
        m.create_table(
            Table::create()
                .table("question_meta")
                .if_not_exists()
                .col(big_integer("question_id").primary_key())
                .col(big_integer_null("bank_item_id"))
                .col(integer("revision").default(1))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_question_meta_bank_item")
                .table("question_meta")
                .col("bank_item_id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // Earlier wordings of a question (revision `revision` had these texts).
        m.create_table(
            Table::create()
                .table("question_revision")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("question_id"))
                .col(integer("revision"))
                .col(text("text"))
                .col(text("kind"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(big_integer_null("changed_by"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_question_revision_question")
                .table("question_revision")
                .col("question_id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // A fresh install has the bank from the start.
        crate::bank::seed_if_empty(m.get_connection(), chrono::Utc::now()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["question_revision", "question_meta", "bank_item"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
