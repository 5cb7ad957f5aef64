//! Follow-up: the retention of raw free text per LPO, the follow-up link between dialogues,
//! and links from a promise to the community officers' agreements.
use super::{add_column, drop_column, drop_tables, table};
use sea_orm_migration::{prelude::*, schema::*};

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Days after the first approval of a dialogue's compilation that its raw free text is
    // kept. An LPO without a row keeps it for `db::retention::DEFAULT_DAYS`.
    m.create_table(
        table("lpo_retention")
            .col(big_integer("lpo_id").primary_key())
            .col(integer("days"))
            .col(big_integer_null("updated_by"))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned(),
    )
    .await?;
    // A dialogue that measures again what an earlier one measured.
    add_column(m, "dialogue", big_integer_null("follow_up_of")).await?;
    m.create_table(
        table("promise_agreement")
            .col(big_integer("promise_id"))
            .col(big_integer("agreement_id"))
            .primary_key(Index::create().col("promise_id").col("agreement_id"))
            .to_owned(),
    )
    .await?;
    Ok(())
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["promise_agreement", "lpo_retention"]).await?;
    drop_column(m, "dialogue", "follow_up_of").await?;
    Ok(())
}
