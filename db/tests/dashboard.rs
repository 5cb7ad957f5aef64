//! The dashboard read model on SQLite and PostgreSQL: exact counts for staff, the n<5 rule
//! for everyone else and for every distribution, and the over-time publication rule.

mod common;

use common::TestDb;

use chrono::Utc;
use db::survey::{Gate, SubmitRequest};
use domain::dashboard::Audience;

async fn answer(db: &db::Db, link: &str, scale: &str) {
    let f: Vec<(String, String)> = vec![
        ("q1".into(), "Synas mer".into()),
        ("q3".into(), scale.into()),
        ("q5".into(), "trafik".into()),
    ];
    db::survey::submit(
        db,
        SubmitRequest {
            link_code: link,
            submission_id: &uuid::Uuid::new_v4().to_string(),
            gate: Gate::Public {
                browser: None,
                invite: None,
                via_qr: false,
            },
            fields: &f,
            now: Utc::now(),
        },
    )
    .await
    .expect("stored");
}

async fn dialogue_id(db: &db::Db) -> i64 {
    db::stats::dialogue_counts(db).await.expect("counts")[0].dialogue_id
}

db::backend_test! {
    async fn staff_see_exact_counts_and_small_figures_are_suppressed_everywhere(t: TestDb) {
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let id = dialogue_id(&t.db).await;
        for _ in 0..3 {
            answer(&t.db, "kh-invanare", "4").await;
        }
        let staff = db::dashboard::dashboard(&t.db, id, Audience::Staff, Utc::now())
            .await
            .expect("dashboard")
            .expect("dialogue");
        assert_eq!(staff.total, Some(3), "{}", t.label);
        let residents = &staff.groups[0];
        assert_eq!(
            residents.count,
            Some(3),
            "{}: staff see the first answers",
            t.label
        );
        assert!(staff.preliminary);
        assert_eq!(
            staff.hourly.last().and_then(|(_, n)| *n),
            Some(3),
            "{}: this hour",
            t.label
        );
        let public = db::dashboard::dashboard(&t.db, id, Audience::Public, Utc::now())
            .await
            .expect("dashboard")
            .expect("dialogue");
        assert_eq!(
            public.total, None,
            "{}: 3 answers are not shown publicly",
            t.label
        );
        assert_eq!(public.groups[0].count, None, "{}", t.label);
        // No distribution shows anything resting on 3 answers, for staff either.
        for d in staff.distributions.iter().chain(&public.distributions) {
            assert!(
                d.overall.iter().all(|c| c.is_none_or(|n| n == 0)),
                "{}: {d:?}",
                t.label
            );
            assert_eq!(d.mean, None);
        }
    }
}

db::backend_test! {
    async fn distributions_publish_a_new_state_only_after_five_new_answers(t: TestDb) {
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let id = dialogue_id(&t.db).await;
        let look = || db::dashboard::dashboard(&t.db, id, Audience::Staff, Utc::now());
        for _ in 0..6 {
            answer(&t.db, "kh-invanare", "4").await;
        }
        let first = look().await.expect("dashboard").expect("dialogue");
        assert_eq!(first.published_at_total, 6, "{}", t.label);
        let safety = |d: &domain::dashboard::Dashboard| {
            d.distributions
                .iter()
                .find(|x| x.question_id == 3)
                .expect("safety question")
                .clone()
        };
        assert_eq!(
            safety(&first).overall[3],
            Some(6),
            "{}: six answered 4",
            t.label
        );
        assert_eq!(safety(&first).mean, Some(4.0));
        // Four more: the totals tick, the distributions stay as published.
        for _ in 0..4 {
            answer(&t.db, "kh-invanare", "2").await;
        }
        let second = look().await.expect("dashboard").expect("dialogue");
        assert_eq!(second.total, Some(10), "{}", t.label);
        assert_eq!(second.published_at_total, 6, "{}", t.label);
        assert_eq!(safety(&second).overall, safety(&first).overall);
        // The fifth new answer publishes a new state.
        answer(&t.db, "kh-invanare", "2").await;
        let third = look().await.expect("dashboard").expect("dialogue");
        assert_eq!(third.published_at_total, 11, "{}", t.label);
        assert_eq!(
            safety(&third).overall[1],
            Some(5),
            "{}: five answered 2",
            t.label
        );
        assert_eq!(safety(&third).overall[3], Some(6));
    }
}
