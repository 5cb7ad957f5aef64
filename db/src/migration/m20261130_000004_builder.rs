//! The dialogue builder: the shared question bank, the origin and revision of each question,
//! and the wording history kept when a frozen question's text is fixed.
use super::{drop_tables, index, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Texts are `LocalizedText` and kinds `QuestionKind`, both as JSON text, so a new
    // language (also a right-to-left one) needs no schema change.
    m.create_table(
        table("bank_item")
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
        table("question_meta")
            .col(big_integer("question_id").primary_key())
            .col(big_integer_null("bank_item_id"))
            .col(integer("revision").default(1))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "question_meta",
        "idx_question_meta_bank_item",
        &["bank_item_id"],
    ))
    .await?;
    // Earlier wordings of a question (revision `revision` had these texts).
    m.create_table(
        table("question_revision")
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
    m.create_index(index(
        "question_revision",
        "idx_question_revision_question",
        &["question_id"],
    ))
    .await?;
    // A fresh install has the bank from the start.
    crate::bank::seed_if_empty(m.get_connection(), chrono::Utc::now()).await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["question_revision", "question_meta", "bank_item"]).await?;
    Ok(())
}
