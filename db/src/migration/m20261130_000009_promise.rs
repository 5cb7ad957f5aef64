//! The citizen promise: versions (immutable once signed), sign-offs, commitments linked to
//! themes, activities with measurable targets, and progress entries.
use super::{drop_tables, index, table, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table("promise")
            .col(big_pk_auto("id"))
            .col(big_integer("lpo_id"))
            .col(string_len("status", 20))
            .col(date("period_from"))
            .col(date("period_to"))
            .col(integer("current_version"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index("promise", "idx_promise_lpo", &["lpo_id"]))
        .await?;
    m.create_table(
        table("promise_municipality")
            .col(big_integer("promise_id"))
            .col(big_integer("municipality_id"))
            .primary_key(Index::create().col("promise_id").col("municipality_id"))
            .to_owned(),
    )
    .await?;
    // The text of each version as JSON (title, body, commitments); never updated once a
    // sign-off exists for it.
    m.create_table(
        table("promise_version")
            .col(big_pk_auto("id"))
            .col(big_integer("promise_id"))
            .col(integer("version"))
            .col(text("data"))
            .col(big_integer_null("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(unique_index(
        "promise_version",
        "idx_promise_version",
        &["promise_id", "version"],
    ))
    .await?;
    m.create_table(
        table("promise_sign_off")
            .col(big_integer("promise_id"))
            .col(integer("version"))
            .col(string_len("signer", 20))
            .col(big_integer_null("user_id"))
            .col(string_len("name", 200))
            .col(date("signed_on"))
            .primary_key(
                Index::create()
                    .col("promise_id")
                    .col("version")
                    .col("signer"),
            )
            .to_owned(),
    )
    .await?;
    // Commitments keep a stable id across versions, so activities stay attached.
    m.create_table(
        table("commitment")
            .col(big_pk_auto("id"))
            .col(big_integer("promise_id"))
            .col(integer("position"))
            .col(text("text"))
            .col(double("weight"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "commitment",
        "idx_commitment_promise",
        &["promise_id"],
    ))
    .await?;
    m.create_table(
        table("commitment_theme")
            .col(big_integer("commitment_id"))
            .col(big_integer("theme_id"))
            .col(big_integer("compilation_id"))
            .primary_key(Index::create().col("commitment_id").col("theme_id"))
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("activity")
            .col(big_pk_auto("id"))
            .col(big_integer("commitment_id"))
            .col(text("title"))
            // `officer`, `police_unit` or `municipal_unit`, and its id.
            .col(string_len("owner_kind", 20))
            .col(big_integer("owner_id"))
            .col(double("target"))
            .col(string_len("unit", 80))
            .col(date("due_on"))
            .col(string_len("status", 20))
            .col(double("weight"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "activity",
        "idx_activity_commitment",
        &["commitment_id"],
    ))
    .await?;
    m.create_table(
        table("progress_entry")
            .col(big_pk_auto("id"))
            .col(big_integer("activity_id"))
            .col(date("on_day"))
            .col(text("text"))
            .col(double("amount"))
            .col(big_integer_null("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "progress_entry",
        "idx_progress_activity",
        &["activity_id"],
    ))
    .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(
        m,
        &[
            "progress_entry",
            "activity",
            "commitment_theme",
            "commitment",
            "promise_sign_off",
            "promise_version",
            "promise_municipality",
            "promise",
        ],
    )
    .await?;
    Ok(())
}
