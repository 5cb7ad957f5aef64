//! The citizen promise: versions (immutable once signed), sign-offs, commitments linked to
//! themes, activities with measurable targets, and progress entries.
use super::m20261130_000001_foundation::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("promise")
                .if_not_exists()
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
            Table::create()
                .table("promise_municipality")
                .if_not_exists()
                .col(big_integer("promise_id"))
                .col(big_integer("municipality_id"))
                .primary_key(Index::create().col("promise_id").col("municipality_id"))
                .to_owned(),
        )
        .await?;
        // The text of each version as JSON (title, body, commitments); never updated once a
        // sign-off exists for it.
        m.create_table(
            Table::create()
                .table("promise_version")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("promise_id"))
                .col(integer("version"))
                .col(text("data"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_promise_version")
                .table("promise_version")
                .col("promise_id")
                .col("version")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("promise_sign_off")
                .if_not_exists()
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
            Table::create()
                .table("commitment")
                .if_not_exists()
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
            Table::create()
                .table("commitment_theme")
                .if_not_exists()
                .col(big_integer("commitment_id"))
                .col(big_integer("theme_id"))
                .col(big_integer("compilation_id"))
                .primary_key(Index::create().col("commitment_id").col("theme_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("activity")
                .if_not_exists()
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
            Table::create()
                .table("progress_entry")
                .if_not_exists()
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

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "progress_entry",
            "activity",
            "commitment_theme",
            "commitment",
            "promise_sign_off",
            "promise_version",
            "promise_municipality",
            "promise",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
