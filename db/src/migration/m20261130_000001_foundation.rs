use super::{drop_tables, index, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("org_unit")
            .col(big_pk_auto("id"))
            .col(big_integer_null("parent_id"))
            .col(string_len("kind", 20))
            .col(string_len_uniq("code", 80))
            .col(string_len("name", 200))
            .to_owned(),
    )
    .await?;
    m.create_index(index("org_unit", "idx_org_unit_parent", &["parent_id"]))
        .await?;
    m.create_table(
        table("target_group")
            .col(big_pk_auto("id"))
            .col(string_len_uniq("code", 80))
            .col(text("name"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("dialogue")
            .col(big_pk_auto("id"))
            .col(big_integer("lpo_id"))
            .col(text("title"))
            .col(text("intro"))
            .col(timestamp_with_time_zone("opens_at"))
            .col(timestamp_with_time_zone("closes_at"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("dialogue_municipality")
            .col(big_integer("dialogue_id"))
            .col(big_integer("municipality_id"))
            .primary_key(Index::create().col("dialogue_id").col("municipality_id"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("dialogue_group")
            .col(big_pk_auto("id"))
            .col(big_integer("dialogue_id"))
            .col(big_integer("target_group_id"))
            .col(integer("target_count"))
            .col(string_len_uniq("link_code", 80))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "dialogue_group",
        "idx_dialogue_group_dialogue",
        &["dialogue_id"],
    ))
    .await?;
    m.create_table(
        table("question")
            .col(big_pk_auto("id"))
            .col(big_integer("dialogue_id"))
            .col(integer("position"))
            .col(boolean("required"))
            .col(text("text"))
            .col(text("kind"))
            .col(text_null("condition"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("question", "idx_question_dialogue", &["dialogue_id"]))
        .await?;
    m.create_table(
        table("response")
            .col(big_pk_auto("id"))
            .col(big_integer("dialogue_id"))
            .col(big_integer("dialogue_group_id"))
            .col(string_len("channel", 20))
            .col(string_len("area", 80))
            .col(timestamp_with_time_zone("submitted_hour"))
            .col(boolean("quarantined"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "response",
        "idx_response_dialogue_hour",
        &["dialogue_id", "submitted_hour"],
    ))
    .await?;
    m.create_table(
        table("answer")
            .col(big_pk_auto("id"))
            .col(big_integer("response_id"))
            .col(big_integer("question_id"))
            .col(integer_null("value_num"))
            .col(string_len_null("value_code", 80))
            .col(text_null("value_text"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("answer", "idx_answer_response", &["response_id"]))
        .await?;
    m.create_table(
        table("submission")
            .col(big_integer("dialogue_id"))
            .col(string_len("token", 64))
            .primary_key(Index::create().col("dialogue_id").col("token"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("tally")
            .col(big_integer("dialogue_id"))
            .col(big_integer("question_id"))
            .col(big_integer("dialogue_group_id"))
            .col(string_len("channel", 20))
            .col(string_len("area", 80))
            .col(string_len("value_key", 80))
            .col(big_integer("n"))
            .primary_key(
                Index::create()
                    .col("dialogue_id")
                    .col("question_id")
                    .col("dialogue_group_id")
                    .col("channel")
                    .col("area")
                    .col("value_key"),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(
        m,
        &[
            "tally",
            "submission",
            "answer",
            "response",
            "question",
            "dialogue_group",
            "dialogue_municipality",
            "dialogue",
            "target_group",
            "org_unit",
        ],
    )
    .await?;
    Ok(())
}
