//! Theme coding of free text: a managed theme list per LPO, and each coded answer's themes
//! with whether the suggester proposed them (for the hit rate).
use super::{drop_tables, index, table, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("theme")
            .col(big_pk_auto("id"))
            .col(big_integer("lpo_id"))
            .col(string_len("code", 80))
            // `LocalizedText` as JSON.
            .col(text("name"))
            // One keyword (one or more words) per line.
            .col(text("keywords"))
            .col(integer("position"))
            .to_owned(),
    )
    .await?;
    m.create_index(unique_index(
        "theme",
        "idx_theme_lpo_code",
        &["lpo_id", "code"],
    ))
    .await?;
    // An answer an officer has worked through (even with no theme).
    m.create_table(
        table("coded_answer")
            .col(big_integer("answer_id").primary_key())
            .col(big_integer("dialogue_id"))
            .col(big_integer_null("coded_by"))
            .col(timestamp_with_time_zone("coded_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "coded_answer",
        "idx_coded_answer_dialogue",
        &["dialogue_id"],
    ))
    .await?;
    // A theme of a coded answer: suggested and/or chosen by the officer.
    m.create_table(
        table("answer_theme")
            .col(big_integer("answer_id"))
            .col(big_integer("theme_id"))
            .col(boolean("suggested"))
            .col(boolean("accepted"))
            .primary_key(Index::create().col("answer_id").col("theme_id"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "answer_theme",
        "idx_answer_theme_theme",
        &["theme_id"],
    ))
    .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["answer_theme", "coded_answer", "theme"]).await?;
    Ok(())
}
