//! The compilation: approved versions, frozen as JSON, and the quotes an officer picked.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("compilation")
                .if_not_exists()
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
        m.create_index(
            Index::create()
                .name("idx_compilation_dialogue_version")
                .table("compilation")
                .col("dialogue_id")
                .col("version")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("compilation_quote")
                .if_not_exists()
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

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["compilation_quote", "compilation"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
