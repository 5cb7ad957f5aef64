//! Theme coding on SQLite and PostgreSQL: each LPO gets the standard themes, the queue offers
//! uncoded free text with suggestions, coding records the hit rate and is audited, a theme of
//! another LPO is refused and nothing is half-written.

mod free_text;

use chrono::Utc;
use db::builder::BuilderError;
use db::entity::{answer_theme, audit_log, coded_answer};
use db::testing::TestDb;
use domain::{Principal, Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn officer(lpo: i64) -> Principal {
    free_text::who(Role::Officer, lpo)
}

async fn answer(db: &db::Db, text: &str) {
    free_text::answer_with(db, "kh-invanare", text, "3").await
}

db::backend_test! {
    async fn officers_code_free_text_with_suggestions_and_the_hit_rate_is_counted(t: TestDb) {
        let lpo = free_text::demo_lpo(&t.db).await;
        let p = officer(lpo);
        answer(&t.db, "Knarkförsäljningen vid busstationen").await;
        answer(&t.db, "Polisen svarar aldrig i telefon").await;
        let c = db::themes::coding(&t.db, &p, 1, &Default::default()).await.expect("coding");
        assert_eq!(
            c.themes.len(),
            db::themes::STANDARD_THEMES.len(),
            "{}",
            t.label
        );
        assert_eq!(c.queue.len(), 2, "{}", t.label);
        assert_eq!(c.remaining, 2, "{}", t.label);
        let id_of = |code: &str| c.themes.iter().find(|x| x.code == code).expect("theme").id;
        let drugs = id_of("narkotika");
        let places = id_of("otrygga_platser");
        let first = &c.queue[0];
        assert!(first.suggested.contains(&drugs), "{}", t.label);
        assert!(first.suggested.contains(&places), "{}", t.label);
        assert!(c.queue[1].suggested.is_empty(), "{}", t.label);
        // The officer confirms drugs, rejects the place.
        db::themes::code_answer(&t.db, &p, 1, first.answer_id, &[drugs], Utc::now())
            .await
            .expect("coded");
        let c = db::themes::coding(&t.db, &p, 1, &Default::default()).await.expect("coding");
        assert_eq!((c.coded, c.remaining), (1, 1), "{}", t.label);
        assert_eq!(
            (c.suggestions_accepted, c.suggestions_decided),
            (1, 2),
            "{}: the hit rate",
            t.label
        );
        assert_eq!(
            c.counts.iter().find(|(id, _)| *id == drugs).map(|x| x.1),
            Some(1)
        );
        // A theme of another LPO is refused, nothing written.
        let other = db::themes::lpo_themes(&t.db, lpo + 1000)
            .await
            .expect("themes")[0]
            .id;
        let second = c.queue[0].answer_id;
        let res = db::themes::code_answer(&t.db, &p, 1, second, &[other], Utc::now()).await;
        assert!(matches!(res, Err(BuilderError::Invalid(_))), "{}", t.label);
        assert!(
            coded_answer::Entity::find_by_id(second)
                .one(&t.db)
                .await
                .expect("read")
                .is_none(),
            "{}",
            t.label
        );
        let rows = answer_theme::Entity::find()
            .filter(answer_theme::Column::AnswerId.eq(second))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(rows, 0, "{}", t.label);
        // Another LPO's officer may not code here.
        let res =
            db::themes::code_answer(&t.db, &officer(lpo + 1000), 1, second, &[], Utc::now()).await;
        assert!(matches!(res, Err(BuilderError::Forbidden)), "{}", t.label);
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("code"))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(audited, 1, "{}", t.label);
    }
}

db::backend_test! {
    /// The LPO's theme list: officers edit keywords (which changes the suggestions at once) and
    /// add themes; bad input and another LPO's theme are refused and change nothing.
    async fn officers_edit_keywords_and_add_themes(t: TestDb) {
        let l = t.label;
        let lpo = free_text::demo_lpo(&t.db).await;
        let o = officer(lpo);
        let themes = db::themes::lpo_themes(&t.db, lpo).await.expect("themes");
        let traffic = themes.iter().find(|x| x.code == "trafik").expect("traffic");
        let text = "Mopedisterna på torget";
        assert!(
            !db::themes::suggester(&themes)
                .suggest(text)
                .contains(&traffic.id),
            "{l}: not yet a keyword"
        );
        let mut words = traffic.keywords.join("\n");
        words.push_str("\nMoped");
        db::themes::save_theme(
            &t.db,
            &o,
            1,
            db::themes::ThemeInput {
                id: Some(traffic.id),
                name_sv: "Trafik",
                name_en: "Traffic",
                keywords: &words,
            },
            Utc::now(),
        )
        .await
        .expect("saved");
        let themes = db::themes::lpo_themes(&t.db, lpo).await.expect("themes");
        assert!(
            db::themes::suggester(&themes)
                .suggest(text)
                .contains(&traffic.id),
            "{l}: the inflected 'mopedisterna' now matches 'moped'"
        );
        // A new theme.
        let before = themes.len();
        let id = db::themes::save_theme(
            &t.db,
            &o,
            1,
            db::themes::ThemeInput {
                id: None,
                name_sv: "Nedskräpning",
                name_en: "",
                keywords: "skräp\nnedskräpning",
            },
            Utc::now(),
        )
        .await
        .expect("added");
        let themes = db::themes::lpo_themes(&t.db, lpo).await.expect("themes");
        assert_eq!(themes.len(), before + 1, "{l}");
        assert!(
            db::themes::suggester(&themes)
                .suggest("Så mycket skräp i parken")
                .contains(&id),
            "{l}"
        );
        // Refused: no name, a duplicate name, a too long keyword, another LPO's theme.
        let long = "x".repeat(41);
        for (name, kw) in [("", "a"), ("trafik", "a"), ("Ny", long.as_str())] {
            let r = db::themes::save_theme(
                &t.db,
                &o,
                1,
                db::themes::ThemeInput {
                    id: None,
                    name_sv: name,
                    name_en: "",
                    keywords: kw,
                },
                Utc::now(),
            )
            .await;
            assert!(
                matches!(r, Err(BuilderError::Invalid(_))),
                "{l}: {name} {r:?}"
            );
        }
        let torsby = db::entity::org_unit::Entity::find()
            .filter(db::entity::org_unit::Column::Code.eq("lpo-torsby"))
            .one(&t.db)
            .await
            .expect("q")
            .expect("torsby")
            .id;
        let foreign = db::themes::lpo_themes(&t.db, torsby).await.expect("themes")[0].id;
        let r = db::themes::save_theme(
            &t.db,
            &o,
            1,
            db::themes::ThemeInput {
                id: Some(foreign),
                name_sv: "Kapat",
                name_en: "",
                keywords: "",
            },
            Utc::now(),
        )
        .await;
        assert!(matches!(r, Err(BuilderError::NotFound)), "{l}");
        let after = db::themes::lpo_themes(&t.db, lpo).await.expect("themes");
        assert_eq!(after.len(), before + 1, "{l}: nothing half-stored");
        let edits = audit_log::Entity::find()
            .filter(audit_log::Column::Entity.eq("theme"))
            .count(&t.db)
            .await
            .expect("audit");
        assert_eq!(edits, 2, "{l}");
    }
}
