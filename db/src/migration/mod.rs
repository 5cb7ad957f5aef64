//! Schema migrations, run at start-up on SQLite and PostgreSQL alike.

use sea_orm_migration::prelude::*;

mod m20261130_000001_foundation;
mod m20261130_000002_accounts;
mod m20261130_000003_respondents;
mod m20261130_000004_builder;
mod m20261130_000005_dashboard;
mod m20261130_000006_live;
mod m20261130_000007_themes;
mod m20261130_000008_compilation;
mod m20261130_000009_promise;
mod m20261130_000010_followup;
mod m20261202_000011_promise_signed;
mod m20261202_000012_progress_correction;
mod m20261202_000013_unlinkable;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_foundation::Migration),
            Box::new(m20261130_000002_accounts::Migration),
            Box::new(m20261130_000003_respondents::Migration),
            Box::new(m20261130_000004_builder::Migration),
            Box::new(m20261130_000005_dashboard::Migration),
            Box::new(m20261130_000006_live::Migration),
            Box::new(m20261130_000007_themes::Migration),
            Box::new(m20261130_000008_compilation::Migration),
            Box::new(m20261130_000009_promise::Migration),
            Box::new(m20261130_000010_followup::Migration),
            Box::new(m20261202_000011_promise_signed::Migration),
            Box::new(m20261202_000012_progress_correction::Migration),
            Box::new(m20261202_000013_unlinkable::Migration),
        ]
    }
}
