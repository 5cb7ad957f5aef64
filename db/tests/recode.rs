//! Recoding and the theme list's rules of change, on SQLite and PostgreSQL (issue #16): the
//! answers queue pages and filters in the database; coded answers are recoded; themes are
//! retired, restored, merged or (without history) deleted; the draft compilation follows and
//! approved versions never change. A refused change writes nothing.

mod free_text;

use chrono::Utc;
use db::builder::BuilderError;
use db::entity::{audit_log, theme};
use db::testing::TestDb;
use domain::Role;
use domain::themes::{QUEUE_PAGE, QueueFilter, ThemeChange};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn answer(db: &db::Db, text: &str) {
    free_text::answer_with(db, "kh-invanare", text, "4").await
}

fn view(coded: bool, theme: Option<i64>, text: &str, page: u64) -> QueueFilter {
    QueueFilter {
        coded,
        theme,
        text: text.to_owned(),
        page,
    }
}

async fn audited(db: &db::Db, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::Entity.eq("theme"))
        .count(db)
        .await
        .expect("count")
}

db::backend_test! {
    async fn the_answers_queue_pages_and_filters_in_the_database(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        for i in 0..QUEUE_PAGE + 5 {
            let text = if i % 5 == 0 { "Bussen är alltid sen" } else { "Mörkt i parken" };
            answer(&t.db, text).await;
        }
        let total = QUEUE_PAGE + 5;
        let first = db::themes::coding(&t.db, &officer, 1, &view(false, None, "", 1))
            .await
            .expect("page 1");
        let second = db::themes::coding(&t.db, &officer, 1, &view(false, None, "", 2))
            .await
            .expect("page 2");
        assert_eq!(first.matching, total, "{l}");
        assert_eq!(first.queue.len() as u64, QUEUE_PAGE, "{l}");
        assert_eq!(second.queue.len(), 5, "{l}");
        let mut seen: Vec<i64> = first.queue.iter().chain(&second.queue).map(|i| i.answer_id).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len() as u64, total, "{l}: every answer once across the pages");
        // Text search, any case; `%` is taken literally.
        let bus = db::themes::coding(&t.db, &officer, 1, &view(false, None, "BUSSEN", 1))
            .await
            .expect("search");
        assert_eq!(bus.matching, 5, "{l}");
        assert!(bus.queue.iter().all(|i| i.text.contains("Bussen")), "{l}");
        let literal = db::themes::coding(&t.db, &officer, 1, &view(false, None, "%", 1))
            .await
            .expect("search");
        assert_eq!(literal.matching, 0, "{l}");
        // Coding moves an answer from one view to the other, with the themes chosen.
        let places = first.themes.iter().find(|x| x.code == "otrygga_platser").expect("theme").id;
        let coded_id = first.queue[1].answer_id;
        db::themes::code_answer(&t.db, &officer, 1, coded_id, &[places], Utc::now())
            .await
            .expect("coded");
        let todo = db::themes::coding(&t.db, &officer, 1, &view(false, None, "", 1))
            .await
            .expect("todo");
        assert_eq!(todo.matching, total - 1, "{l}");
        assert_eq!(todo.remaining, total - 1, "{l}");
        let done = db::themes::coding(&t.db, &officer, 1, &view(true, Some(places), "", 1))
            .await
            .expect("coded view");
        assert_eq!(done.matching, 1, "{l}");
        assert_eq!(done.queue[0].answer_id, coded_id, "{l}");
        assert_eq!(done.queue[0].chosen, Some(vec![places]), "{l}");
        // A page past the end is empty, and says how many there are.
        let past = db::themes::coding(&t.db, &officer, 1, &view(false, None, "", 9))
            .await
            .expect("past the end");
        assert!(past.queue.is_empty() && past.matching == total - 1, "{l}");
    }
}

db::backend_test! {
    async fn recoding_and_merging_themes_move_the_draft_and_never_an_approved_version(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        let manager = free_text::who(Role::LpoManager, lpo);
        for _ in 0..6 {
            answer(&t.db, "Knarket vid skolan").await;
        }
        for _ in 0..5 {
            answer(&t.db, "Inget särskilt").await;
        }
        let c = db::themes::coding(&t.db, &officer, 1, &QueueFilter::default())
            .await
            .expect("coding");
        let id = |code: &str| c.themes.iter().find(|x| x.code == code).expect("theme").id;
        let (drugs, places, traffic) = (id("narkotika"), id("otrygga_platser"), id("trafik"));
        let drug_answers: Vec<i64> = c
            .queue
            .iter()
            .filter(|i| i.text.starts_with("Knarket"))
            .map(|i| i.answer_id)
            .collect();
        for a in &drug_answers {
            db::themes::code_answer(&t.db, &officer, 1, *a, &[drugs], Utc::now())
                .await
                .expect("coded");
        }
        let overall = |d: &domain::compilation::Compilation, theme: i64| {
            d.themes.iter().find(|x| x.theme_id == theme).and_then(|x| x.overall)
        };
        let draft = db::compilation::draft(&t.db, 1, Utc::now()).await.expect("draft").expect("exists");
        assert_eq!(overall(&draft, drugs), Some(6), "{l}");
        db::compilation::approve(&t.db, &manager, 1, Utc::now()).await.expect("approved");
        let frozen = serde_json::to_string(&db::compilation::approved(&t.db, 1).await.expect("v")[0])
            .expect("json");

        // Recoding one answer from drugs to traffic: drugs falls to 5 in the draft.
        db::themes::code_answer(&t.db, &officer, 1, drug_answers[0], &[traffic], Utc::now())
            .await
            .expect("recoded");
        let draft = db::compilation::draft(&t.db, 1, Utc::now()).await.expect("draft").expect("exists");
        assert_eq!(overall(&draft, drugs), Some(5), "{l}");

        // Merging drugs into places: the draft counts follow, drugs is retired and named
        // as merged, and the approved version is as it was.
        db::themes::change_theme(&t.db, &officer, 1, drugs, ThemeChange::MergeInto(places), Utc::now())
            .await
            .expect("merged");
        let draft = db::compilation::draft(&t.db, 1, Utc::now()).await.expect("draft").expect("exists");
        assert_eq!(overall(&draft, places), Some(5), "{l}");
        assert!(draft.themes.iter().all(|x| x.theme_id != drugs), "{l}: a retired theme is out");
        let c = db::themes::coding(&t.db, &officer, 1, &QueueFilter::default())
            .await
            .expect("coding");
        assert!(c.themes.iter().all(|x| x.id != drugs), "{l}");
        assert!(c.retired.iter().any(|(x, into)| x.id == drugs && *into == Some(places)), "{l}");
        assert_eq!(
            serde_json::to_string(&db::compilation::approved(&t.db, 1).await.expect("v")[0])
                .expect("json"),
            frozen,
            "{l}: the approved version never changes"
        );
        assert_eq!(audited(&t.db, "merge").await, 1, "{l}");

        // The rules of change, refused and writing nothing: a theme with history is not
        // deleted; merging into a retired theme or into itself is refused.
        let refused = db::themes::change_theme(&t.db, &officer, 1, places, ThemeChange::Delete, Utc::now()).await;
        assert!(matches!(refused, Err(BuilderError::Invalid(ref e)) if e[0].1 == "themes.has_history"), "{l}: {refused:?}");
        let refused = db::themes::change_theme(&t.db, &officer, 1, places, ThemeChange::MergeInto(drugs), Utc::now()).await;
        assert!(matches!(refused, Err(BuilderError::Invalid(ref e)) if e[0].1 == "themes.merge_retired"), "{l}");
        let refused = db::themes::change_theme(&t.db, &officer, 1, places, ThemeChange::MergeInto(places), Utc::now()).await;
        assert!(matches!(refused, Err(BuilderError::Invalid(ref e)) if e[0].1 == "themes.merge_self"), "{l}");
        assert!(theme::Entity::find_by_id(places).one(&t.db).await.expect("read").is_some(), "{l}");
        assert_eq!(audited(&t.db, "delete").await, 0, "{l}");

        // Restoring drugs brings it back, empty (its answers moved); retiring takes it out.
        db::themes::change_theme(&t.db, &officer, 1, drugs, ThemeChange::Restore, Utc::now())
            .await
            .expect("restored");
        let c = db::themes::coding(&t.db, &officer, 1, &QueueFilter::default()).await.expect("coding");
        assert!(c.themes.iter().any(|x| x.id == drugs) && c.retired.is_empty(), "{l}");
        db::themes::change_theme(&t.db, &officer, 1, traffic, ThemeChange::Retire, Utc::now())
            .await
            .expect("retired");
        let refused = db::themes::change_theme(&t.db, &officer, 1, traffic, ThemeChange::Retire, Utc::now()).await;
        assert!(matches!(refused, Err(BuilderError::Invalid(_))), "{l}");
        let draft = db::compilation::draft(&t.db, 1, Utc::now()).await.expect("draft").expect("exists");
        assert!(draft.themes.iter().all(|x| x.theme_id != traffic), "{l}");
        assert_eq!((audited(&t.db, "restore").await, audited(&t.db, "retire").await), (1, 1), "{l}");
    }
}

db::backend_test! {
    async fn a_theme_without_history_is_deleted_and_scope_is_kept(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = free_text::who(Role::Officer, lpo);
        let id = db::themes::save_theme(
            &t.db,
            &officer,
            1,
            db::themes::ThemeInput { id: None, name_sv: "Nedskräpning", name_en: "", keywords: "skräp" },
            Utc::now(),
        )
        .await
        .expect("created");
        // Renaming records the old and new value.
        db::themes::save_theme(
            &t.db,
            &officer,
            1,
            db::themes::ThemeInput { id: Some(id), name_sv: "Skräp", name_en: "", keywords: "skräp" },
            Utc::now(),
        )
        .await
        .expect("renamed");
        let edit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("edit"))
            .filter(audit_log::Column::Entity.eq("theme"))
            .one(&t.db)
            .await
            .expect("read")
            .expect("audited");
        assert!(edit.detail.contains("Nedskräpning") && edit.detail.contains("Skräp"), "{l}: {}", edit.detail);
        assert!(!edit.detail.contains("keywords"), "{l}: unchanged fields are not listed");
        // Another LPO's officer may not touch it; another LPO's theme is not found here.
        let stranger = free_text::who(Role::Officer, lpo + 1000);
        let res = db::themes::change_theme(&t.db, &stranger, 1, id, ThemeChange::Delete, Utc::now()).await;
        assert!(matches!(res, Err(BuilderError::Forbidden)), "{l}");
        let other = db::themes::lpo_themes(&t.db, lpo + 1000).await.expect("themes")[0].id;
        let res = db::themes::change_theme(&t.db, &officer, 1, other, ThemeChange::Retire, Utc::now()).await;
        assert!(matches!(res, Err(BuilderError::NotFound)), "{l}");
        // Without history it is deleted for good.
        db::themes::change_theme(&t.db, &officer, 1, id, ThemeChange::Delete, Utc::now())
            .await
            .expect("deleted");
        assert!(theme::Entity::find_by_id(id).one(&t.db).await.expect("read").is_none(), "{l}");
        assert_eq!(audited(&t.db, "delete").await, 1, "{l}");
    }
}
