//! Editing an account, on SQLite and PostgreSQL: what changes is audited with its old and new
//! value, a refused edit writes nothing, a save made from an older version is a conflict, an
//! admin cannot change their own role, and a role or scope change ends the account's sessions.

mod common;

use chrono::{Duration, Utc};
use db::accounts::{AccountError, AccountFields, account, edit_user};
use db::entity::{audit_log, org_unit, staff_user};
use db::testing::TestDb;
use domain::{Principal, Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

async fn by_email(t: &TestDb, email: &str) -> staff_user::Model {
    common::staff(&t.db, email).await
}

async fn admin(t: &TestDb) -> Principal {
    let u = by_email(t, "admin@demo.polisen.se").await;
    db::accounts::principal(&u).expect("principal")
}

async fn audits(t: &TestDb, id: i64) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("staff_user"))
        .filter(audit_log::Column::EntityId.eq(id.to_string()))
        .filter(audit_log::Column::Action.eq("update"))
        .order_by_asc(audit_log::Column::Id)
        .all(&t.db)
        .await
        .expect("audit")
}

/// What a refused edit must be.
type Expect = fn(&AccountError) -> bool;

async fn seeded(t: TestDb) -> (TestDb, Principal, staff_user::Model) {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    let a = admin(&t).await;
    let officer = by_email(&t, "kommunpolis.kristinehamn@demo.polisen.se").await;
    (t, a, officer)
}

db::backend_test! {
    /// A typo in the name is fixed: the audit entry holds the old and new name and nothing
    /// else; the version goes up; the sessions keep working (the name is not the scope).
    async fn an_edit_is_saved_and_audited_with_old_and_new(t: TestDb) {
        let (t, a, officer) = seeded(t).await;
        let mut edit = account(&t.db, officer.id).await.expect("query").expect("account");
        edit.name = "Kommunpolis Kristinehamn (rättat)".to_owned();
        let login_at = Utc::now().timestamp() - 60;
        edit_user(&t.db, &a, officer.id, edit.clone(), Utc::now()).await.expect("saved");
        let now = account(&t.db, officer.id).await.expect("query").expect("account");
        assert_eq!(now.name, edit.name, "{}", t.label);
        assert_eq!(now.version, edit.version + 1, "{}", t.label);
        let log = audits(&t, officer.id).await;
        assert_eq!(log.len(), 1, "{}", t.label);
        let detail: serde_json::Value = serde_json::from_str(&log[0].detail).expect("json");
        assert_eq!(detail["name"]["old"], officer.name.as_str(), "{}", t.label);
        assert_eq!(detail["name"]["new"], edit.name.as_str(), "{}", t.label);
        assert_eq!(detail.as_object().map(|o| o.len()), Some(1), "{}: only what changed", t.label);
        assert!(
            db::accounts::active_principal(&t.db, officer.id, login_at).await.expect("q").is_some(),
            "{}: a name change keeps the sessions",
            t.label
        );
        // Saving the same values again changes nothing and logs nothing.
        edit_user(&t.db, &a, officer.id, now.clone(), Utc::now()).await.expect("no-op");
        assert_eq!(audits(&t, officer.id).await.len(), 1, "{}", t.label);
    }
}

db::backend_test! {
    /// A role and scope change ends the sessions begun before it; a new sign-in works.
    async fn a_scope_change_ends_the_accounts_sessions(t: TestDb) {
        let (t, a, officer) = seeded(t).await;
        let torsby = org_unit::Entity::find()
            .filter(org_unit::Column::Kind.eq("lpo"))
            .filter(org_unit::Column::Id.ne(officer.scope_unit_id.unwrap_or_default()))
            .one(&t.db)
            .await
            .expect("query")
            .expect("another LPO");
        let mut edit = account(&t.db, officer.id).await.expect("query").expect("account");
        edit.scope_unit_id = Some(torsby.id);
        let before = Utc::now() - Duration::minutes(5);
        let at = Utc::now();
        edit_user(&t.db, &a, officer.id, edit, at).await.expect("saved");
        assert!(
            db::accounts::active_principal(&t.db, officer.id, before.timestamp()).await.expect("q").is_none(),
            "{}: the old session ends",
            t.label
        );
        let fresh = db::accounts::active_principal(&t.db, officer.id, at.timestamp() + 1)
            .await
            .expect("q")
            .expect("a new session works");
        assert_eq!(fresh.scope_unit_id, Some(torsby.id), "{}", t.label);
        let log = audits(&t, officer.id).await;
        let detail: serde_json::Value = serde_json::from_str(&log[0].detail).expect("json");
        assert_eq!(detail["scope"]["new"], torsby.id.to_string(), "{}", t.label);
    }
}

db::backend_test! {
    /// Bad input, a taken e-mail, a scope that does not fit the role and one's own role are
    /// refused, and none of them writes anything.
    async fn a_refused_edit_writes_nothing(t: TestDb) {
        let (t, a, officer) = seeded(t).await;
        let base = account(&t.db, officer.id).await.expect("query").expect("account");
        let audit_before = audit_log::Entity::find().count(&t.db).await.expect("count");
        let cases: Vec<(AccountFields, Expect)> = vec![
            (AccountFields { name: "  ".into(), ..base.clone() }, |e| matches!(e, AccountError::MissingName)),
            (AccountFields { email: "no-at-sign".into(), ..base.clone() }, |e| matches!(e, AccountError::BadEmail)),
            (AccountFields { email: "ADMIN@demo.polisen.se".into(), ..base.clone() }, |e| matches!(e, AccountError::DuplicateEmail)),
            (AccountFields { role: Role::Admin, ..base.clone() }, |e| matches!(e, AccountError::BadScope)),
            (AccountFields { scope_unit_id: Some(999_999), ..base.clone() }, |e| matches!(e, AccountError::BadScope)),
        ];
        for (edit, want) in cases {
            let e = edit_user(&t.db, &a, officer.id, edit.clone(), Utc::now())
                .await
                .expect_err("refused");
            assert!(want(&e), "{}: {edit:?} gave {e:?}", t.label);
        }
        let own = account(&t.db, a.user_id).await.expect("query").expect("admin");
        let e = edit_user(&t.db, &a, a.user_id, AccountFields { role: Role::LpoManager, scope_unit_id: officer.scope_unit_id, ..own }, Utc::now())
            .await
            .expect_err("own role");
        assert!(matches!(e, AccountError::OwnRole), "{}: {e:?}", t.label);
        assert_eq!(account(&t.db, officer.id).await.expect("q"), Some(base), "{}", t.label);
        assert_eq!(audit_log::Entity::find().count(&t.db).await.expect("count"), audit_before, "{}", t.label);
    }
}

db::backend_test! {
    /// Two admins open the same account; the second save gets the first one's values back as
    /// a conflict and overwrites nothing. Saving again from the stored version works.
    async fn the_second_of_two_edits_is_a_conflict(t: TestDb) {
        let (t, a, officer) = seeded(t).await;
        let opened = account(&t.db, officer.id).await.expect("query").expect("account");
        let first = AccountFields { name: "Först".into(), ..opened.clone() };
        let second = AccountFields { name: "Sist".into(), ..opened.clone() };
        edit_user(&t.db, &a, officer.id, first, Utc::now()).await.expect("first saves");
        let e = edit_user(&t.db, &a, officer.id, second.clone(), Utc::now())
            .await
            .expect_err("second conflicts");
        let AccountError::Conflict(stored) = e else {
            panic!("{}: want a conflict, got {e:?}", t.label);
        };
        assert_eq!(stored.name, "Först", "{}: the stored version is shown", t.label);
        assert_eq!(account(&t.db, officer.id).await.expect("q").map(|f| f.name), Some("Först".into()), "{}", t.label);
        let again = AccountFields { version: stored.version, ..second };
        edit_user(&t.db, &a, officer.id, again, Utc::now()).await.expect("saved over, on purpose");
        assert_eq!(account(&t.db, officer.id).await.expect("q").map(|f| f.name), Some("Sist".into()), "{}", t.label);
    }
}
