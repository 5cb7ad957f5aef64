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
