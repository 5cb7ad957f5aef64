//! Corrections of logged progress and a real activity status: a progress entry may name the
//! entry it corrects (with a reason), and a cancelled activity keeps its reason. Existing rows
//! stay as they are: no entry corrects another, and every stored status (`planned`) is valid.
use super::{add_column, drop_column, unique_index};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // One column per statement: SQLite alters one column at a time.
    add_column(m, "progress_entry", big_integer_null("corrects")).await?;
    add_column(m, "progress_entry", text_null("reason")).await?;
    // Each entry is corrected at most once, so a chain of corrections stays a line and the
    // latest one counts, even when two corrections race (NULLs do not collide).
    m.create_index(unique_index(
        "progress_entry",
        "idx_progress_corrects",
        &["corrects"],
    ))
    .await?;
    add_column(m, "activity", text_null("status_reason")).await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name("idx_progress_corrects")
            .table("progress_entry")
            .to_owned(),
    )
    .await?;
    drop_column(m, "progress_entry", "corrects").await?;
    drop_column(m, "progress_entry", "reason").await?;
    drop_column(m, "activity", "status_reason").await?;
    Ok(())
}
