//! A dialogue after creation, on SQLite and PostgreSQL (issue #16): its settings are edited
//! under the rule of change (row by row: upcoming, open, closed), audited with old and new
//! values, against the version the form came from; it is closed early, archived, restored and
//! (without history only) deleted; the list pages and searches in the database. A bank item
//! in use is retired (no longer offered), never deleted; so is an organisation unit with
//! history, which is renamed or moved instead. A refused change writes nothing.

mod free_text;

use chrono::{DateTime, Duration, Utc};
use db::builder::{self, BuilderError};
use db::entity::{audit_log, dialogue, dialogue_group, question};
use db::testing::TestDb;
use domain::builder::{DialogueInput, GroupInput};
use domain::dialogue::{Change, DialogueQuery, Phase, SettingsInput};
use domain::{Principal, Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn day(t: DateTime<Utc>, offset: i64) -> String {
    db::dialogue::first_day(t + Duration::days(offset))
}

/// A new dialogue in the demo's LPO, opening in 2 days and closing in 30, with two groups
/// and the bank's first question.
async fn upcoming(db: &db::Db, p: &Principal, title: &str, now: DateTime<Utc>) -> i64 {
    let groups = builder::target_groups(db).await.expect("groups");
    let municipality = db::org::by_code(db, "kristinehamn")
        .await
        .expect("query")
        .expect("municipality")
        .id;
    let bank = db::bank::list(db).await.expect("bank");
    builder::create_dialogue(
        db,
        p,
        &DialogueInput {
            title_sv: title.into(),
            title_en: format!("{title} (en)"),
            intro_sv: "Berätta vad du tycker.".into(),
            intro_en: "Tell us what you think.".into(),
            opens_on: day(now, 2),
            closes_on: day(now, 30),
            municipalities: vec![municipality.to_string()],
            groups: [0, 1]
                .iter()
                .map(|i| GroupInput {
                    target_group_id: groups[*i].id.to_string(),
                    target: "100".into(),
                    invite_code: String::new(),
                })
                .collect(),
            bank_items: vec![bank[0].id.to_string()],
            follow_up_of: String::new(),
        },
        now,
    )
    .await
    .expect("created")
}

/// The settings form as the page fills it from what is stored.
async fn form_of(db: &db::Db, p: &Principal, id: i64, now: DateTime<Utc>) -> (SettingsInput, i32) {
    let d = builder::load(db, p, id, now).await.expect("load");
    let stored = dialogue::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("query")
        .expect("row");
    (
        SettingsInput {
            title_sv: d.title.get(domain::Lang::Sv).to_owned(),
            title_en: d.title.get(domain::Lang::En).to_owned(),
            intro_sv: d.intro.get(domain::Lang::Sv).to_owned(),
            intro_en: d.intro.get(domain::Lang::En).to_owned(),
            opens_on: db::dialogue::first_day(stored.opens_at),
            closes_on: db::dialogue::last_day(stored.closes_at),
            targets: d
                .groups
                .iter()
                .map(|g| (g.id, g.target_count.to_string()))
                .collect(),
        },
        d.version,
    )
}

async fn row(db: &db::Db, id: i64) -> dialogue::Model {
    dialogue::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("query")
        .expect("row")
}

async fn audits(db: &db::Db) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq("dialogue"))
        .count(db)
        .await
        .expect("count")
}

fn keys(e: BuilderError) -> Vec<(String, String)> {
    match e {
        BuilderError::Invalid(errors) => errors,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

db::backend_test! {
    async fn settings_change_by_the_rule_row_by_row(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        let now = Utc::now();
        let id = upcoming(&t.db, &officer, "Trygghetsdialgo", now).await;

        // Upcoming: a typo, both days and a target change; audited with old and new values.
        let (mut f, version) = form_of(&t.db, &officer, id, now).await;
        assert_eq!(version, 1, "{l}");
        f.title_sv = "Trygghetsdialog".into();
        f.opens_on = day(now, 3);
        f.closes_on = day(now, 40);
        let group = f.targets[1].0;
        f.targets[1].1 = "250".into();
        db::dialogue::save_settings(&t.db, &officer, id, &f, version, now).await.expect("saved");
        let d = row(&t.db, id).await;
        assert_eq!(d.version, 2, "{l}");
        assert!(d.title.contains("Trygghetsdialog\""), "{l}");
        assert_eq!(db::dialogue::first_day(d.opens_at), day(now, 3), "{l}");
        assert_eq!(db::dialogue::last_day(d.closes_at), day(now, 40), "{l}");
        let g = dialogue_group::Entity::find_by_id(group).one(&t.db).await.expect("q").expect("g");
        assert_eq!(g.target_count, 250, "{l}");
        let entry = audit_log::Entity::find()
            .filter(audit_log::Column::Entity.eq("dialogue"))
            .filter(audit_log::Column::Action.eq("update"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("audited");
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).expect("json");
        assert_eq!(detail["title_sv"]["old"], "Trygghetsdialgo", "{l}");
        assert_eq!(detail["title_sv"]["new"], "Trygghetsdialog", "{l}");
        let target = detail
            .as_object()
            .expect("object")
            .iter()
            .find(|(k, _)| k.starts_with("target."))
            .expect("the target's change")
            .1;
        assert_eq!((target["old"].as_str(), target["new"].as_str()), (Some("100"), Some("250")), "{l}");
        assert!(detail.get("title_en").is_none(), "{l}: unchanged fields are not listed");

        // A save from the old version is a conflict and writes nothing.
        let before = audits(&t.db).await;
        f.title_sv = "Överskrivet".into();
        assert!(matches!(
            db::dialogue::save_settings(&t.db, &officer, id, &f, version, now).await,
            Err(BuilderError::Conflict)
        ), "{l}");
        // Bad input is refused field by field and writes nothing.
        let mut bad = form_of(&t.db, &officer, id, now).await.0;
        bad.title_sv = "  ".into();
        bad.targets[0].1 = "0".into();
        bad.closes_on = "31 juni".into();
        let errors = keys(db::dialogue::save_settings(&t.db, &officer, id, &bad, 2, now).await.expect_err("bad"));
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert!(fields.contains(&"title_sv") && fields.contains(&"closes_on"), "{l}: {fields:?}");
        assert!(fields.contains(&format!("target_{}", bad.targets[0].0).as_str()), "{l}");
        assert_eq!(audits(&t.db).await, before, "{l}");
        assert!(row(&t.db, id).await.title.contains("Trygghetsdialog\""), "{l}");

        // Open (five days on): the first day is fixed; the last moves, not into the past.
        let open = now + Duration::days(5);
        let (mut f, version) = form_of(&t.db, &officer, id, open).await;
        assert_eq!(builder::load(&t.db, &officer, id, open).await.expect("load").phase, Phase::Open);
        f.opens_on = day(now, 1);
        let errors = keys(db::dialogue::save_settings(&t.db, &officer, id, &f, version, open).await.expect_err("fixed"));
        assert_eq!(errors, vec![("opens_on".to_owned(), "dialogue.opens_fixed".to_owned())], "{l}");
        f.opens_on = day(now, 3);
        f.closes_on = day(now, 4);
        let errors = keys(db::dialogue::save_settings(&t.db, &officer, id, &f, version, open).await.expect_err("past"));
        assert_eq!(errors, vec![("closes_on".to_owned(), "builder.closes_in_past".to_owned())], "{l}");
        f.closes_on = day(now, 60);
        db::dialogue::save_settings(&t.db, &officer, id, &f, version, open).await.expect("extended");
        assert_eq!(db::dialogue::last_day(row(&t.db, id).await.closes_at), day(now, 60), "{l}");

        // Closed (after the last day): the period is fixed; the wording still may change.
        let closed = now + Duration::days(70);
        let (mut f, version) = form_of(&t.db, &officer, id, closed).await;
        f.closes_on = day(now, 80);
        let errors = keys(db::dialogue::save_settings(&t.db, &officer, id, &f, version, closed).await.expect_err("closed"));
        assert_eq!(errors, vec![("closes_on".to_owned(), "dialogue.period_closed".to_owned())], "{l}");
        let stored = row(&t.db, id).await;
        f.closes_on = db::dialogue::last_day(stored.closes_at);
        f.intro_en = "Tell us, please.".into();
        db::dialogue::save_settings(&t.db, &officer, id, &f, version, closed).await.expect("wording");
        let after = row(&t.db, id).await;
        assert_eq!((after.opens_at, after.closes_at), (stored.opens_at, stored.closes_at), "{l}");
        assert!(after.intro.contains("Tell us, please."), "{l}");

        // Another LPO's officer may not touch it.
        let other = free_text::who(Role::Officer, lpo + 1_000);
        assert!(matches!(
            db::dialogue::save_settings(&t.db, &other, id, &f, after.version, closed).await,
            Err(BuilderError::Forbidden)
        ), "{l}");
    }
}

db::backend_test! {
    async fn close_early_archive_restore_and_delete_only_without_history(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        let now = Utc::now();
        let change = |id, what, confirmed| db::dialogue::change(&t.db, &officer, id, what, confirmed, now);
        // The demo dialogue is open and has answers.
        free_text::answer_with(&t.db, "kh-invanare", "Mörkt i parken", "4").await;
        let before = audits(&t.db).await;
        let refusal = |e: BuilderError| keys(e).remove(0).1;
        assert_eq!(refusal(change(1, Change::Delete, true).await.expect_err("history")), "dialogue.has_history", "{l}");
        assert_eq!(refusal(change(1, Change::Archive, false).await.expect_err("open")), "dialogue.archive_not_closed", "{l}");
        assert_eq!(refusal(change(1, Change::Restore, false).await.expect_err("not archived")), "dialogue.not_archived", "{l}");
        assert_eq!(refusal(change(1, Change::CloseEarly, false).await.expect_err("unconfirmed")), "dialogue.confirm_needed", "{l}");
        assert_eq!(audits(&t.db).await, before, "{l}: refusals write nothing");
        assert!(row(&t.db, 1).await.closes_at > now, "{l}");

        // Closing early ends the period now; the survey no longer takes answers.
        change(1, Change::CloseEarly, true).await.expect("closed");
        let d = row(&t.db, 1).await;
        assert_eq!(d.closes_at.timestamp(), now.timestamp(), "{l}");
        assert_eq!(db::dialogue::phase(&d, now), Phase::Closed, "{l}");
        assert!(db::stats::open_dialogues(&t.db, now).await.expect("open").iter().all(|o| o.link_code != "kh-invanare"), "{l}");

        // Archived: out of the lists (and the staff home's counts), in the archived view.
        change(1, Change::Archive, false).await.expect("archived");
        let current = DialogueQuery::from_pairs([]);
        let archived = DialogueQuery::from_pairs([("visa", "arkiverade")]);
        let (rows, total) = builder::list_dialogues(&t.db, &officer, &current, now).await.expect("list");
        assert!(rows.iter().all(|r| r.id != 1) && total == rows.len() as u64, "{l}");
        let (rows, _) = builder::list_dialogues(&t.db, &officer, &archived, now).await.expect("list");
        assert!(rows.iter().any(|r| r.id == 1 && r.archived), "{l}");
        assert!(db::stats::dialogue_counts(&t.db).await.expect("counts").iter().all(|c| c.dialogue_id != 1), "{l}");
        assert_eq!(refusal(change(1, Change::Archive, false).await.expect_err("twice")), "dialogue.already_archived", "{l}");
        change(1, Change::Restore, false).await.expect("restored");
        let (rows, _) = builder::list_dialogues(&t.db, &officer, &current, now).await.expect("list");
        assert!(rows.iter().any(|r| r.id == 1 && !r.archived), "{l}");
        // Still with history: never deleted.
        assert_eq!(refusal(change(1, Change::Delete, true).await.expect_err("history")), "dialogue.has_history", "{l}");
        assert!(row(&t.db, 1).await.archived_at.is_none(), "{l}");

        // A new dialogue without answers: not open, so not closed early; deleted when confirmed.
        let id = upcoming(&t.db, &officer, "Felskapad", now).await;
        assert_eq!(refusal(change(id, Change::CloseEarly, true).await.expect_err("upcoming")), "dialogue.not_open", "{l}");
        assert_eq!(refusal(change(id, Change::Delete, false).await.expect_err("unconfirmed")), "dialogue.confirm_needed", "{l}");
        assert!(dialogue::Entity::find_by_id(id).one(&t.db).await.expect("q").is_some(), "{l}");
        let other = free_text::who(Role::Officer, lpo + 1_000);
        assert!(matches!(
            db::dialogue::change(&t.db, &other, id, Change::Delete, true, now).await,
            Err(BuilderError::Forbidden)
        ), "{l}");
        change(id, Change::Delete, true).await.expect("deleted");
        assert!(dialogue::Entity::find_by_id(id).one(&t.db).await.expect("q").is_none(), "{l}");
        let left = dialogue_group::Entity::find().filter(dialogue_group::Column::DialogueId.eq(id)).count(&t.db).await.expect("q")
            + question::Entity::find().filter(question::Column::DialogueId.eq(id)).count(&t.db).await.expect("q");
        assert_eq!(left, 0, "{l}: its groups and questions went with it");
        let trace = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("delete"))
            .filter(audit_log::Column::EntityId.eq(id.to_string()))
            .one(&t.db)
            .await
            .expect("query")
            .expect("the deletion is audited");
        assert_eq!(trace.detail, "Felskapad", "{l}");
        for action in ["close_early", "archive", "restore"] {
            let n = audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq(action))
                .filter(audit_log::Column::Entity.eq("dialogue"))
                .count(&t.db)
                .await
                .expect("count");
            assert_eq!(n, 1, "{l}: {action}");
        }
    }
}

db::backend_test! {
    async fn the_list_pages_and_searches_in_the_database(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        let now = Utc::now();
        let page = domain::dialogue::DIALOGUES_PAGE;
        for i in 0..page + 3 {
            let title = if i % 4 == 0 { format!("Trafikdialog {i}") } else { format!("Parkdialog {i}") };
            upcoming(&t.db, &officer, &title, now).await;
        }
        let q = |pairs: &[(&'static str, &'static str)]| DialogueQuery::from_pairs(pairs.iter().copied());
        let (first, total) = builder::list_dialogues(&t.db, &officer, &q(&[]), now).await.expect("list");
        // The demo's own dialogues are in the list too.
        assert!(total > page + 3, "{l}");
        assert_eq!(first.len() as u64, page, "{l}");
        let (second, _) = builder::list_dialogues(&t.db, &officer, &q(&[("sida", "2")]), now).await.expect("list");
        assert_eq!(second.len() as u64, total - page, "{l}");
        assert!(second.iter().all(|s| first.iter().all(|f| f.id != s.id)), "{l}");
        // Search, any case, in either language's title.
        let (found, n) = builder::list_dialogues(&t.db, &officer, &q(&[("sok", "TRAFIK")]), now).await.expect("list");
        assert_eq!(n, 6, "{l}");
        assert!(found.iter().all(|f| f.title.get(domain::Lang::Sv).starts_with("Trafikdialog")), "{l}");
        let (_, n) = builder::list_dialogues(&t.db, &officer, &q(&[("sok", "(en)")]), now).await.expect("list");
        assert_eq!(n, page + 3, "{l}: the English titles");
        // By phase: the new ones are upcoming, the demo's are not.
        let (_, n) = builder::list_dialogues(&t.db, &officer, &q(&[("visa", "kommande")]), now).await.expect("list");
        assert_eq!(n, page + 3, "{l}");
        let (open, _) = builder::list_dialogues(&t.db, &officer, &q(&[("visa", "oppna")]), now).await.expect("list");
        assert!(open.iter().all(|o| o.opens_at <= now && o.closes_at > now) && !open.is_empty(), "{l}");
        let (_, n) = builder::list_dialogues(&t.db, &officer, &q(&[("sok", "%")]), now).await.expect("list");
        assert_eq!(n, 0, "{l}: % is taken literally");
    }
}

db::backend_test! {
    async fn a_bank_item_in_use_is_retired_never_deleted(t: TestDb) {
        use db::bank::BankError;
        use domain::builder::{BankChange, QuestionInput};
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let admin = free_text::who(Role::Admin, lpo);
        let officer = free_text::who(Role::Officer, lpo);
        let now = Utc::now();
        // The demo dialogue holds a copy of the bank's evening-safety item.
        let (items, in_use) = db::bank::list_all(&t.db).await.expect("bank");
        let used = items.iter().find(|b| b.code == "trygghet-kvall").expect("item").clone();
        assert!(in_use.contains(&used.id), "{l}");
        assert!(items.iter().any(|b| !in_use.contains(&b.id)), "{l}: some are unused");
        let refusal = |e: BankError| match e {
            BankError::Invalid(errors) => errors[0].1.clone(),
            other => panic!("expected Invalid, got {other:?}"),
        };
        let bank_audits = || async {
            audit_log::Entity::find()
                .filter(audit_log::Column::Entity.eq("bank_item"))
                .count(&t.db)
                .await
                .expect("count")
        };
        let before = bank_audits().await;
        assert_eq!(refusal(db::bank::change(&t.db, &admin, used.id, BankChange::Delete, true, now).await.expect_err("in use")), "bank.in_use", "{l}");
        assert_eq!(refusal(db::bank::change(&t.db, &admin, used.id, BankChange::Restore, false, now).await.expect_err("not retired")), "bank.not_retired", "{l}");
        assert!(matches!(
            db::bank::change(&t.db, &officer, used.id, BankChange::Retire, false, now).await,
            Err(BankError::Forbidden)
        ), "{l}");
        assert_eq!(bank_audits().await, before, "{l}: refusals write nothing");

        // Retired: no longer offered to new dialogues; the copies stay.
        db::bank::change(&t.db, &admin, used.id, BankChange::Retire, false, now).await.expect("retired");
        assert!(db::bank::list(&t.db).await.expect("offered").iter().all(|b| b.id != used.id), "{l}");
        let (all, _) = db::bank::list_all(&t.db).await.expect("bank");
        assert!(all.iter().any(|b| b.id == used.id && b.retired), "{l}");
        let copies = db::entity::question_meta::Entity::find()
            .filter(db::entity::question_meta::Column::BankItemId.eq(used.id))
            .count(&t.db)
            .await
            .expect("count");
        assert!(copies > 0, "{l}");
        let id = upcoming(&t.db, &officer, "Ny dialog", now).await;
        let e = builder::add_bank_questions(&t.db, &officer, id, &[used.id.to_string()], now).await.expect_err("retired");
        assert_eq!(keys(e), vec![("bank_items".to_owned(), "form.pick_one".to_owned())], "{l}");
        db::bank::change(&t.db, &admin, used.id, BankChange::Restore, false, now).await.expect("restored");
        assert!(db::bank::list(&t.db).await.expect("offered").iter().any(|b| b.id == used.id), "{l}");

        // A new item no dialogue uses: deleted, once confirmed.
        let new = db::bank::create(&t.db, &admin, &QuestionInput {
            code: "felskriven".into(),
            text_sv: "Felskriven fråga".into(),
            text_en: "Mistyped question".into(),
            kind: "text".into(),
            max_len: "200".into(),
            ..Default::default()
        }, now).await.expect("created");
        assert_eq!(refusal(db::bank::change(&t.db, &admin, new, BankChange::Delete, false, now).await.expect_err("unconfirmed")), "dialogue.confirm_needed", "{l}");
        db::bank::change(&t.db, &admin, new, BankChange::Delete, true, now).await.expect("deleted");
        assert!(db::entity::bank_item::Entity::find_by_id(new).one(&t.db).await.expect("q").is_none(), "{l}");
        for action in ["retire", "restore", "delete"] {
            let n = audit_log::Entity::find()
                .filter(audit_log::Column::Entity.eq("bank_item"))
                .filter(audit_log::Column::Action.eq(action))
                .count(&t.db)
                .await
                .expect("count");
            assert_eq!(n, 1, "{l}: {action}");
        }
    }
}

db::backend_test! {
    async fn an_org_unit_with_history_is_renamed_moved_or_retired_never_deleted(t: TestDb) {
        use db::org::OrgError;
        use domain::OrgChange;
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let now = Utc::now();
        let unit = |code: &'static str| {
            let db = t.db.clone();
            async move { db::org::by_code(&db, code).await.expect("query").expect(code) }
        };
        let change = |id, what, name: &'static str, parent: Option<i64>, confirmed| {
            db::org::change_unit(&t.db, 1, id, what, name, parent, confirmed, now)
        };
        let refusal = |e: OrgError| match e {
            OrgError::Invalid(errors) => errors[0].1.clone(),
            other => panic!("expected Invalid, got {other:?}"),
        };
        let org_audits = || async {
            audit_log::Entity::find()
                .filter(audit_log::Column::Entity.eq("org_unit"))
                .count(&t.db)
                .await
                .expect("count")
        };
        let kh = unit("kristinehamn").await;
        let torsby_lpo = unit("lpo-torsby").await;
        let centrum = unit("kh-centrum").await;
        let before = org_audits().await;
        // History (dialogues, accounts, units under it): never deleted; not retired while
        // units under it are in use; not moved under a kind that cannot hold it or under itself.
        assert_eq!(refusal(change(kh.id, OrgChange::Delete, "", None, true).await.expect_err("history")), "org.has_history", "{l}");
        assert_eq!(refusal(change(kh.id, OrgChange::Retire, "", None, false).await.expect_err("children")), "org.has_active_children", "{l}");
        assert_eq!(refusal(change(kh.id, OrgChange::Move, "", Some(centrum.id), false).await.expect_err("kind")), "org.bad_kind", "{l}");
        let nation = db::org::tree(&t.db).await.expect("tree")[0].1.clone();
        assert_eq!(refusal(change(nation.id, OrgChange::Delete, "", None, true).await.expect_err("root")), "org.root_fixed", "{l}");
        assert_eq!(refusal(change(kh.id, OrgChange::Rename, " ", None, false).await.expect_err("empty")), "form.required", "{l}");
        assert_eq!(org_audits().await, before, "{l}: refusals write nothing");

        // Renamed and moved, audited with old and new values.
        change(kh.id, OrgChange::Rename, "Kristinehamns kommun", None, false).await.expect("renamed");
        assert_eq!(unit("kristinehamn").await.name, "Kristinehamns kommun", "{l}");
        change(kh.id, OrgChange::Move, "", Some(torsby_lpo.id), false).await.expect("moved");
        assert_eq!(unit("kristinehamn").await.parent_id, Some(torsby_lpo.id), "{l}");
        let moved = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("move"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("audited");
        let detail: serde_json::Value = serde_json::from_str(&moved.detail).expect("json");
        assert_eq!((detail["parent"]["old"].as_str(), detail["parent"]["new"].as_str()), (Some("lpo-kristinehamn"), Some("lpo-torsby")), "{l}");
        change(kh.id, OrgChange::Move, "", Some(lpo), false).await.expect("moved back");

        // An area without history: retired (out of the survey's areas), restored, deleted.
        let areas = |db: db::Db| async move {
            let s = db::survey::load_by_link(&db, "kh-invanare").await.expect("query").expect("survey");
            s.questionnaire.areas.into_iter().map(|a| a.code).collect::<Vec<_>>()
        };
        assert!(areas(t.db.clone()).await.contains(&"kh-centrum".to_owned()), "{l}");
        change(centrum.id, OrgChange::Retire, "", None, false).await.expect("retired");
        let survey = db::survey::load_by_link(&t.db, "kh-invanare").await.expect("query").expect("survey");
        assert!(survey.questionnaire.areas.iter().all(|a| a.code != "kh-centrum"), "{l}");
        assert!(!survey.questionnaire.areas.is_empty(), "{l}");
        assert_eq!(refusal(change(centrum.id, OrgChange::Retire, "", None, false).await.expect_err("twice")), "org.already_retired", "{l}");
        change(centrum.id, OrgChange::Restore, "", None, false).await.expect("restored");
        assert_eq!(refusal(change(centrum.id, OrgChange::Delete, "", None, false).await.expect_err("unconfirmed")), "dialogue.confirm_needed", "{l}");
        change(centrum.id, OrgChange::Delete, "", None, true).await.expect("deleted");
        assert!(db::org::by_code(&t.db, "kh-centrum").await.expect("query").is_none(), "{l}");
        assert!(matches!(change(centrum.id, OrgChange::Rename, "X", None, false).await, Err(OrgError::NotFound)), "{l}");
        for action in ["update", "move", "retire", "restore", "delete"] {
            let n = audit_log::Entity::find()
                .filter(audit_log::Column::Entity.eq("org_unit"))
                .filter(audit_log::Column::Action.eq(action))
                .count(&t.db)
                .await
                .expect("count");
            assert!(n >= 1, "{l}: {action}");
        }
    }
}
