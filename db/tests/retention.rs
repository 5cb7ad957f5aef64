//! Retention of raw free text on SQLite and PostgreSQL: nothing is deleted before the LPO's
//! period has run from the first approval; then the job deletes the raw text, keeps the theme
//! codes, the picked quotes and the frozen compilation, records counts only in the audit log,
//! and deletes nothing more when it runs again. Setting the period is the manager's, in range.

mod free_text;

use chrono::{Duration, SubsecRound, Utc};
use db::builder::BuilderError;
use db::entity::{answer, answer_theme, audit_log};
use db::testing::TestDb;
use domain::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use free_text::who;

async fn answer(db: &db::Db, text: &str) {
    free_text::answer_with(db, "kh-invanare", text, "4").await
}

async fn texts(db: &db::Db) -> u64 {
    answer::Entity::find()
        .filter(answer::Column::ValueText.is_not_null())
        .count(db)
        .await
        .expect("count")
}

db::backend_test! {
    async fn the_job_deletes_raw_text_and_keeps_codes_and_quotes(t: TestDb) {
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = who(Role::Officer, lpo);
        let manager = who(Role::LpoManager, lpo);
        for i in 0..7 {
            answer(&t.db, &format!("Knarkförsäljningen vid skolan {i}")).await;
        }
        answer(&t.db, "Anna Andersson på Storgatan 4 langar").await;
        let c = db::themes::coding(&t.db, &officer, 1, &Default::default())
            .await
            .expect("coding");
        for item in &c.queue {
            db::themes::code_answer(
                &t.db,
                &officer,
                1,
                item.answer_id,
                &item.suggested,
                Utc::now(),
            )
            .await
            .expect("coded");
        }
        let codes = answer_theme::Entity::find().count(&t.db).await.expect("n");
        assert!(codes >= 7, "{}: coded {codes}", t.label);
        let quote = c.queue[0].answer_id;
        db::compilation::add_quote(&t.db, &officer, 1, quote, Utc::now())
            .await
            .expect("quoted");

        // The period: the manager's, 1..=3650 days.
        let bad = db::retention::set_days(&t.db, &manager, 1, "0", Utc::now()).await;
        assert!(matches!(bad, Err(BuilderError::Invalid(_))), "{}", t.label);
        let bad = db::retention::set_days(&t.db, &manager, 1, "ett år", Utc::now()).await;
        assert!(matches!(bad, Err(BuilderError::Invalid(_))), "{}", t.label);
        let refused = db::retention::set_days(&t.db, &officer, 1, "30", Utc::now()).await;
        assert!(
            matches!(refused, Err(BuilderError::Forbidden)),
            "{}",
            t.label
        );
        let other = who(Role::LpoManager, lpo + 1000);
        let refused = db::retention::set_days(&t.db, &other, 1, "30", Utc::now()).await;
        assert!(
            matches!(refused, Err(BuilderError::Forbidden)),
            "{}",
            t.label
        );
        assert_eq!(
            db::retention::set_days(&t.db, &manager, 1, "30", Utc::now())
                .await
                .expect("set"),
            30
        );

        // Nothing is approved: nothing is due, whatever the date.
        let before = texts(&t.db).await;
        let far = Utc::now() + Duration::days(4000);
        let none = db::retention::run(&t.db, far).await.expect("run");
        assert!(none.is_empty(), "{}: {none:?}", t.label);
        assert_eq!(texts(&t.db).await, before, "{}", t.label);

        let approved_at = Utc::now().trunc_subsecs(0);
        db::compilation::approve(&t.db, &manager, 1, approved_at)
            .await
            .expect("approved");
        let due = db::retention::due_at(&t.db, 1)
            .await
            .expect("due")
            .expect("approved");
        assert_eq!(due, approved_at + Duration::days(30), "{}", t.label);
        // A day early: nothing.
        let early = db::retention::run(&t.db, approved_at + Duration::days(29))
            .await
            .expect("run");
        assert!(early.is_empty(), "{}", t.label);
        assert_eq!(texts(&t.db).await, before, "{}", t.label);

        // Raw export for the confidentiality review, before deletion: every text, audited.
        let raw = db::retention::raw_texts(&t.db, &officer, 1, Utc::now())
            .await
            .expect("raw");
        assert!(
            raw.iter()
                .any(|r| r.value_text.as_deref() == Some("Anna Andersson på Storgatan 4 langar")),
            "{}",
            t.label
        );
        let csv = db::retention::raw_csv(&raw, |_| "=fråga".to_owned());
        assert!(csv.contains("\"'=fråga\""), "{}: neutralised", t.label);
        let outsider = db::retention::raw_texts(&t.db, &other, 1, Utc::now()).await;
        assert!(
            matches!(outsider, Err(BuilderError::Forbidden)),
            "{}",
            t.label
        );

        // Due: deleted, except the quote; the codes stay.
        let done = db::retention::run(&t.db, due + Duration::hours(1))
            .await
            .expect("run");
        assert_eq!(done.len(), 1, "{}", t.label);
        assert_eq!(done[0].texts, before - 1, "{}", t.label);
        assert_eq!(
            texts(&t.db).await,
            1,
            "{}: only the quote keeps its text",
            t.label
        );
        let kept = answer::Entity::find_by_id(quote)
            .one(&t.db)
            .await
            .expect("q")
            .expect("row");
        assert!(kept.value_text.is_some(), "{}", t.label);
        assert_eq!(
            answer_theme::Entity::find().count(&t.db).await.expect("n"),
            codes,
            "{}: codes kept",
            t.label
        );
        let frozen = db::compilation::approved(&t.db, 1).await.expect("approved");
        assert_eq!(frozen.len(), 1, "{}", t.label);
        assert!(
            !frozen[0].quotes.is_empty(),
            "{}: the frozen version keeps its quote",
            t.label
        );
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("retention_delete"))
            .all(&t.db)
            .await
            .expect("audit");
        assert_eq!(audit.len(), 1, "{}", t.label);
        assert!(
            audit[0]
                .detail
                .contains(&format!("deleted_texts={}", before - 1)),
            "{}: {}",
            t.label,
            audit[0].detail
        );
        assert!(
            !audit[0].detail.contains("Knark"),
            "{}: counts only",
            t.label
        );
        // Again: nothing more.
        let again = db::retention::run(&t.db, due + Duration::days(2))
            .await
            .expect("run");
        assert!(again.is_empty(), "{}", t.label);
        // The coding queue and the quotable list no longer hold deleted text.
        let c = db::themes::coding(&t.db, &officer, 1, &Default::default())
            .await
            .expect("coding");
        assert!(c.queue.iter().all(|i| !i.text.is_empty()), "{}", t.label);
    }
}
