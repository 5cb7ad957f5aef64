mod common;

use common::{fields, sid};

use common::TestDb;

use chrono::{Duration, Utc};
use db::entity::{answer, dialogue, response, submission};
use db::survey::{Gate, Receipt, SubmitError, SubmitRequest};
use domain::{FieldProblem, Invalid, Openness};

const PUBLIC: Gate<'static> = Gate::Public {
    browser: None,
    invite: None,
    via_qr: false,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};

async fn seeded(t: TestDb) -> TestDb {
    assert!(
        db::demo::seed_if_empty(&t.db).await.expect("seed"),
        "{}",
        t.label
    );
    assert!(
        !db::demo::seed_if_empty(&t.db).await.expect("seed twice"),
        "{}",
        t.label
    );
    t
}

async fn invanare_count(db: &db::Db) -> i64 {
    let counts = db::stats::dialogue_counts(db).await.expect("counts");
    counts[0]
        .groups
        .iter()
        .find(|g| g.group_code == "invanare")
        .expect("group")
        .count
}

db::backend_test! {
    async fn stores_once_and_tallies_match_a_recount(t: TestDb) {
        let t = seeded(t).await;
        let id = sid();
        let f = fields(&[
            ("q1", "Synas mer i centrum"),
            ("q3", "4"),
            ("submission_id", &id),
        ]);
        let req = || SubmitRequest {
            link_code: "kh-invanare",
            submission_id: &id,
            gate: PUBLIC,
            fields: &f,
            now: Utc::now(),
        };
        assert_eq!(
            db::survey::submit(&t.db, req()).await.expect("stored"),
            Receipt::Stored,
            "{}",
            t.label
        );
        // A retry with the same id is acknowledged as the original, never a second answer.
        assert_eq!(
            db::survey::submit(&t.db, req()).await.expect("retry"),
            Receipt::AlreadyStored,
            "{}",
            t.label
        );
        assert_eq!(
            response::Entity::find().count(&t.db).await.expect("count"),
            1,
            "{}",
            t.label
        );
        assert_eq!(
            answer::Entity::find().count(&t.db).await.expect("count"),
            2,
            "{}",
            t.label
        );
        assert_eq!(invanare_count(&t.db).await, 1, "{}", t.label);
        let counts = db::stats::dialogue_counts(&t.db).await.expect("counts");
        let recount = db::stats::recount_responses(&t.db, counts[0].dialogue_id)
            .await
            .expect("recount");
        assert_eq!(counts[0].total as u64, recount, "{}", t.label);
        // The stored time is truncated to the hour.
        let r = response::Entity::find()
            .one(&t.db)
            .await
            .expect("q")
            .expect("row");
        assert_eq!(
            r.submitted_hour,
            domain::time::truncate_to_hour(r.submitted_hour)
        );
    }
}

db::backend_test! {
    async fn refused_input_stores_nothing(t: TestDb) {
        let t = seeded(t).await;
        let cases: Vec<(Vec<(String, String)>, &str)> = vec![
            (fields(&[("q1", "x")]), "missing required q3"),
            (fields(&[("q1", "x"), ("q3", "9")]), "out of range"),
            (
                fields(&[("q1", "x"), ("q3", "2"), ("q99", "y")]),
                "unknown question",
            ),
            (
                fields(&[("q1", &"å".repeat(1001)), ("q3", "2")]),
                "too long",
            ),
        ];
        for (f, what) in cases {
            let id = sid();
            let res = db::survey::submit(
                &t.db,
                SubmitRequest {
                    link_code: "kh-invanare",
                    submission_id: &id,
                    gate: PUBLIC,
                    fields: &f,
                    now: Utc::now(),
                },
            )
            .await;
            assert!(
                matches!(res, Err(SubmitError::Invalid(_))),
                "{}: {what}: {res:?}",
                t.label
            );
        }
        let res = db::survey::submit(
            &t.db,
            SubmitRequest {
                link_code: "kh-invanare",
                submission_id: &sid(),
                gate: PUBLIC,
                fields: &fields(&[("q1", "x")]),
                now: Utc::now(),
            },
        )
        .await;
        match res {
            Err(SubmitError::Invalid(Invalid::Fields(e))) => {
                assert_eq!(e.len(), 1);
                assert_eq!(e[0].problem, FieldProblem::Required);
            }
            other => panic!("{}: expected a field error, got {other:?}", t.label),
        }
        assert_eq!(
            response::Entity::find().count(&t.db).await.expect("count"),
            0,
            "{}",
            t.label
        );
        assert_eq!(
            answer::Entity::find().count(&t.db).await.expect("count"),
            0,
            "{}",
            t.label
        );
        assert_eq!(
            submission::Entity::find()
                .count(&t.db)
                .await
                .expect("count"),
            0,
            "{}",
            t.label
        );
        assert_eq!(invanare_count(&t.db).await, 0, "{}", t.label);
    }
}

db::backend_test! {
    async fn unknown_link_bad_id_and_closed_dialogue_are_refused(t: TestDb) {
        let t = seeded(t).await;
        let f = fields(&[("q1", "x"), ("q3", "3")]);
        let mk = |link: &'static str, id: String| (link, id);
        for (link, id, expect) in [
            (mk("finns-inte", sid()).0, sid(), "not found"),
            ("kh-invanare", "not-a-uuid".to_owned(), "bad id"),
        ] {
            let res = db::survey::submit(
                &t.db,
                SubmitRequest {
                    link_code: link,
                    submission_id: &id,
                    gate: PUBLIC,
                    fields: &f,
                    now: Utc::now(),
                },
            )
            .await;
            match (expect, &res) {
                ("not found", Err(SubmitError::NotFound))
                | ("bad id", Err(SubmitError::BadSubmissionId)) => {}
                _ => panic!("{}: {expect}: got {res:?}", t.label),
            }
        }
        // Close the dialogue: answers are refused, nothing is stored.
        let d = dialogue::Entity::find()
            .one(&t.db)
            .await
            .expect("q")
            .expect("dialogue");
        let mut am: dialogue::ActiveModel = d.into();
        am.closes_at = Set(Utc::now() - Duration::hours(1));
        am.update(&t.db).await.expect("update");
        let res = db::survey::submit(
            &t.db,
            SubmitRequest {
                link_code: "kh-invanare",
                submission_id: &sid(),
                gate: PUBLIC,
                fields: &f,
                now: Utc::now(),
            },
        )
        .await;
        assert!(
            matches!(res, Err(SubmitError::NotOpen(Openness::Closed))),
            "{}: {res:?}",
            t.label
        );
        assert_eq!(
            response::Entity::find().count(&t.db).await.expect("count"),
            0,
            "{}",
            t.label
        );
    }
}

db::backend_test! {
    async fn concurrent_submissions_are_each_stored_once(t: TestDb) {
        let t = seeded(t).await;
        let ids: Vec<String> = (0..60).map(|_| sid()).collect();
        let mut tasks = Vec::new();
        // Every id is sent twice, at once: a retry racing its original.
        for id in ids.iter().chain(ids.iter()) {
            let id = id.clone();
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let f = fields(&[("q1", "Fler poliser på kvällarna"), ("q3", "2")]);
                db::survey::submit(
                    &db,
                    SubmitRequest {
                        link_code: "kh-unga",
                        submission_id: &id,
                        gate: Gate::Public {
                            browser: None,
                            invite: None,
                            via_qr: true,
                        },
                        fields: &f,
                        now: Utc::now(),
                    },
                )
                .await
            }));
        }
        let mut stored = 0;
        for task in tasks {
            match task.await.expect("join").expect("submit") {
                Receipt::Stored => stored += 1,
                Receipt::AlreadyStored => {}
            }
        }
        assert_eq!(stored, 60, "{}", t.label);
        assert_eq!(
            response::Entity::find().count(&t.db).await.expect("count"),
            60,
            "{}",
            t.label
        );
        let counts = db::stats::dialogue_counts(&t.db).await.expect("counts");
        let recount = db::stats::recount_responses(&t.db, counts[0].dialogue_id)
            .await
            .expect("recount");
        assert_eq!(counts[0].total as u64, recount, "{}", t.label);
        assert_eq!(recount, 60, "{}", t.label);
    }
}

db::backend_test! {
    async fn migrations_are_idempotent_and_concurrent_starts_do_not_race(url: String) {
        // Two instances starting at once against an empty database take turns (advisory lock on
        // PostgreSQL). SQLite serves one instance, so there the two start on a migrated file (two
        // starting on an empty SQLite file race on `seaql_migrations`).
        if url.starts_with("sqlite:") {
            db::connect(&url).await.expect("sqlite migrates");
        }
        let (a, b) = tokio::join!(db::connect(&url), db::connect(&url));
        let a = a.expect("first instance migrates");
        b.expect("second instance migrates");
        db::migrate(&a).await.expect("migrating again is a no-op");
        assert!(db::ping(&a).await);
    }
}

/// One submission, checked and ready for a shared commit.
async fn prepared(
    t: &common::TestDb,
    loaded: &std::sync::Arc<db::survey::Loaded>,
    id: &str,
    browser: Option<&str>,
    f: &[(String, String)],
) -> db::survey::Prepared {
    db::survey::prepare(
        &t.db,
        loaded.clone(),
        &SubmitRequest {
            link_code: "kh-invanare",
            submission_id: id,
            gate: Gate::Public {
                browser,
                invite: None,
                via_qr: false,
            },
            fields: f,
            now: Utc::now(),
        },
    )
    .await
    .expect("valid")
}

db::backend_test! {
    async fn one_shared_commit_settles_each_answer_as_one_at_a_time_would(t: TestDb) {
        let t = seeded(t).await;
        let loaded = std::sync::Arc::new(
            db::survey::load(&t.db, "kh-invanare")
                .await
                .expect("load")
                .expect("the link"),
        );
        let f = fields(&[("q1", "Mer polis i centrum"), ("q3", "2"), ("q5", "trafik")]);
        // Before the batch: browser "b0" answered, under submission id `earlier`.
        let earlier = sid();
        let before = prepared(&t, &loaded, &earlier, Some("b0"), &f).await;
        let r = db::survey::commit_batch(&t.db, &[before])
            .await
            .expect("commit");
        assert!(matches!(r[..], [Ok(Receipt::Stored)]), "{}", t.label);
        let dialogue = loaded.survey.dialogue_id;
        let responses = db::stats::recount_responses(&t.db, dialogue)
            .await
            .expect("count");

        let (a, b, c, d) = (sid(), sid(), sid(), sid());
        let batch = vec![
            prepared(&t, &loaded, &a, Some("b1"), &f).await,
            // The same submission twice in one commit (a double click): stored once.
            prepared(&t, &loaded, &a, Some("b1"), &f).await,
            // The same browser again under another id: its second answer.
            prepared(&t, &loaded, &b, Some("b1"), &f).await,
            // A retry of an answer stored before.
            prepared(&t, &loaded, &earlier, Some("b0"), &f).await,
            // A browser that answered before.
            prepared(&t, &loaded, &c, Some("b0"), &f).await,
            // No browser cookie (a fresh private window): stored.
            prepared(&t, &loaded, &d, None, &f).await,
        ];
        let r = db::survey::commit_batch(&t.db, &batch)
            .await
            .expect("commit");
        let seen: Vec<String> = r
            .iter()
            .map(|x| match x {
                Ok(Receipt::Stored) => "stored".to_owned(),
                Ok(Receipt::AlreadyStored) => "again".to_owned(),
                Err(SubmitError::AlreadyAnswered) => "answered".to_owned(),
                Err(e) => format!("{e:?}"),
            })
            .collect();
        assert_eq!(
            seen,
            ["stored", "again", "answered", "again", "answered", "stored"],
            "{}",
            t.label
        );
        // Exactly two new responses, no claim left by a refused answer, and counts that
        // equal a recount from the rows.
        assert_eq!(
            db::stats::recount_responses(&t.db, dialogue)
                .await
                .expect("count"),
            responses + 2,
            "{}",
            t.label
        );
        for refused in [&b, &c] {
            assert!(
                submission::Entity::find_by_id((dialogue, refused.clone()))
                    .one(&t.db)
                    .await
                    .expect("read")
                    .is_none(),
                "{}: a refused answer keeps no claim",
                t.label
            );
        }
        let kept = db::stats::tally_rows(&t.db, dialogue)
            .await
            .expect("tallies");
        db::stats::recount(&t.db, dialogue).await.expect("recount");
        assert_eq!(
            kept,
            db::stats::tally_rows(&t.db, dialogue)
                .await
                .expect("tallies"),
            "{}",
            t.label
        );
        // One row per answer: three stored responses (`earlier`, `a`, `d`) × q1, q3, q5.
        let rows = answer::Entity::find().count(&t.db).await.expect("count");
        assert_eq!(rows, 9, "{}", t.label);
    }
}
