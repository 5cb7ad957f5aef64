//! The compilation: approved versions, frozen as JSON, and the quotes an officer picked.
use super::{drop_tables, table, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("compilation")
            .col(big_pk_auto("id"))
            .col(big_integer("dialogue_id"))
            .col(integer("version"))
            // `domain::compilation::Compilation` as JSON: never changed once written.
            .col(text("data"))
            .col(big_integer_null("approved_by"))
            .col(timestamp_with_time_zone("approved_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(unique_index(
        "compilation",
        "idx_compilation_dialogue_version",
        &["dialogue_id", "version"],
    ))
    .await?;
    m.create_table(
        table("compilation_quote")
            .col(big_integer("dialogue_id"))
            .col(big_integer("answer_id"))
            .col(big_integer_null("added_by"))
            .col(timestamp_with_time_zone("added_at"))
            .primary_key(Index::create().col("dialogue_id").col("answer_id"))
            .to_owned(),
    )
    .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["compilation_quote", "compilation"]).await?;
    Ok(())
}
