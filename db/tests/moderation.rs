//! Spam quarantine and hiding free text, on SQLite and PostgreSQL: quarantine followed by the
//! recount gives counts equal to the non-quarantined rows, release restores them, answers that
//! arrive inside an active window count nowhere, and every change is audited.

mod common;
mod free_text;

use common::fields;

use chrono::{Duration, Utc};
use db::entity::{audit_log, response};
use db::testing::TestDb;
use domain::dashboard::Audience;
use domain::{Principal, Role};
use free_text::submit_at;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn manager(lpo: i64) -> Principal {
    free_text::who(Role::LpoManager, lpo)
}

db::backend_test! {
    async fn quarantine_and_recount_leave_only_the_non_quarantined_rows_counted(t: TestDb) {
        let dialogue = 1;
        let lpo = free_text::demo_lpo(&t.db).await;
        let p = manager(lpo);
        let base = domain::time::truncate_to_hour(Utc::now()) - Duration::hours(6);
        let honest = fields(&[("q1", "Synas mer"), ("q3", "4")]);
        for i in 0..7 {
            let link = if i % 2 == 0 {
                "kh-invanare"
            } else {
                "kh-foretagare"
            };
            submit_at(&t.db, link, &honest, base + Duration::minutes(i * 3)).await;
        }
        let before = db::stats::tally_rows(&t.db, dialogue).await.expect("rows");
        // A bot burst two hours later.
        let burst = base + Duration::hours(2);
        let spam = fields(&[("q1", "köp billigt"), ("q3", "1"), ("q7", "5")]);
        for i in 0..12 {
            submit_at(&t.db, "kh-invanare", &spam, burst + Duration::minutes(i)).await;
        }
        assert_ne!(
            db::stats::tally_rows(&t.db, dialogue).await.expect("rows"),
            before,
            "{}",
            t.label
        );
        let held = db::moderation::quarantine(
            &t.db,
            &p,
            dialogue,
            burst + Duration::minutes(5),
            burst + Duration::minutes(50),
            "bot",
            Utc::now(),
        )
        .await
        .expect("quarantined");
        assert_eq!(held, 12, "{}: the whole hour is held", t.label);
        let after = db::stats::tally_rows(&t.db, dialogue).await.expect("rows");
        assert_eq!(
            after, before,
            "{}: counts equal the non-quarantined rows",
            t.label
        );
        assert_eq!(
            db::stats::recount_responses(&t.db, dialogue)
                .await
                .expect("recount"),
            7,
            "{}",
            t.label
        );
        // The recount alone is idempotent.
        db::stats::recount(&t.db, dialogue).await.expect("recount");
        assert_eq!(
            db::stats::tally_rows(&t.db, dialogue).await.expect("rows"),
            before,
            "{}",
            t.label
        );
        // The dashboard agrees.
        let dash = db::dashboard::dashboard(&t.db, dialogue, Audience::Staff, Utc::now())
            .await
            .expect("dashboard")
            .expect("exists");
        assert_eq!(dash.total, Some(7), "{}", t.label);

        // An answer arriving inside an active window is kept but counts nowhere.
        submit_at(&t.db, "kh-invanare", &spam, burst + Duration::minutes(30)).await;
        assert_eq!(
            db::stats::tally_rows(&t.db, dialogue).await.expect("rows"),
            before,
            "{}",
            t.label
        );
        let quarantined = response::Entity::find()
            .filter(response::Column::Quarantined.eq(true))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(quarantined, 13, "{}", t.label);

        // Release: every row counts again, and equals a fresh recount.
        let q = db::moderation::list(&t.db, dialogue).await.expect("list");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].responses, 13, "{}", t.label);
        db::moderation::release(&t.db, &p, dialogue, q[0].id, Utc::now())
            .await
            .expect("released");
        let released = db::stats::tally_rows(&t.db, dialogue).await.expect("rows");
        db::stats::recount(&t.db, dialogue).await.expect("recount");
        assert_eq!(
            db::stats::tally_rows(&t.db, dialogue).await.expect("rows"),
            released,
            "{}",
            t.label
        );
        assert_eq!(
            db::stats::recount_responses(&t.db, dialogue)
                .await
                .expect("recount"),
            20,
            "{}",
            t.label
        );
        // Both changes are audited.
        for action in ["quarantine", "release"] {
            let n = audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq(action))
                .count(&t.db)
                .await
                .expect("count");
            assert_eq!(n, 1, "{}: {action} audited", t.label);
        }
        // Bad windows are refused with a message, nothing stored.
        let bad = db::moderation::quarantine(
            &t.db,
            &p,
            dialogue,
            burst,
            burst - Duration::hours(1),
            "",
            Utc::now(),
        )
        .await;
        assert!(
            matches!(bad, Err(db::builder::BuilderError::Invalid(_))),
            "{}",
            t.label
        );
        // Another LPO's manager may not.
        let other = manager(lpo + 1000);
        let denied =
            db::moderation::quarantine(&t.db, &other, dialogue, burst, burst, "", Utc::now()).await;
        assert!(
            matches!(denied, Err(db::builder::BuilderError::Forbidden)),
            "{}",
            t.label
        );
    }
}

db::backend_test! {
    async fn hidden_free_text_leaves_the_dashboard_at_once(t: TestDb) {
        let dialogue = 1;
        let lpo = free_text::demo_lpo(&t.db).await;
        let now = Utc::now();
        for i in 0..4 {
            let f = fields(&[("q1", &format!("svar nummer {i}")), ("q3", "3")]);
            submit_at(&t.db, "kh-invanare", &f, now).await;
        }
        let dash = |audience| db::dashboard::dashboard(&t.db, dialogue, audience, Utc::now());
        // Quotes rest on at least five answers.
        let d = dash(Audience::Staff).await.expect("read").expect("exists");
        assert!(d.texts.is_empty(), "{}: no quotes under 5 answers", t.label);
        // A new state publishes only after five new answers (the over-time rule).
        for i in 4..8 {
            let f = fields(&[("q1", &format!("svar nummer {i}")), ("q3", "3")]);
            submit_at(&t.db, "kh-invanare", &f, now).await;
            let d = dash(Audience::Staff).await.expect("read").expect("exists");
            assert!(d.texts.is_empty(), "{}: not yet republished", t.label);
        }
        let f = fields(&[("q1", "Anna Svensson på Storgatan 3"), ("q3", "3")]);
        submit_at(&t.db, "kh-invanare", &f, now).await;
        let d = dash(Audience::Staff).await.expect("read").expect("exists");
        assert_eq!(d.published_at_total, 9, "{}", t.label);
        assert_eq!(d.texts.len(), 9, "{}", t.label);
        let named = d
            .texts
            .iter()
            .find(|x| x.text.contains("Anna"))
            .expect("the newest text")
            .answer_id;
        assert!(
            dash(Audience::Public)
                .await
                .expect("read")
                .expect("exists")
                .texts
                .is_empty(),
            "{}: never free text in public",
            t.label
        );
        db::moderation::hide_text(&t.db, &manager(lpo), dialogue, named, Utc::now())
            .await
            .expect("hidden");
        let d = dash(Audience::Staff).await.expect("read").expect("exists");
        assert_eq!(d.texts.len(), 8, "{}", t.label);
        assert!(d.texts.iter().all(|x| x.answer_id != named), "{}", t.label);
    }
}
