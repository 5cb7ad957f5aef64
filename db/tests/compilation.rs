//! The compilation on SQLite and PostgreSQL: theme counts under the n<5 rule, approval freezes
//! a version that later coding and quotes never change, only the manager approves, hidden
//! answers are never quoted, and the CSV export keeps suppression and neutralises formulas.

mod free_text;

use chrono::Utc;
use db::builder::BuilderError;
use db::testing::TestDb;
use domain::{Lang, Role};

use free_text::who;

async fn answer(db: &db::Db, link: &str, text: &str) {
    free_text::answer_with(db, link, text, "4").await
}

db::backend_test! {
    async fn approval_freezes_a_suppressed_versioned_snapshot(t: TestDb) {
        let lpo = free_text::demo_lpo(&t.db).await;
        let officer = who(Role::Officer, lpo);
        let manager = who(Role::LpoManager, lpo);
        // Six residents raise drugs; three business owners raise traffic.
        for _ in 0..6 {
            answer(&t.db, "kh-invanare", "Knarket vid skolan").await;
        }
        for _ in 0..3 {
            answer(&t.db, "kh-foretagare", "Fortkörningen på Storgatan").await;
        }
        // Four more residents who raise nothing in particular: those who did not raise drugs
        // (a count too, beside the known total) are then at least 5.
        for _ in 0..4 {
            answer(&t.db, "kh-invanare", "Inget särskilt").await;
        }
        answer(&t.db, "kh-invanare", "=HYPERLINK(\"http://x\";\"klicka\")").await;
        let c = db::themes::coding(&t.db, &officer, 1, &Default::default())
            .await
            .expect("coding");
        let id = |code: &str| c.themes.iter().find(|x| x.code == code).expect("theme").id;
        for item in &c.queue {
            let chosen: Vec<i64> = item.suggested.clone();
            db::themes::code_answer(&t.db, &officer, 1, item.answer_id, &chosen, Utc::now())
                .await
                .expect("coded");
        }
        let draft = db::compilation::draft(&t.db, 1, Utc::now())
            .await
            .expect("draft")
            .expect("exists");
        let drugs = draft
            .themes
            .iter()
            .find(|x| x.theme_id == id("narkotika"))
            .expect("drugs");
        assert_eq!(drugs.overall, Some(6), "{}", t.label);
        assert_eq!(
            draft.themes[0].theme_id,
            id("narkotika"),
            "{}: ranked first",
            t.label
        );
        let traffic = draft
            .themes
            .iter()
            .find(|x| x.theme_id == id("trafik"))
            .expect("traffic");
        assert_eq!(traffic.overall, None, "{}: 3 people is under 5", t.label);
        // Hidden, or a 0 in a group nobody of whom raised it.
        assert!(
            traffic.by_group.iter().all(|n| n.is_none_or(|n| n == 0)),
            "{}: {:?}",
            t.label,
            traffic.by_group
        );
        assert_eq!(traffic.by_group.iter().flatten().sum::<i64>(), 0, "{}", t.label);
        for th in &draft.themes {
            for n in th.by_group.iter().flatten() {
                assert!(*n == 0 || *n >= 5, "{}: a shown cell of {n}", t.label);
            }
        }
        // Quotes: a hidden answer is refused; the formula-looking one is quoted.
        let formula = c
            .queue
            .iter()
            .find(|i| i.text.starts_with('='))
            .expect("the formula answer")
            .answer_id;
        let hidden = c.queue[0].answer_id;
        db::moderation::hide_text(&t.db, &officer, 1, hidden, Utc::now())
            .await
            .expect("hidden");
        let refused = db::compilation::add_quote(&t.db, &officer, 1, hidden, Utc::now()).await;
        assert!(
            matches!(refused, Err(BuilderError::Invalid(_))),
            "{}",
            t.label
        );
        db::compilation::add_quote(&t.db, &officer, 1, formula, Utc::now())
            .await
            .expect("quoted");
        // Only the manager approves.
        let denied = db::compilation::approve(&t.db, &officer, 1, Utc::now()).await;
        assert!(
            matches!(denied, Err(BuilderError::Forbidden)),
            "{}",
            t.label
        );
        let v1 = db::compilation::approve(&t.db, &manager, 1, Utc::now())
            .await
            .expect("approved");
        assert_eq!(v1, 1);
        let frozen = db::compilation::approved(&t.db, 1).await.expect("versions");
        let before = serde_json::to_string(&frozen[0]).expect("json");
        assert_eq!(frozen[0].quotes.len(), 1, "{}", t.label);
        // Later work changes the draft, never the approved version.
        db::compilation::remove_quote(&t.db, &officer, 1, formula, Utc::now())
            .await
            .expect("removed");
        for _ in 0..4 {
            answer(&t.db, "kh-foretagare", "Fortkörningen på Storgatan").await;
        }
        let after = db::compilation::approved(&t.db, 1).await.expect("versions");
        assert_eq!(
            serde_json::to_string(&after[0]).expect("json"),
            before,
            "{}: v1 is immutable",
            t.label
        );
        let v2 = db::compilation::approve(&t.db, &manager, 1, Utc::now())
            .await
            .expect("approved");
        assert_eq!(v2, 2, "{}", t.label);
        assert_eq!(
            db::compilation::approved(&t.db, 1).await.expect("versions")[0]
                .quotes
                .len(),
            0
        );
        // The CSV export of v1: suppression kept, the formula neutralised.
        let csv = db::compilation::to_csv(&frozen[0], Lang::Sv);
        assert!(csv.contains("\"'=HYPERLINK("), "{}: {csv}", t.label);
        for line in csv.lines() {
            for cell in line.split(';') {
                let inner = cell.trim_matches('"');
                assert!(
                    !inner.starts_with('='),
                    "{}: a live formula: {cell}",
                    t.label
                );
            }
        }
        assert!(csv.contains("\"Trafik\";\"dolt\""), "{}: {csv}", t.label);
        assert!(csv.contains("\"Narkotika\";6"), "{}: {csv}", t.label);
    }
}
