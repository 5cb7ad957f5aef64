//! Editing an activity of the demo promise, on SQLite and PostgreSQL: a typo is fixed with an
//! audit entry of the old and new value, the rule of change holds row by row (the unit is
//! fixed once progress is logged in it), refused edits write nothing, the second of two saves
//! from one version is a conflict, and only the LPO's editors may edit.

mod common;

use chrono::{Duration, Utc};
use db::builder::BuilderError;
use db::entity::{activity, audit_log, commitment};
use db::promise::{ActivityInput, Owner};
use db::testing::TestDb;
use domain::Principal;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const PROMISE: i64 = 1;

async fn person(t: &TestDb, email: &str) -> Principal {
    db::accounts::principal(&common::staff(&t.db, email).await).expect("principal")
}

async fn officer(t: &TestDb) -> Principal {
    person(t, "kommunpolis.kristinehamn@demo.polisen.se").await
}

/// The demo promise's first activity (progress is logged on it).
async fn logged_activity(t: &TestDb) -> activity::Model {
    let ids: Vec<i64> = commitment::Entity::find()
        .filter(commitment::Column::PromiseId.eq(PROMISE))
        .all(&t.db)
        .await
        .expect("query")
        .into_iter()
        .map(|c| c.id)
        .collect();
    activity::Entity::find()
        .filter(activity::Column::CommitmentId.is_in(ids))
        .order_by_asc(activity::Column::Id)
        .one(&t.db)
        .await
        .expect("query")
        .expect("a demo activity")
}

async fn stored(t: &TestDb, id: i64) -> activity::Model {
    activity::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .expect("query")
        .expect("activity")
}

fn input_of(a: &activity::Model) -> ActivityInput {
    let owner = match a.owner_kind.as_str() {
        "officer" => Owner::Officer(a.owner_id),
        "police_unit" => Owner::PoliceUnit(a.owner_id),
        _ => Owner::MunicipalUnit(a.owner_id),
    };
    ActivityInput {
        title: a.title.clone(),
        owner,
        target: a.target,
        unit: a.unit.clone(),
        due_on: a.due_on,
        weight: a.weight,
    }
}

async fn edits_of(t: &TestDb, id: i64) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("activity"))
        .filter(audit_log::Column::EntityId.eq(id.to_string()))
        .filter(audit_log::Column::Action.eq("update"))
        .all(&t.db)
        .await
        .expect("audit")
}

/// The demo data with its promise (signed, with activities and progress).
async fn seeded(t: TestDb) -> TestDb {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    db::demo::seed_promise(&t.db, Utc::now())
        .await
        .expect("seed the promise");
    t
}

db::backend_test! {
    /// An officer fixes a typo: the title changes, the version goes up, and the audit entry
    /// holds the old and new title and nothing else.
    async fn a_typo_is_fixed_and_audited(t: TestDb) {
        let t = seeded(t).await;
        let p = officer(&t).await;
        let a = logged_activity(&t).await;
        let fixed = ActivityInput { title: format!("{} (rättad)", a.title), ..input_of(&a) };
        db::progress::edit_activity(&t.db, &p, PROMISE, a.id, &fixed, a.version, Utc::now())
            .await
            .expect("saved");
        let now = stored(&t, a.id).await;
        assert_eq!(now.title, fixed.title, "{}", t.label);
        assert_eq!(now.version, a.version + 1, "{}", t.label);
        let log = edits_of(&t, a.id).await;
        assert_eq!(log.len(), 1, "{}", t.label);
        let detail: serde_json::Value = serde_json::from_str(&log[0].detail).expect("json");
        assert_eq!(detail["title"]["old"], a.title.as_str(), "{}", t.label);
        assert_eq!(detail["title"]["new"], fixed.title.as_str(), "{}", t.label);
        assert_eq!(detail.as_object().map(|o| o.len()), Some(1), "{}", t.label);
    }
}

db::backend_test! {
    /// The rule of change, row by row on stored activities: the unit is fixed once progress
    /// is logged, free before; target, due date, owner and weight change either way.
    async fn the_rule_of_change_holds_on_stored_activities(t: TestDb) {
        let t = seeded(t).await;
        let p = officer(&t).await;
        let logged = logged_activity(&t).await;
        let audit_before = audit_log::Entity::find().count(&t.db).await.expect("count");
        let e = db::progress::edit_activity(
            &t.db, &p, PROMISE, logged.id,
            &ActivityInput { unit: "timmar".into(), ..input_of(&logged) },
            logged.version, Utc::now(),
        )
        .await
        .expect_err("unit after progress");
        assert!(matches!(&e, BuilderError::Invalid(f) if f[0].0 == "unit"), "{}: {e:?}", t.label);
        assert_eq!(stored(&t, logged.id).await, logged, "{}: nothing written", t.label);
        assert_eq!(audit_log::Entity::find().count(&t.db).await.expect("count"), audit_before, "{}", t.label);

        let moved = ActivityInput {
            target: logged.target + 5.0,
            due_on: logged.due_on + Duration::days(30),
            weight: 2.0,
            ..input_of(&logged)
        };
        db::progress::edit_activity(&t.db, &p, PROMISE, logged.id, &moved, logged.version, Utc::now())
            .await
            .expect("target, due date and weight change after progress");
        let after = stored(&t, logged.id).await;
        assert_eq!((after.target, after.due_on, after.weight), (moved.target, moved.due_on, 2.0), "{}", t.label);

        // A new activity has no progress: its unit may change.
        let fresh_id = db::promise::add_activity(&t.db, &p, logged.commitment_id, &input_of(&logged), Utc::now())
            .await
            .expect("added");
        let fresh = stored(&t, fresh_id).await;
        db::progress::edit_activity(
            &t.db, &p, PROMISE, fresh_id,
            &ActivityInput { unit: "timmar".into(), ..input_of(&fresh) },
            fresh.version, Utc::now(),
        )
        .await
        .expect("unit before progress");
        assert_eq!(stored(&t, fresh_id).await.unit, "timmar", "{}", t.label);
    }
}

db::backend_test! {
    /// Bad input and the wrong people are refused and write nothing.
    async fn refused_edits_write_nothing(t: TestDb) {
        let t = seeded(t).await;
        let p = officer(&t).await;
        let a = logged_activity(&t).await;
        let audit_before = audit_log::Entity::find().count(&t.db).await.expect("count");
        for (bad, field) in [
            (ActivityInput { title: " ".into(), ..input_of(&a) }, "title"),
            (ActivityInput { target: 0.0, ..input_of(&a) }, "target"),
            (ActivityInput { weight: -1.0, ..input_of(&a) }, "weight"),
        ] {
            let e = db::progress::edit_activity(&t.db, &p, PROMISE, a.id, &bad, a.version, Utc::now())
                .await
                .expect_err("refused");
            assert!(matches!(&e, BuilderError::Invalid(f) if f[0].0 == field), "{}: {e:?}", t.label);
        }
        let partner = person(&t, "socialtjansten@demo.kristinehamn.se").await;
        let torsby = person(&t, "kommunpolis.torsby@demo.polisen.se").await;
        for who in [partner, torsby] {
            let e = db::progress::edit_activity(&t.db, &who, PROMISE, a.id, &input_of(&a), a.version, Utc::now())
                .await
                .expect_err("not theirs");
            assert!(matches!(e, BuilderError::Forbidden), "{}: {e:?}", t.label);
        }
        let other = db::progress::edit_activity(&t.db, &p, PROMISE + 1000, a.id, &input_of(&a), a.version, Utc::now())
            .await
            .expect_err("another promise's path");
        assert!(matches!(other, BuilderError::NotFound), "{}: {other:?}", t.label);
        assert_eq!(stored(&t, a.id).await, a, "{}", t.label);
        assert_eq!(audit_log::Entity::find().count(&t.db).await.expect("count"), audit_before, "{}", t.label);
    }
}

db::backend_test! {
    /// Two officers open the activity; the second save is a conflict and overwrites nothing.
    async fn the_second_of_two_saves_is_a_conflict(t: TestDb) {
        let t = seeded(t).await;
        let p = officer(&t).await;
        let a = logged_activity(&t).await;
        let first = ActivityInput { title: "Först".into(), ..input_of(&a) };
        let second = ActivityInput { title: "Sist".into(), ..input_of(&a) };
        db::progress::edit_activity(&t.db, &p, PROMISE, a.id, &first, a.version, Utc::now())
            .await
            .expect("first");
        let e = db::progress::edit_activity(&t.db, &p, PROMISE, a.id, &second, a.version, Utc::now())
            .await
            .expect_err("second");
        assert!(matches!(e, BuilderError::Conflict), "{}: {e:?}", t.label);
        assert_eq!(stored(&t, a.id).await.title, "Först", "{}", t.label);
    }
}
