//! Corrections of logged progress and a real activity status: a progress entry may name the
//! entry it corrects (with a reason), and a cancelled activity keeps its reason. Existing rows
//! stay as they are: no entry corrects another, and every stored status (`planned`) is valid.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        m.alter_table(
            Table::alter()
                .table("progress_entry")
                .add_column_if_not_exists(big_integer_null("corrects"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("progress_entry")
                .add_column_if_not_exists(text_null("reason"))
                .to_owned(),
        )
        .await?;
        // Each entry is corrected at most once, so a chain of corrections stays a line and the
        // latest one counts, even when two corrections race (NULLs do not collide).
        m.create_index(
            Index::create()
                .name("idx_progress_corrects")
                .table("progress_entry")
                .col("corrects")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("activity")
                .add_column_if_not_exists(text_null("status_reason"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_progress_corrects")
                .table("progress_entry")
                .to_owned(),
        )
        .await?;
        for (t, c) in [
            ("progress_entry", "corrects"),
            ("progress_entry", "reason"),
            ("activity", "status_reason"),
        ] {
            m.alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
