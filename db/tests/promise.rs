//! The promise on SQLite and PostgreSQL: commitments need themes of an approved compilation of
//! the LPO, two sign-offs by the right roles make it agreed, agreed text changes only as a new
//! version (earlier versions unchanged), targets must be positive, progress is refused in the
//! future, before agreement and after close, and a municipal partner logs only what their
//! unit owns. Progress rolls up into the promise's percent.

mod common;

use chrono::{Duration, Utc};
use db::builder::BuilderError;
use db::entity::org_unit;
use db::promise::{ActivityInput, CommitmentText, Owner, PromiseText};
use domain::promise::Status;
use domain::{LocalizedText, Principal, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn who(role: Role, scope: i64, unit: Option<i64>) -> Principal {
    Principal {
        user_id: 1,
        name: format!("{role:?}"),
        email: "x@example.se".to_owned(),
        role,
        scope_unit_id: Some(scope),
        municipal_unit_id: unit,
        must_change_password: false,
    }
}

fn text(title: &str, themes: Vec<i64>, id: Option<i64>) -> PromiseText {
    PromiseText {
        title: LocalizedText::new(title, title),
        body: LocalizedText::new("Vi lovar", "We promise"),
        commitments: vec![CommitmentText {
            id,
            text: LocalizedText::new("Minska narkotikan vid skolorna", "Less drugs at schools"),
            weight: 1.0,
            theme_ids: themes,
        }],
    }
}

async fn unit_id(db: &db::Db, code: &str) -> i64 {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(db)
        .await
        .expect("read")
        .expect("unit")
        .id
}

#[tokio::test]
async fn a_promise_is_signed_versioned_and_followed_up_by_the_rules() {
    for t in common::all().await {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        let period = (now.date_naive(), now.date_naive() + Duration::days(365));
        let lpo = unit_id(&t.db, "lpo-kristinehamn").await;
        let torsby = unit_id(&t.db, "lpo-torsby").await;
        let kh = org_unit::Entity::find()
            .filter(org_unit::Column::Kind.eq("municipality"))
            .filter(org_unit::Column::ParentId.eq(lpo))
            .one(&t.db)
            .await
            .expect("read")
            .expect("Kristinehamn municipality")
            .id;
        let officer = who(Role::Officer, lpo, None);
        let manager = who(Role::LpoManager, lpo, None);
        let partner = who(Role::MunicipalPartner, kh, Some(4242));
        let drugs = db::themes::lpo_themes(&t.db, lpo).await.expect("themes")[1].id;
        let torsby_theme = db::themes::lpo_themes(&t.db, torsby).await.expect("themes")[1].id;

        // No approved compilation yet: the theme is not one of its themes.
        let early = db::promise::create(
            &t.db,
            &officer,
            lpo,
            &[kh],
            period,
            text("Löfte", vec![drugs], None),
            now,
        )
        .await;
        assert!(
            matches!(early, Err(BuilderError::Invalid(_))),
            "{l}: {early:?}"
        );
        db::compilation::approve(&t.db, &manager, 1, now)
            .await
            .expect("compilation approved");
        let other = db::promise::create(
            &t.db,
            &officer,
            lpo,
            &[kh],
            period,
            text("Löfte", vec![torsby_theme], None),
            now,
        )
        .await;
        assert!(
            matches!(other, Err(BuilderError::Invalid(_))),
            "{l}: another LPO's theme"
        );
        let id = db::promise::create(
            &t.db,
            &officer,
            lpo,
            &[kh],
            period,
            text("Medborgarlöfte 2027", vec![drugs], None),
            now,
        )
        .await
        .expect("drafted");
        let v1 = db::promise::version_text(&t.db, id, 1)
            .await
            .expect("read")
            .expect("v1");
        let commitment = v1.commitments[0].id.expect("stable id");

        // Sign-offs: wrong roles refused, the manager and the partner make it agreed.
        for wrong in [&officer, &who(Role::MunicipalPartner, 999_999, None)] {
            let r = db::promise::sign(&t.db, wrong, id, now).await;
            assert!(matches!(r, Err(BuilderError::Forbidden)), "{l}: {r:?}");
        }
        assert_eq!(
            db::promise::sign(&t.db, &manager, id, now)
                .await
                .expect("signed"),
            Status::Draft
        );
        let twice = db::promise::sign(&t.db, &manager, id, now).await;
        assert!(
            matches!(twice, Err(BuilderError::Invalid(_))),
            "{l}: signed twice"
        );
        assert_eq!(
            db::promise::sign(&t.db, &partner, id, now)
                .await
                .expect("signed"),
            Status::Agreed
        );

        // Progress before activation is refused; an activity needs a positive target.
        let bad = ActivityInput {
            title: "Trygghetsvandringar".to_owned(),
            owner: Owner::MunicipalUnit(4242),
            target: 0.0,
            unit: "vandringar".to_owned(),
            due_on: period.1,
            weight: 1.0,
        };
        let r = db::promise::add_activity(&t.db, &officer, commitment, &bad, now).await;
        assert!(matches!(r, Err(BuilderError::Invalid(_))), "{l}: target 0");
        let walk = ActivityInput {
            target: 4.0,
            ..bad.clone()
        };
        let a = db::promise::add_activity(&t.db, &officer, commitment, &walk, now)
            .await
            .expect("activity");
        let patrol = ActivityInput {
            owner: Owner::Officer(1),
            target: 10.0,
            title: "Fotpatrull vid skolan".to_owned(),
            ..bad.clone()
        };
        let b = db::promise::add_activity(&t.db, &officer, commitment, &patrol, now)
            .await
            .expect("activity");

        // Agreed text changes only as a new version; version 1 stays as it was.
        let v = db::promise::edit(
            &t.db,
            &officer,
            id,
            text("Medborgarlöfte 2027, rev.", vec![drugs], Some(commitment)),
            now,
        )
        .await
        .expect("edited");
        assert_eq!(v, 2, "{l}");
        assert_eq!(
            db::promise::version_text(&t.db, id, 1).await.expect("read"),
            Some(v1.clone()),
            "{l}: version 1 unchanged"
        );
        let r = db::promise::log_progress(&t.db, &partner, a, now.date_naive(), "", 1.0, now).await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: progress on an unsigned version"
        );
        db::promise::sign(&t.db, &manager, id, now)
            .await
            .expect("signed v2");
        db::promise::sign(&t.db, &partner, id, now)
            .await
            .expect("signed v2");
        assert_eq!(
            db::promise::advance(&t.db, &officer, id, Status::Active, now)
                .await
                .expect("active"),
            Status::Active
        );

        // Progress: the partner logs on their unit's activity only, never in the future.
        let today = domain::time::stockholm_day(now);
        db::promise::log_progress(&t.db, &partner, a, today, "Första vandringen", 1.0, now)
            .await
            .expect("logged");
        let r = db::promise::log_progress(&t.db, &partner, b, today, "", 1.0, now).await;
        assert!(
            matches!(r, Err(BuilderError::Forbidden)),
            "{l}: not the partner's activity"
        );
        let r =
            db::promise::log_progress(&t.db, &officer, b, today + Duration::days(2), "", 1.0, now)
                .await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: a future date"
        );
        db::promise::log_progress(&t.db, &officer, b, today, "Tre pass", 3.0, now)
            .await
            .expect("logged");
        // (25 % + 30 %) / 2 with equal weights.
        let pct = db::promise::percent(&t.db, id).await.expect("percent");
        assert!((pct - 27.5).abs() < 1e-9, "{l}: {pct}");

        // Followed up, closed: no more progress.
        db::promise::advance(&t.db, &officer, id, Status::FollowedUp, now)
            .await
            .expect("followed up");
        db::promise::advance(&t.db, &manager, id, Status::Closed, now)
            .await
            .expect("closed");
        let r = db::promise::log_progress(&t.db, &officer, b, today, "", 1.0, now).await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: a closed promise"
        );
    }
}

/// Overdue activities for the LPO's overview: past due (a Stockholm date) and short of the
/// target, of agreed or active promises, in scope only.
#[tokio::test]
async fn overdue_activities_are_listed_for_their_lpo() {
    for t in common::all().await {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        db::demo::seed_promise(&t.db, now).await.expect("promise");
        let lpo = unit_id(&t.db, "lpo-kristinehamn").await;
        let torsby = unit_id(&t.db, "lpo-torsby").await;
        let none = db::promise::overdue(&t.db, None, now - Duration::days(3650))
            .await
            .expect("read");
        assert!(none.is_empty(), "{l}: nothing is due ten years ago");
        let later = now + Duration::days(3650);
        let all = db::promise::overdue(&t.db, Some(&[lpo]), later)
            .await
            .expect("read");
        assert!(!all.is_empty(), "{l}");
        for a in &all {
            assert!(a.achieved < a.target, "{l}: {a:?}");
            assert!(a.due_on < later.date_naive(), "{l}");
        }
        let other = db::promise::overdue(&t.db, Some(&[torsby]), later)
            .await
            .expect("read");
        assert!(other.is_empty(), "{l}: another LPO's");
    }
}

/// A demo login as its principal.
async fn demo_user(db: &db::Db, email: &str) -> Principal {
    use db::entity::staff_user;
    let u = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("read")
        .expect("demo user");
    db::accounts::principal(&u).expect("principal")
}

/// The demo promise and the id of its activity titled `title`.
async fn demo_activity(db: &db::Db, title: &str) -> (i64, i64) {
    use db::entity::{activity, commitment};
    let a = activity::Entity::find()
        .filter(activity::Column::Title.eq(title))
        .one(db)
        .await
        .expect("read")
        .expect("demo activity");
    let c = commitment::Entity::find_by_id(a.commitment_id)
        .one(db)
        .await
        .expect("read")
        .expect("commitment");
    (c.promise_id, a.id)
}

/// Everything a refused change must leave alone: the entries, the activities, the audit log.
async fn record_state(db: &db::Db) -> (Vec<String>, Vec<String>, usize) {
    use db::entity::{activity, audit_log, progress_entry};
    let entries = progress_entry::Entity::find()
        .all(db)
        .await
        .expect("read")
        .iter()
        .map(|e| format!("{e:?}"))
        .collect();
    let activities = activity::Entity::find()
        .all(db)
        .await
        .expect("read")
        .iter()
        .map(|a| format!("{a:?}"))
        .collect();
    let audit = audit_log::Entity::find().all(db).await.expect("read").len();
    (entries, activities, audit)
}

fn public_activity<'a>(
    p: &'a domain::promise::PublicPromise,
    title: &str,
) -> &'a domain::promise::PublicActivity {
    p.commitments
        .iter()
        .flat_map(|c| c.activities.iter())
        .find(|a| a.title == title)
        .expect("public activity")
}

/// Corrections, never silent edits: a correcting entry with a reason changes the public figure
/// and the roll-up, both entries stay in the public history (which the feed is built from),
/// a correction can be corrected again (the latest counts) but a replaced entry cannot, and
/// every refusal stores nothing.
#[tokio::test]
async fn a_correction_changes_the_public_figure_and_keeps_both_entries() {
    const LANGNING: &str = "Riktade insatser mot langning";
    for t in common::all().await {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        db::demo::seed_promise(&t.db, now).await.expect("promise");
        let officer = demo_user(&t.db, "kommunpolis.kristinehamn@demo.polisen.se").await;
        let torsby = demo_user(&t.db, "kommunpolis.torsby@demo.polisen.se").await;
        let partner = demo_user(&t.db, "socialtjansten@demo.kristinehamn.se").await;
        let (promise, langning) = demo_activity(&t.db, LANGNING).await;
        let before = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert_eq!(public_activity(&before, LANGNING).achieved, 3.0, "{l}");
        let original = before
            .updates
            .iter()
            .find(|u| u.activity == LANGNING)
            .expect("logged")
            .clone();
        assert!(original.corrects.is_none() && original.superseded.is_none());

        // Refusals, each storing nothing.
        let state = record_state(&t.db).await;
        let refusals = [
            (
                &officer,
                promise,
                original.id,
                Some(5.0),
                "  ",
                "an empty reason",
            ),
            (
                &officer,
                promise,
                original.id,
                Some(-1.0),
                "Fel",
                "a negative amount",
            ),
            (&officer, promise, original.id, Some(f64::NAN), "Fel", "NaN"),
            (
                &officer,
                promise,
                original.id,
                Some(3.0),
                "Fel",
                "no change",
            ),
        ];
        for (who, pr, entry, amount, reason, what) in refusals {
            let r = db::progress::correct(&t.db, who, pr, entry, amount, None, reason, now).await;
            assert!(
                matches!(r, Err(BuilderError::Invalid(_))),
                "{l}: {what}: {r:?}"
            );
        }
        let r = db::progress::correct(
            &t.db,
            &torsby,
            promise,
            original.id,
            Some(5.0),
            None,
            "Fel",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::Forbidden)),
            "{l}: another LPO's entry: {r:?}"
        );
        let r = db::progress::correct(
            &t.db,
            &partner,
            promise,
            original.id,
            Some(5.0),
            None,
            "Fel",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::Forbidden)),
            "{l}: not the partner's activity: {r:?}"
        );
        let r = db::progress::correct(
            &t.db,
            &officer,
            promise + 999,
            original.id,
            Some(5.0),
            None,
            "Fel",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::NotFound)),
            "{l}: through another promise: {r:?}"
        );
        let r = db::progress::correct(
            &t.db,
            &officer,
            promise,
            999_999,
            Some(5.0),
            None,
            "Fel",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::NotFound)),
            "{l}: no such entry: {r:?}"
        );
        assert_eq!(
            record_state(&t.db).await,
            state,
            "{l}: refusals store nothing"
        );

        // The correction: 3 → 5, with a reason.
        let fixed = db::progress::correct(
            &t.db,
            &officer,
            promise,
            original.id,
            Some(5.0),
            None,
            " Två insatser saknades ",
            now,
        )
        .await
        .expect("corrected");
        let after = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        let shown = public_activity(&after, LANGNING);
        assert_eq!(shown.achieved, 5.0, "{l}: the corrected figure, not 3 + 5");
        assert_eq!(shown.percent, 50.0, "{l}");
        assert!(after.percent > before.percent, "{l}: the roll-up follows");
        assert!(
            (db::promise::percent(&t.db, promise).await.expect("percent") - after.percent).abs()
                < 1e-9,
            "{l}: staff and public agree"
        );
        let old = after
            .updates
            .iter()
            .find(|u| u.id == original.id)
            .expect("the original stays in the history");
        assert_eq!(old.amount, 3.0, "{l}: unchanged");
        assert_eq!(old.text, original.text, "{l}");
        assert_eq!(old.superseded.as_ref().map(|s| s.by), Some(fixed), "{l}");
        let new = after
            .updates
            .iter()
            .find(|u| u.id == fixed)
            .expect("the correction is in the history");
        let note = new.corrects.as_ref().expect("marked as a correction");
        assert_eq!(
            (
                note.id,
                note.amount,
                note.reason.as_str(),
                new.amount,
                new.text.as_str()
            ),
            (
                original.id,
                3.0,
                "Två insatser saknades",
                5.0,
                original.text.as_str()
            ),
            "{l}"
        );
        let audit = db::audit::recent(&t.db, None, 20).await.expect("audit");
        assert!(
            audit.iter().any(|a| a.action == "correct"
                && a.entity_id == fixed.to_string()
                && a.detail.contains("Två insatser saknades")),
            "{l}: audited: {audit:?}"
        );

        // A chain: the correction is corrected (the latest counts); the replaced original
        // cannot be corrected again.
        let state = record_state(&t.db).await;
        let r = db::progress::correct(
            &t.db,
            &officer,
            promise,
            original.id,
            Some(4.0),
            None,
            "Igen",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: already corrected: {r:?}"
        );
        assert_eq!(record_state(&t.db).await, state, "{l}: nothing stored");
        db::progress::correct(
            &t.db,
            &officer,
            promise,
            fixed,
            Some(4.0),
            Some("Fyra insatser"),
            "Räknat fel igen",
            now,
        )
        .await
        .expect("the correction corrected");
        let last = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert_eq!(public_activity(&last, LANGNING).achieved, 4.0, "{l}");
        assert_eq!(
            last.updates
                .iter()
                .filter(|u| u.activity == LANGNING)
                .count(),
            3,
            "{l}: all three entries stay public"
        );
        let staff = db::progress::records(&t.db, promise)
            .await
            .expect("records");
        let rec = staff
            .iter()
            .find(|r| r.activity_id == langning)
            .expect("record");
        assert_eq!(rec.entries.len(), 3, "{l}: staff see the whole chain");
    }
}

/// Activity weights and status: a weight set on the activity changes the roll-up as set; a
/// cancelled activity (only with a reason) leaves the roll-up, shows its reason on the staff
/// and public pages, takes no more progress and is not overdue; every change is audited.
#[tokio::test]
async fn a_cancelled_activity_leaves_the_roll_up_and_weights_count() {
    use domain::progress::ActivityStatus;
    const WALKS: &str = "Trygghetsvandringar vid skolorna";
    const LANGNING: &str = "Riktade insatser mot langning";
    const MEETINGS: &str = "Möten med fastighetsägare om belysning";
    for t in common::all().await {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        db::demo::seed_promise(&t.db, now).await.expect("promise");
        let officer = demo_user(&t.db, "kommunpolis.kristinehamn@demo.polisen.se").await;
        let torsby = demo_user(&t.db, "kommunpolis.torsby@demo.polisen.se").await;
        let (promise, langning) = demo_activity(&t.db, LANGNING).await;
        let (_, meetings) = demo_activity(&t.db, MEETINGS).await;
        let commitment_of = |p: &domain::promise::PublicPromise| {
            p.commitments
                .iter()
                .find(|c| c.activities.iter().any(|a| a.title == WALKS))
                .expect("commitment")
                .percent
        };
        // The demo: walks 2 of 4 (50 %), langning 3 of 10 (30 %), equal weights.
        let p = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(
            (commitment_of(&p) - 40.0).abs() < 1e-9,
            "{l}: {}",
            commitment_of(&p)
        );

        // A weight of 3 on a new activity at 100 %: (50 + 30 + 3 × 100) / 5 = 76 %.
        let detail = db::promise::staff_detail(&t.db, promise)
            .await
            .expect("read")
            .expect("detail");
        let commitment = detail
            .commitments
            .iter()
            .find(|c| c.activities.iter().any(|a| a.title == WALKS))
            .expect("commitment")
            .id;
        let heavy = db::promise::add_activity(
            &t.db,
            &officer,
            commitment,
            &ActivityInput {
                title: "Föräldravandringar".to_owned(),
                owner: Owner::PoliceUnit(detail.lpo_id),
                target: 2.0,
                unit: "vandringar".to_owned(),
                due_on: detail.period_to,
                weight: 3.0,
            },
            now,
        )
        .await
        .expect("activity");
        let today = domain::time::stockholm_day(now);
        db::promise::log_progress(&t.db, &officer, heavy, today, "Två", 2.0, now)
            .await
            .expect("logged");
        let p = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(
            (commitment_of(&p) - 76.0).abs() < 1e-9,
            "{l}: weighted: {}",
            commitment_of(&p)
        );
        assert_eq!(
            public_activity(&p, "Föräldravandringar").weight,
            3.0,
            "{l}: shown"
        );
        assert_eq!(
            public_activity(&p, "Föräldravandringar").status,
            ActivityStatus::Done,
            "{l}: the target reached shows as done"
        );

        // Cancelling needs a reason; a refusal stores nothing.
        let state = record_state(&t.db).await;
        let r = db::progress::set_status(
            &t.db,
            &officer,
            promise,
            langning,
            ActivityStatus::Cancelled,
            " ",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: no reason: {r:?}"
        );
        let r = db::progress::set_status(
            &t.db,
            &torsby,
            promise,
            langning,
            ActivityStatus::Cancelled,
            "Nej",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::Forbidden)),
            "{l}: another LPO: {r:?}"
        );
        let r = db::progress::set_status(
            &t.db,
            &officer,
            promise + 999,
            langning,
            ActivityStatus::Cancelled,
            "Nej",
            now,
        )
        .await;
        assert!(
            matches!(r, Err(BuilderError::NotFound)),
            "{l}: through another promise: {r:?}"
        );
        assert_eq!(
            record_state(&t.db).await,
            state,
            "{l}: refusals store nothing"
        );

        // Cancelled: (50 + 300) / 4 = 87.5 %, the reason shown, no more progress.
        db::progress::set_status(
            &t.db,
            &officer,
            promise,
            langning,
            ActivityStatus::Cancelled,
            "Ersatt av föräldravandringar",
            now,
        )
        .await
        .expect("cancelled");
        let p = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(
            (commitment_of(&p) - 87.5).abs() < 1e-9,
            "{l}: {}",
            commitment_of(&p)
        );
        let shown = public_activity(&p, LANGNING);
        assert_eq!(shown.status, ActivityStatus::Cancelled, "{l}");
        assert_eq!(
            shown.status_reason.as_deref(),
            Some("Ersatt av föräldravandringar"),
            "{l}"
        );
        assert_eq!(shown.achieved, 3.0, "{l}: its history stays");
        let detail = db::promise::staff_detail(&t.db, promise)
            .await
            .expect("read")
            .expect("detail");
        let staff_commitment = detail
            .commitments
            .iter()
            .find(|c| c.id == commitment)
            .expect("commitment");
        assert!(
            (staff_commitment.percent - 87.5).abs() < 1e-9,
            "{l}: staff roll-up"
        );
        assert!(
            (db::promise::percent(&t.db, promise).await.expect("percent") - p.percent).abs() < 1e-9,
            "{l}: staff and public agree"
        );
        let records = db::progress::records(&t.db, promise)
            .await
            .expect("records");
        let rec = records
            .iter()
            .find(|r| r.activity_id == langning)
            .expect("record");
        assert_eq!(
            (rec.status, rec.status_reason.as_deref()),
            (
                ActivityStatus::Cancelled,
                Some("Ersatt av föräldravandringar")
            ),
            "{l}"
        );
        let r = db::promise::log_progress(&t.db, &officer, langning, today, "", 1.0, now).await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: progress on a cancelled activity"
        );

        // The overdue meetings, cancelled, leave the overdue list; done ones too.
        let later = now + Duration::days(1);
        let listed = |o: &[domain::promise::OverdueActivity]| o.iter().any(|a| a.title == MEETINGS);
        assert!(
            listed(
                &db::promise::overdue(&t.db, None, later)
                    .await
                    .expect("read")
            ),
            "{l}"
        );
        db::progress::set_status(
            &t.db,
            &officer,
            promise,
            meetings,
            ActivityStatus::Done,
            "",
            now,
        )
        .await
        .expect("done");
        assert!(
            !listed(
                &db::promise::overdue(&t.db, None, later)
                    .await
                    .expect("read")
            ),
            "{l}: done"
        );

        // Back under way: it counts again and its reason is gone.
        db::progress::set_status(
            &t.db,
            &officer,
            promise,
            langning,
            ActivityStatus::UnderWay,
            "",
            now,
        )
        .await
        .expect("reinstated");
        let p = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(
            (commitment_of(&p) - 76.0).abs() < 1e-9,
            "{l}: {}",
            commitment_of(&p)
        );
        assert_eq!(public_activity(&p, LANGNING).status_reason, None, "{l}");
        let audit = db::audit::recent(&t.db, None, 50).await.expect("audit");
        let changes: Vec<&str> = audit
            .iter()
            .filter(|a| a.action == "status" && a.entity == "activity")
            .map(|a| a.detail.as_str())
            .collect();
        assert_eq!(
            changes.len(),
            3,
            "{l}: every status change audited: {changes:?}"
        );
        assert!(
            changes
                .iter()
                .any(|d| d.contains("planned->cancelled")
                    && d.contains("Ersatt av föräldravandringar")),
            "{l}: {changes:?}"
        );
    }
}
