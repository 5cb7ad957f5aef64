//! The respondent protections and the group-commit write path, on SQLite and PostgreSQL:
//! invitation codes, one answer per browser, kiosks, paper answers, conditions, and a burst.

mod common;

use common::{fields, sid};

use common::TestDb;

use chrono::Utc;
use db::entity::{answer, browser_seen, response, submission, tally};
use db::survey::{Gate, Receipt, SubmitError, SubmitRequest, Writer};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn public<'a>(browser: Option<&'a str>, invite: Option<&'a str>) -> Gate<'a> {
    Gate::Public {
        browser,
        invite,
        via_qr: false,
    }
}

async fn seeded(t: TestDb) -> TestDb {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    t
}

async fn send(
    db: &db::Db,
    link: &str,
    id: &str,
    gate: Gate<'_>,
    f: &[(String, String)],
) -> Result<Receipt, SubmitError> {
    db::survey::submit(
        db,
        SubmitRequest {
            link_code: link,
            submission_id: id,
            gate,
            fields: f,
            now: Utc::now(),
        },
    )
    .await
}

async fn responses(db: &db::Db) -> u64 {
    response::Entity::find().count(db).await.expect("count")
}

/// Responses counted in the tallies of one channel (question 0 counts responses).
async fn tallied(db: &db::Db, channel: &str) -> i64 {
    tally::Entity::find()
        .filter(tally::Column::QuestionId.eq(0))
        .filter(tally::Column::Channel.eq(channel))
        .all(db)
        .await
        .expect("tallies")
        .iter()
        .map(|t| t.n)
        .sum()
}

fn ok_answer() -> Vec<(String, String)> {
    fields(&[("q1", "Synas mer"), ("q3", "4")])
}

db::backend_test! {
    async fn a_closed_group_needs_its_invitation_code(t: TestDb) {
        let t = seeded(t).await;
        let f = ok_answer();
        for invite in [None, Some(""), Some("fel-kod")] {
            let res = send(&t.db, "kh-politiker", &sid(), public(None, invite), &f).await;
            assert!(
                matches!(res, Err(SubmitError::BadInvite)),
                "{}: {invite:?}: {res:?}",
                t.label
            );
        }
        assert_eq!(responses(&t.db).await, 0, "{}: nothing stored", t.label);
        let code = format!(" {} ", db::demo::DEMO_INVITE_CODE);
        let res = send(&t.db, "kh-politiker", &sid(), public(None, Some(&code)), &f).await;
        assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
        // Open groups need no code.
        let res = send(&t.db, "kh-invanare", &sid(), public(None, None), &f).await;
        assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
        assert_eq!(responses(&t.db).await, 2, "{}", t.label);
    }
}

db::backend_test! {
    async fn one_answer_per_browser_but_a_retry_is_never_an_error(t: TestDb) {
        let t = seeded(t).await;
        let f = ok_answer();
        let browser = "0123456789abcdef0123456789abcdef";
        let first = sid();
        let res = send(
            &t.db,
            "kh-invanare",
            &first,
            public(Some(browser), None),
            &f,
        )
        .await;
        assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
        // The same submission again (a retry): the original success, not a second answer.
        let res = send(
            &t.db,
            "kh-invanare",
            &first,
            public(Some(browser), None),
            &f,
        )
        .await;
        assert!(
            matches!(res, Ok(Receipt::AlreadyStored)),
            "{}: {res:?}",
            t.label
        );
        // A new submission from the same browser, through another group's link too: refused.
        for link in ["kh-invanare", "kh-foretagare"] {
            let res = send(&t.db, link, &sid(), public(Some(browser), None), &f).await;
            assert!(
                matches!(res, Err(SubmitError::AlreadyAnswered)),
                "{}: {link}: {res:?}",
                t.label
            );
        }
        // Another browser may answer.
        let other = "fedcba9876543210fedcba9876543210";
        let res = send(&t.db, "kh-invanare", &sid(), public(Some(other), None), &f).await;
        assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
        assert_eq!(responses(&t.db).await, 2, "{}", t.label);
        // The refused submission left nothing behind, not even its id.
        assert_eq!(
            submission::Entity::find().count(&t.db).await.expect("n"),
            2,
            "{}",
            t.label
        );
        // Only salted hashes are kept, apart from the answers.
        let seen = browser_seen::Entity::find().all(&t.db).await.expect("seen");
        assert_eq!(seen.len(), 2, "{}", t.label);
        assert!(
            seen.iter()
                .all(|s| s.hash.len() == 64 && s.hash != browser && s.hash != other),
            "{}",
            t.label
        );
    }
}

db::backend_test! {
    async fn kiosks_take_one_answer_after_another_until_revoked(t: TestDb) {
        let t = seeded(t).await;
        let d = db::survey::load(&t.db, "kh-politiker")
            .await
            .expect("load")
            .expect("survey");
        let (kiosk_id, token) = db::kiosk::issue(
            &t.db,
            db::kiosk::Purpose::Kiosk,
            d.survey.dialogue_id,
            "Surfplatta 1",
            None,
            Utc::now(),
        )
        .await
        .expect("issue");
        let f = ok_answer();
        // A kiosk skips the browser rule (and the invitation code: staff issued it).
        for _ in 0..3 {
            let res = send(
                &t.db,
                "kh-politiker",
                &sid(),
                Gate::Kiosk { token: &token },
                &f,
            )
            .await;
            assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
        }
        assert_eq!(tallied(&t.db, "meeting").await, 3, "{}", t.label);
        let res = send(
            &t.db,
            "kh-politiker",
            &sid(),
            Gate::Kiosk { token: "fel" },
            &f,
        )
        .await;
        assert!(matches!(res, Err(SubmitError::BadKiosk)), "{}", t.label);
        assert!(
            db::kiosk::revoke(&t.db, d.survey.dialogue_id, kiosk_id, Utc::now())
                .await
                .expect("revoke")
        );
        let res = send(
            &t.db,
            "kh-politiker",
            &sid(),
            Gate::Kiosk { token: &token },
            &f,
        )
        .await;
        assert!(matches!(res, Err(SubmitError::BadKiosk)), "{}", t.label);
        assert_eq!(responses(&t.db).await, 3, "{}", t.label);
    }
}

db::backend_test! {
    async fn paper_and_qr_answers_are_tagged_with_their_channel(t: TestDb) {
        let t = seeded(t).await;
        let f = ok_answer();
        send(&t.db, "kh-invanare", &sid(), Gate::Paper, &f)
            .await
            .expect("paper");
        let qr = Gate::Public {
            browser: None,
            invite: None,
            via_qr: true,
        };
        send(&t.db, "kh-invanare", &sid(), qr, &f)
            .await
            .expect("qr");
        assert_eq!(tallied(&t.db, "paper").await, 1, "{}", t.label);
        assert_eq!(tallied(&t.db, "qr").await, 1, "{}", t.label);
        assert_eq!(tallied(&t.db, "web").await, 0, "{}", t.label);
    }
}

db::backend_test! {
    async fn answers_to_questions_whose_condition_fails_are_not_stored(t: TestDb) {
        let t = seeded(t).await;
        // Question 4 ("what makes you feel unsafe?") shows only for 1 or 2 on question 3.
        let safe = fields(&[("q1", "x"), ("q3", "4"), ("q4", "Mörka gångvägar")]);
        send(&t.db, "kh-invanare", &sid(), public(None, None), &safe)
            .await
            .expect("stored");
        let unsafe_ = fields(&[("q1", "x"), ("q3", "1"), ("q4", "Mörka gångvägar")]);
        send(&t.db, "kh-invanare", &sid(), public(None, None), &unsafe_)
            .await
            .expect("stored");
        let q4 = answer::Entity::find()
            .filter(answer::Column::QuestionId.eq(4))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(
            q4, 1,
            "{}: only the met condition's answer is kept",
            t.label
        );
    }
}

db::backend_test! {
    async fn a_burst_of_500_is_stored_exactly_once_and_tallies_equal_a_recount(t: TestDb) {
        let t = seeded(t).await;
        let writer = Writer::start(t.db.clone(), t.db.clone(), db::live::Bus::local());
        let mut tasks = Vec::new();
        for i in 0..500 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                let id = sid();
                let browser = format!("{:032x}", i + 1);
                let scale = ((i % 5) + 1).to_string();
                let link = ["kh-invanare", "kh-unga", "kh-foretagare"][i % 3];
                let f = fields(&[("q1", "Synas mer"), ("q3", &scale), ("q5", "trafik")]);
                let req = || SubmitRequest {
                    link_code: link,
                    submission_id: &id,
                    gate: public(Some(&browser), None),
                    fields: &f,
                    now: Utc::now(),
                };
                let first = writer.submit(req()).await;
                // Every tenth is retried at once, as a flaky network would.
                let retry = if i % 10 == 0 {
                    Some(writer.submit(req()).await)
                } else {
                    None
                };
                (first, retry)
            }));
        }
        let mut stored = 0;
        for task in tasks {
            let (first, retry) = task.await.expect("join");
            assert!(
                matches!(first, Ok(Receipt::Stored)),
                "{}: {first:?}",
                t.label
            );
            stored += 1;
            if let Some(r) = retry {
                assert!(
                    matches!(r, Ok(Receipt::AlreadyStored)),
                    "{}: {r:?}",
                    t.label
                );
            }
        }
        assert_eq!(stored, 500);
        assert_eq!(responses(&t.db).await, 500, "{}", t.label);
        // Every tally equals a recount from the rows.
        let tallies = tally::Entity::find().all(&t.db).await.expect("tallies");
        let sum = |q: i64, key: &str| -> i64 {
            tallies
                .iter()
                .filter(|x| x.question_id == q && x.value_key == key)
                .map(|x| x.n)
                .sum()
        };
        assert_eq!(sum(0, ""), 500, "{}", t.label);
        for v in 1..=5 {
            let rows = answer::Entity::find()
                .filter(answer::Column::QuestionId.eq(3))
                .filter(answer::Column::ValueNum.eq(v))
                .count(&t.db)
                .await
                .expect("count");
            assert_eq!(sum(3, &v.to_string()), rows as i64, "{}: q3={v}", t.label);
            assert_eq!(rows, 100, "{}", t.label);
        }
        assert_eq!(sum(5, "trafik"), 500, "{}", t.label);
        let counts = db::stats::dialogue_counts(&t.db).await.expect("counts");
        let recount = db::stats::recount_responses(&t.db, counts[0].dialogue_id)
            .await
            .expect("recount");
        assert_eq!(counts[0].total as u64, recount, "{}", t.label);
    }
}
