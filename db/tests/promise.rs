//! The promise on SQLite and PostgreSQL: commitments need themes of an approved compilation of
//! the LPO, two sign-offs by the right roles make it agreed, agreed text changes only as a new
//! version (earlier versions unchanged), targets must be positive, progress is refused in the
//! future, before agreement and after close, and a municipal partner logs only what their
//! unit owns. Progress rolls up into the promise's percent.

mod common;

use common::TestDb;

use chrono::{Duration, Utc};
use db::builder::BuilderError;
use db::entity::org_unit;
use db::promise::{ActivityInput, CommitmentText, Owner, PromiseText};
use domain::promise::Status;
use domain::{LocalizedText, Principal, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A principal; each role is another person (one person signs a version once).
fn who(role: Role, scope: i64, unit: Option<i64>) -> Principal {
    let user_id = 1 + Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as i64;
    person(user_id, role, scope, unit)
}

fn person(user_id: i64, role: Role, scope: i64, unit: Option<i64>) -> Principal {
    Principal {
        user_id,
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

db::backend_test! {
    async fn a_promise_is_signed_versioned_and_followed_up_by_the_rules(t: TestDb) {
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
        let r =
            db::promise::sign(&t.db, &who(Role::MunicipalPartner, 999_999, None), id, now).await;
        assert!(matches!(r, Err(BuilderError::Forbidden)), "{l}: {r:?}");
        let r = db::promise::sign(&t.db, &officer, id, now).await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: the LPO's officer, not a named signatory: {r:?}"
        );
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
        // The revision is drafted beside version 1, which stays in force: follow-up goes on.
        let today = domain::time::stockholm_day(now);
        db::promise::log_progress(&t.db, &partner, a, today, "Under revisionen", 0.0, now)
            .await
            .expect("progress on the version in force while a revision is drafted");
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

db::backend_test! {
    /// Overdue activities for the LPO's overview: past due (a Stockholm date) and short of the
    /// target, of agreed or active promises, in scope only.
    async fn overdue_activities_are_listed_for_their_lpo(t: TestDb) {
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

/// The demo's signed, active Kristinehamn promise, its LPO, municipality and people, with
/// dialogue 1 made its own follow-up so the public page has a before/after table to keep.
struct Demo {
    id: i64,
    lpo: i64,
    manager: Principal,
    partner: Principal,
    officer: Principal,
}

async fn demo(t: &common::TestDb, now: chrono::DateTime<Utc>) -> Demo {
    use db::entity::{dialogue, promise, staff_user};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    db::demo::seed_promise(&t.db, now).await.expect("promise");
    let d = dialogue::Entity::find_by_id(1)
        .one(&t.db)
        .await
        .expect("read")
        .expect("dialogue 1");
    let mut am: dialogue::ActiveModel = d.into();
    am.follow_up_of = Set(Some(1));
    am.update(&t.db).await.expect("follow-up set");
    let user = |email: &'static str| async move {
        let u = staff_user::Entity::find()
            .filter(staff_user::Column::Email.eq(email))
            .one(&t.db)
            .await
            .expect("read")
            .expect("demo user");
        db::accounts::principal(&u).expect("principal")
    };
    let manager = user("chef.kristinehamn@demo.polisen.se").await;
    let partner = user("socialtjansten@demo.kristinehamn.se").await;
    let officer = user("kommunpolis.kristinehamn@demo.polisen.se").await;
    let id = promise::Entity::find()
        .one(&t.db)
        .await
        .expect("read")
        .expect("demo promise")
        .id;
    Demo {
        id,
        lpo: manager.scope_unit_id.expect("lpo"),
        manager,
        partner,
        officer,
    }
}

/// Everything public about the promise, as JSON: the public read model (the page and the
/// Atom feed are rendered from it alone: text, status, sign-offs, percentages, "du sa – vi
/// gjorde" counts, updates, before/after, earlier promises), the staff list's rows without
/// their revision marker, the promise's percent and the overdue list.
async fn public_state(t: &common::TestDb, id: i64, now: chrono::DateTime<Utc>) -> String {
    let mut p = db::promise::public(&t.db, "kristinehamn", now)
        .await
        .expect("read")
        .expect("public");
    p.revising = false;
    let rows: Vec<_> = db::promise::staff_list(&t.db, None)
        .await
        .expect("list")
        .into_iter()
        .map(|r| (r.id, r.title, r.status, r.version, r.percent))
        .collect();
    let pct = db::promise::percent(&t.db, id).await.expect("percent");
    let overdue = db::promise::overdue(&t.db, None, now)
        .await
        .expect("overdue");
    serde_json::to_string(&(p, rows, pct, overdue)).expect("json")
}

db::backend_test! {
    /// Signed means signed: a draft revision that drops a commitment, reweights and relinks the
    /// other, adds a commitment and plans an activity changes nothing public, byte for byte;
    /// progress logged meanwhile on the version in force shows at once, overdue activities stay
    /// listed; once every signatory has signed, the revision shows with the activities and the
    /// progress carried over by commitment.
    async fn a_draft_revision_changes_nothing_public_until_it_is_signed(t: TestDb) {
        let l = t.label;
        let now = Utc::now();
        let d = demo(&t, now).await;
        let before = public_state(&t, d.id, now).await;
        let shown = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(shown.follow_up.is_some(), "{l}: before/after is shown");
        assert!(!shown.revising, "{l}");
        assert_eq!(shown.status, Status::Active, "{l}");
        assert!(
            !db::promise::overdue(&t.db, None, now)
                .await
                .expect("overdue")
                .is_empty(),
            "{l}: the demo has an overdue activity"
        );
        let v1 = db::promise::version_text(&t.db, d.id, 1)
            .await
            .expect("read")
            .expect("v1");
        let (kept, dropped) = (
            v1.commitments[0].id.expect("id"),
            v1.commitments[1].id.expect("id"),
        );
        let themes = db::themes::lpo_themes(&t.db, d.lpo).await.expect("themes");
        let other_theme = themes
            .iter()
            .map(|t| t.id)
            .find(|t| !v1.commitments.iter().any(|c| c.theme_ids.contains(t)))
            .expect("a theme the promise does not answer");
        let approved: Vec<i64> = db::promise::choices(&t.db, d.lpo)
            .await
            .expect("choices")
            .1
            .iter()
            .map(|n| n.id)
            .collect();
        let other_theme = if approved.contains(&other_theme) {
            other_theme
        } else {
            approved[0]
        };
        let revised = PromiseText {
            title: LocalizedText::new("Reviderat löfte", "Revised promise"),
            body: LocalizedText::new("Ny text", "New text"),
            commitments: vec![
                CommitmentText {
                    id: Some(kept),
                    text: LocalizedText::new("Ändrat åtagande", "Changed commitment"),
                    weight: 5.0,
                    theme_ids: vec![other_theme],
                },
                CommitmentText {
                    id: None,
                    text: LocalizedText::new("Nytt åtagande", "New commitment"),
                    weight: 1.0,
                    theme_ids: vec![other_theme],
                },
            ],
        };
        let v = db::promise::edit(&t.db, &d.officer, d.id, revised.clone(), now)
            .await
            .expect("revision drafted");
        assert_eq!(v, 2, "{l}");
        // Changed again in place, still unsigned.
        assert_eq!(
            db::promise::edit(&t.db, &d.officer, d.id, revised.clone(), now)
                .await
                .expect("changed in place"),
            2,
            "{l}"
        );
        let planned = db::promise::add_activity(
            &t.db,
            &d.officer,
            kept,
            &ActivityInput {
                title: "Planerad i revisionen".to_owned(),
                owner: Owner::PoliceUnit(d.lpo),
                target: 2.0,
                unit: "möten".to_owned(),
                due_on: now.date_naive() - Duration::days(30),
                weight: 1.0,
            },
            now,
        )
        .await
        .expect("activity for the revision");
        let after = public_state(&t, d.id, now).await;
        assert_eq!(before, after, "{l}: a draft revision leaks into public");
        let shown = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert!(shown.revising, "{l}: the revision is announced");
        assert_eq!(shown.status, Status::Active, "{l}: the status in force");
        assert_eq!(shown.version, 1, "{l}");
        let detail = db::promise::staff_detail(&t.db, d.id)
            .await
            .expect("read")
            .expect("detail");
        assert_eq!(
            (detail.version, detail.in_force),
            (2, Some(1)),
            "{l}: staff work on the revision"
        );

        // Follow-up goes on: progress on the version in force shows at once.
        let today = domain::time::stockholm_day(now);
        let walk = shown.commitments[0].activities[0].title.clone();
        let walk_id = detail.commitments[0]
            .activities
            .iter()
            .find(|a| a.title == walk)
            .expect("activity")
            .id;
        db::promise::log_progress(
            &t.db,
            &d.officer,
            walk_id,
            today,
            "Under revisionen",
            1.0,
            now,
        )
        .await
        .expect("progress while a revision is drafted");
        let r = db::promise::log_progress(&t.db, &d.officer, planned, today, "", 1.0, now).await;
        assert!(
            matches!(r, Err(BuilderError::Invalid(_))),
            "{l}: an activity of the unsigned revision: {r:?}"
        );
        let shown = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert_eq!(shown.updates[0].text, "Under revisionen", "{l}");
        assert_ne!(public_state(&t, d.id, now).await, before, "{l}");
        let in_force_pct = db::promise::percent(&t.db, d.id).await.expect("pct");

        // All signatories of the revision: the last signature brings it into force.
        assert_eq!(
            db::promise::sign(&t.db, &d.manager, d.id, now)
                .await
                .expect("signed"),
            Status::Active,
            "{l}"
        );
        let waiting = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert_eq!((waiting.version, waiting.revising), (1, true), "{l}");
        let (status, complete) = db::promise::sign_as(&t.db, &d.partner, d.id, None, now)
            .await
            .expect("signed");
        assert_eq!((status, complete), (Status::Active, true), "{l}");
        let p = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        assert_eq!(
            (p.version, p.revising, p.status),
            (2, false, Status::Active),
            "{l}"
        );
        assert_eq!(p.title.get(domain::Lang::Sv), "Reviderat löfte", "{l}");
        assert_eq!(
            p.commitments.len(),
            2,
            "{l}: the dropped commitment is gone"
        );
        assert_eq!(p.signed.len(), 2, "{l}");
        let c = &p.commitments[0];
        assert!(
            c.activities
                .iter()
                .any(|a| a.title == walk && a.achieved >= 1.0),
            "{l}: activities and their progress carried over by commitment"
        );
        assert!(
            c.activities
                .iter()
                .any(|a| a.title == "Planerad i revisionen"),
            "{l}: the revision's activity shows once signed"
        );
        assert_eq!(c.themes.len(), 1, "{l}: the revision's theme links");
        assert!(
            p.updates.iter().any(|u| u.text == "Under revisionen"),
            "{l}: the history is kept"
        );
        let pct = db::promise::percent(&t.db, d.id).await.expect("pct");
        assert_ne!(
            pct, in_force_pct,
            "{l}: the new weights and commitments count"
        );
        let overdue = db::promise::overdue(&t.db, None, now)
            .await
            .expect("overdue");
        let dropped_titles: Vec<String> = db::promise::staff_detail(&t.db, d.id)
            .await
            .expect("read")
            .expect("detail")
            .commitments
            .iter()
            .flat_map(|c| c.activities.iter().map(|a| a.title.clone()))
            .collect();
        assert!(
            overdue.iter().all(|o| dropped_titles.contains(&o.title)),
            "{l}: the dropped commitment ({dropped}) is no longer followed up: {overdue:?}"
        );
        assert!(
            overdue.iter().any(|o| o.title == "Planerad i revisionen"),
            "{l}: the revision's overdue activity is listed once in force"
        );
    }
}

db::backend_test! {
    /// Any number of signatories: the police, the municipality and the board chair (three), or
    /// also the municipal director (four). The promise is agreed, and public, only with the last
    /// signature; each signature records name, role and date; nobody signs as a role they do
    /// not hold, nor twice as two roles.
    async fn three_and_four_signatories_agree_only_with_the_last(t: TestDb) {
        use domain::promise::Signer;
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        let period = (now.date_naive(), now.date_naive() + Duration::days(365));
        let lpo = unit_id(&t.db, "lpo-kristinehamn").await;
        let kh = unit_id(&t.db, "kristinehamn").await;
        let torsby = unit_id(&t.db, "torsby").await;
        let manager = who(Role::LpoManager, lpo, None);
        db::compilation::approve(&t.db, &manager, 1, now)
            .await
            .expect("compilation approved");
        let officer = who(Role::Officer, lpo, None);
        let drugs = db::themes::lpo_themes(&t.db, lpo).await.expect("themes")[1].id;
        let partners: Vec<Principal> = (0..3)
            .map(|i| {
                let mut p = person(100 + i, Role::MunicipalPartner, kh, None);
                p.name = format!("Partner {i}");
                p
            })
            .collect();
        let bad = db::promise::create_with(
            &t.db,
            &officer,
            lpo,
            &[kh],
            period,
            text("Löfte", vec![drugs], None),
            &[Signer::BoardChair(torsby)],
            now,
        )
        .await;
        assert!(
            matches!(bad, Err(BuilderError::Invalid(_))),
            "{l}: a chair of a municipality the promise does not cover"
        );
        for (n, extra) in [
            (3, vec![Signer::CommunityOfficer]),
            (
                4,
                vec![Signer::MunicipalDirector(kh), Signer::BoardChair(kh)],
            ),
        ] {
            let officer_named = extra.contains(&Signer::CommunityOfficer);
            let id = db::promise::create_with(
                &t.db,
                &officer,
                lpo,
                &[kh],
                period,
                text(&format!("Löfte med {n}"), vec![drugs], None),
                &extra,
                now,
            )
            .await
            .expect("drafted");
            let required = db::promise::signatories(&t.db, id, 1).await.expect("read");
            assert_eq!(required.len(), n, "{l}: {required:?}");
            assert_eq!(
                &required[..2],
                &[Signer::Police, Signer::Municipality(kh)],
                "{l}"
            );
            // The officer is not named, a partner is not the police, and a partner of
            // another municipality signs nothing here.
            if !officer_named {
                let r = db::promise::sign(&t.db, &officer, id, now).await;
                assert!(matches!(r, Err(BuilderError::Invalid(_))), "{l}: {r:?}");
            }
            let r = db::promise::sign_as(&t.db, &partners[0], id, Some(Signer::Police), now).await;
            assert!(matches!(r, Err(BuilderError::Invalid(_))), "{l}: {r:?}");
            let r = db::promise::sign(
                &t.db,
                &person(200, Role::MunicipalPartner, torsby, None),
                id,
                now,
            )
            .await;
            assert!(matches!(r, Err(BuilderError::Forbidden)), "{l}: {r:?}");
            // The officer (when named) signs first, the manager in the middle.
            let mut signers = Vec::new();
            if officer_named {
                signers.push(officer.clone());
            }
            signers.push(partners[0].clone());
            signers.push(manager.clone());
            signers.extend(partners.iter().skip(1).take(n - signers.len()).cloned());
            for (i, p) in signers.iter().enumerate() {
                let last = i + 1 == n;
                let (status, complete) = db::promise::sign_as(&t.db, p, id, None, now)
                    .await
                    .expect("signed");
                assert_eq!(complete, last, "{l}: signature {i} of {n}");
                assert_eq!(
                    status,
                    if last { Status::Agreed } else { Status::Draft },
                    "{l}"
                );
                if !last {
                    let again = db::promise::sign(&t.db, p, id, now).await;
                    assert!(
                        matches!(again, Err(BuilderError::Invalid(_))),
                        "{l}: one person signs once: {again:?}"
                    );
                    let shown = db::promise::public(&t.db, "kristinehamn", now)
                        .await
                        .expect("read");
                    assert!(
                        shown.is_none_or(|s| s.id != id),
                        "{l}: not public before the last signature"
                    );
                }
            }
            let shown = db::promise::public(&t.db, "kristinehamn", now)
                .await
                .expect("read")
                .expect("public");
            assert_eq!(shown.id, id, "{l}");
            assert_eq!(shown.signed.len(), n, "{l}");
            let mut roles: Vec<Signer> = shown.signed.iter().map(|s| s.signer).collect();
            roles.sort_by_key(|s| s.code());
            let mut want = required.clone();
            want.sort_by_key(|s| s.code());
            assert_eq!(roles, want, "{l}: each signature records its role");
            assert!(
                shown
                    .signed
                    .iter()
                    .all(|s| !s.name.is_empty() && s.on == domain::time::stockholm_day(now)),
                "{l}: name and date"
            );
            // Closed, so the next promise is the municipality's current one.
            for to in [Status::Active, Status::FollowedUp, Status::Closed] {
                db::promise::advance(&t.db, &officer, id, to, now)
                    .await
                    .expect("advanced");
            }
        }
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

db::backend_test! {
    /// Corrections, never silent edits: a correcting entry with a reason changes the public figure
    /// and the roll-up, both entries stay in the public history (which the feed is built from),
    /// a correction can be corrected again (the latest counts) but a replaced entry cannot, and
    /// every refusal stores nothing.
    async fn a_correction_changes_the_public_figure_and_keeps_both_entries(t: TestDb) {
        const LANGNING: &str = "Riktade insatser mot langning";
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

db::backend_test! {
    /// Activity weights and status: a weight set on the activity changes the roll-up as set; a
    /// cancelled activity (only with a reason) leaves the roll-up, shows its reason on the staff
    /// and public pages, takes no more progress and is not overdue; every change is audited.
    async fn a_cancelled_activity_leaves_the_roll_up_and_weights_count(t: TestDb) {
        use domain::progress::ActivityStatus;
        const WALKS: &str = "Trygghetsvandringar vid skolorna";
        const LANGNING: &str = "Riktade insatser mot langning";
        const MEETINGS: &str = "Möten med fastighetsägare om belysning";
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
