//! Follow-up: the retention of raw free text per LPO, the follow-up link between dialogues,
//! and links from a promise to the community officers' agreements.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Days after the first approval of a dialogue's compilation that its raw free text is
        // kept. An LPO without a row keeps it for `db::retention::DEFAULT_DAYS`.
        m.create_table(
            Table::create()
                .table("lpo_retention")
                .if_not_exists()
                .col(big_integer("lpo_id").primary_key())
                .col(integer("days"))
                .col(big_integer_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        // A dialogue that measures again what an earlier one measured.
        m.alter_table(
            Table::alter()
                .table("dialogue")
                .add_column_if_not_exists(big_integer_null("follow_up_of"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("promise_agreement")
                .if_not_exists()
                .col(big_integer("promise_id"))
                .col(big_integer("agreement_id"))
                .primary_key(Index::create().col("promise_id").col("agreement_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["promise_agreement", "lpo_retention"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("dialogue")
                .drop_column("follow_up_of")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
