//! The dialogue builder on SQLite and PostgreSQL: create from the bank, validation that stores
//! nothing, the frozen questionnaire with wording revisions, and unique link codes.

use chrono::{Duration, Utc};
use db::builder::{self, BuilderError};
use db::entity::{audit_log, dialogue, dialogue_group, question, question_meta, staff_user};
use db::testing::TestDb;
use domain::builder::{DialogueInput, GroupInput, QuestionInput};
use domain::{Principal, QuestionKind, Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::BTreeSet;

async fn seeded(t: TestDb) -> TestDb {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    t
}

async fn principal(db: &db::Db, email: &str) -> Principal {
    let u = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query")
        .expect("demo user");
    db::accounts::active_principal(db, u.id, chrono::Utc::now().timestamp())
        .await
        .expect("query")
        .expect("active")
}

async fn officer_kh(db: &db::Db) -> Principal {
    principal(db, "kommunpolis.kristinehamn@demo.polisen.se").await
}

async fn kristinehamn(db: &db::Db) -> i64 {
    db::org::by_code(db, "kristinehamn")
        .await
        .expect("query")
        .expect("municipality")
        .id
}

fn day(offset: i64) -> String {
    domain::time::stockholm_day(Utc::now() + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

async fn valid_input(db: &db::Db) -> DialogueInput {
    let groups = builder::target_groups(db).await.expect("groups");
    DialogueInput {
        title_sv: "Trygghetsdialog".into(),
        title_en: "Safety dialogue".into(),
        intro_sv: "Berätta vad du tycker.".into(),
        intro_en: "Tell us what you think.".into(),
        opens_on: day(2),
        closes_on: day(30),
        municipalities: vec![kristinehamn(db).await.to_string()],
        groups: vec![
            GroupInput {
                target_group_id: groups[0].id.to_string(),
                target: "300".into(),
                invite_code: String::new(),
            },
            GroupInput {
                target_group_id: groups[3].id.to_string(),
                target: "20".into(),
                invite_code: "fullmakt-2027".into(),
            },
        ],
        bank_items: Vec::new(),
        follow_up_of: String::new(),
    }
}

async fn counts(db: &db::Db) -> (u64, u64, u64, u64, u64) {
    (
        dialogue::Entity::find().count(db).await.expect("count"),
        dialogue_group::Entity::find()
            .count(db)
            .await
            .expect("count"),
        question::Entity::find().count(db).await.expect("count"),
        question_meta::Entity::find()
            .count(db)
            .await
            .expect("count"),
        audit_log::Entity::find().count(db).await.expect("count"),
    )
}

fn fields(e: &BuilderError) -> Vec<String> {
    match e {
        BuilderError::Invalid(errors) => errors.iter().map(|(f, _)| f.clone()).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

db::backend_test! {
    async fn bank_is_seeded_at_migration(t: TestDb) {
        assert!(!t.url.is_empty());
        let bank = db::bank::list(&t.db).await.expect("bank");
        let codes: Vec<_> = bank.iter().map(|b| b.code.as_str()).collect();
        assert!(codes.contains(&"forvantningar"), "{}", t.label);
        assert!(codes.contains(&"alder"), "{}", t.label);
        assert_eq!(
            bank[0].text.get(domain::Lang::Sv),
            "Vad förväntar du dig av polisen?"
        );
        assert!(
            bank.iter().any(|b| matches!(
                b.kind,
                QuestionKind::Scale {
                    dont_know: true,
                    ..
                }
            )),
            "{}",
            t.label
        );
        // Seeding twice adds nothing.
        assert!(
            !db::bank::seed_if_empty(&t.db, Utc::now())
                .await
                .expect("seed")
        );
    }
}

db::backend_test! {
    async fn creates_a_dialogue_from_the_bank(t: TestDb) {
        let t = seeded(t).await;
        let p = officer_kh(&t.db).await;
        let bank = db::bank::list(&t.db).await.expect("bank");
        let mut input = valid_input(&t.db).await;
        input.bank_items = bank.iter().map(|b| b.id.to_string()).collect();
        let now = Utc::now();
        let id = builder::create_dialogue(&t.db, &p, &input, now)
            .await
            .expect("created");
        let d = dialogue::Entity::find_by_id(id)
            .one(&t.db)
            .await
            .expect("query")
            .expect("row");
        assert_eq!(Some(d.lpo_id), p.scope_unit_id, "{}", t.label);
        assert_eq!(d.dedup_salt.len(), 32);
        assert!(d.dedup_salt.bytes().all(|b| b.is_ascii_hexdigit()));
        let detail = builder::load(&t.db, &p, id, now).await.expect("load");
        assert!(!detail.frozen);
        assert_eq!(detail.municipalities, vec!["Kristinehamn".to_owned()]);
        assert_eq!(detail.groups.len(), 2);
        assert!(detail.groups[1].has_invite && !detail.groups[0].has_invite);
        assert_eq!(detail.questions.len(), bank.len(), "{}", t.label);
        for (q, b) in detail.questions.iter().zip(&bank) {
            assert_eq!(q.bank_item_id, Some(b.id));
            assert_eq!(q.text, b.text);
            assert_eq!(q.revision, 1);
        }
        // The copies can be read by the respondent path as a questionnaire.
        let survey = db::survey::load_by_link(&t.db, &detail.groups[0].link_code)
            .await
            .expect("query")
            .expect("survey");
        assert_eq!(survey.questionnaire.questions.len(), bank.len());
        assert!(!survey.questionnaire.areas.is_empty());
        // Audited.
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Entity.eq("dialogue"))
            .filter(audit_log::Column::EntityId.eq(id.to_string()))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(audited, 1);
        // Another LPO sees neither the dialogue nor may it edit it.
        let torsby = principal(&t.db, "kommunpolis.torsby@demo.polisen.se").await;
        assert!(matches!(
            builder::load(&t.db, &torsby, id, now).await,
            Err(BuilderError::NotFound)
        ));
        assert!(
            !builder::list_dialogues(&t.db, &torsby, &Default::default(), now)
                .await
                .expect("list")
                .0
                .iter()
                .any(|s| s.id == id)
        );
        assert!(matches!(
            builder::add_bank_questions(&t.db, &torsby, id, &[bank[0].id.to_string()], now).await,
            Err(BuilderError::Forbidden)
        ));
        // Nor may it create a dialogue in Kristinehamn.
        let e = builder::create_dialogue(&t.db, &torsby, &input, now)
            .await
            .expect_err("outside its LPO");
        assert_eq!(fields(&e), ["municipalities"]);
        // A regional manager does not build dialogues.
        let region = principal(&t.db, "region@demo.polisen.se").await;
        assert_eq!(region.role, Role::RegionalManager);
        assert!(matches!(
            builder::create_dialogue(&t.db, &region, &input, now).await,
            Err(BuilderError::Forbidden)
        ));
    }
}

db::backend_test! {
    async fn refusals_store_nothing(t: TestDb) {
        let t = seeded(t).await;
        let p = officer_kh(&t.db).await;
        let now = Utc::now();
        let before = counts(&t.db).await;
        let good = valid_input(&t.db).await;
        let cases: Vec<(DialogueInput, &[&str])> = vec![
            (
                DialogueInput {
                    title_sv: "  ".into(),
                    intro_en: String::new(),
                    ..good.clone()
                },
                &["title_sv", "intro_en"],
            ),
            (
                DialogueInput {
                    opens_on: day(10),
                    closes_on: day(5),
                    ..good.clone()
                },
                &["closes_on"],
            ),
            (
                DialogueInput {
                    opens_on: "30/11".into(),
                    ..good.clone()
                },
                &["opens_on"],
            ),
            (
                DialogueInput {
                    groups: Vec::new(),
                    ..good.clone()
                },
                &["groups"],
            ),
            (
                DialogueInput {
                    municipalities: vec!["999999".into()],
                    ..good.clone()
                },
                &["municipalities"],
            ),
            (
                DialogueInput {
                    bank_items: vec!["1".into(), "999999".into()],
                    ..good.clone()
                },
                &["bank_items"],
            ),
        ];
        for (input, expected) in cases {
            let e = builder::create_dialogue(&t.db, &p, &input, now)
                .await
                .expect_err("refused");
            assert_eq!(fields(&e), expected, "{}", t.label);
        }
        let mut bad_group = good.clone();
        bad_group.groups[0].target = "0".into();
        bad_group.groups[1].invite_code = "två ord".into();
        let e = builder::create_dialogue(&t.db, &p, &bad_group, now)
            .await
            .expect_err("refused");
        let f = fields(&e);
        assert_eq!(f.len(), 2);
        assert!(f[0].starts_with("target_") && f[1].starts_with("invite_"));
        assert_eq!(counts(&t.db).await, before, "{}: nothing stored", t.label);

        // Question-level refusals store nothing either.
        let id = builder::create_dialogue(&t.db, &p, &good, now)
            .await
            .expect("created");
        let before = counts(&t.db).await;
        let bad_questions = [
            QuestionInput {
                text_sv: "Vilka?".into(),
                text_en: "Which?".into(),
                kind: "single".into(),
                options: "Bara en".into(),
                ..Default::default()
            },
            QuestionInput {
                text_sv: "Varför?".into(),
                text_en: "Why?".into(),
                kind: "text".into(),
                max_len: "5000".into(),
                ..Default::default()
            },
            QuestionInput {
                text_sv: "Varför?".into(),
                text_en: "Why?".into(),
                kind: "text".into(),
                max_len: "200".into(),
                condition_question: "999999".into(),
                condition_codes: "1".into(),
                ..Default::default()
            },
        ];
        for q in &bad_questions {
            assert!(matches!(
                builder::add_question(&t.db, &p, id, q, now).await,
                Err(BuilderError::Invalid(_))
            ));
        }
        assert!(matches!(
            builder::issue_kiosk(&t.db, &p, db::kiosk::Purpose::Kiosk, id, " ", now).await,
            Err(BuilderError::Invalid(_))
        ));
        assert_eq!(counts(&t.db).await, before, "{}", t.label);
    }
}

db::backend_test! {
    async fn frozen_after_opening_but_wording_fixes_keep_ids(t: TestDb) {
        let t = seeded(t).await;
        let p = officer_kh(&t.db).await;
        let now = Utc::now();
        let bank = db::bank::list(&t.db).await.expect("bank");
        let scale = bank
            .iter()
            .find(|b| b.code == "trygghet-kvall")
            .expect("safety item");
        let mut input = valid_input(&t.db).await;
        input.bank_items = vec![scale.id.to_string()];
        let id = builder::create_dialogue(&t.db, &p, &input, now)
            .await
            .expect("created");
        let first = builder::load(&t.db, &p, id, now)
            .await
            .expect("load")
            .questions[0]
            .id;
        let own = QuestionInput {
            text_sv: "Var känner du dig otrygg?".into(),
            text_en: "Where do you feel unsafe?".into(),
            kind: "multi".into(),
            options: "Centrum | Town centre\nParken | The park".into(),
            required: true,
            condition_question: first.to_string(),
            condition_codes: "1, 2".into(),
            ..Default::default()
        };
        let qid = builder::add_question(&t.db, &p, id, &own, now)
            .await
            .expect("added");
        // Before opening: reorder is refused only where a condition would point forward.
        assert!(matches!(
            builder::move_question(&t.db, &p, id, qid, true, now).await,
            Err(BuilderError::Invalid(_))
        ));
        let before = builder::load(&t.db, &p, id, now).await.expect("load");

        // After opening: structure is frozen.
        let later = before.opens_at + Duration::hours(1);
        let extra = QuestionInput {
            text_sv: "Övrigt".into(),
            text_en: "Other".into(),
            kind: "text".into(),
            max_len: "300".into(),
            ..Default::default()
        };
        let frozen = |r: Result<(), BuilderError>| matches!(r, Err(BuilderError::Frozen));
        assert!(frozen(
            builder::add_question(&t.db, &p, id, &extra, later)
                .await
                .map(|_| ())
        ));
        assert!(frozen(
            builder::add_bank_questions(&t.db, &p, id, &[bank[0].id.to_string()], later).await
        ));
        assert!(frozen(
            builder::move_question(&t.db, &p, id, qid, false, later).await
        ));
        assert!(frozen(
            builder::remove_question(&t.db, &p, id, qid, later).await
        ));
        let rekind = QuestionInput {
            kind: "single".into(),
            ..own.clone()
        };
        assert!(frozen(
            builder::update_question(&t.db, &p, id, qid, &rekind, later).await
        ));
        let more_options = QuestionInput {
            options: "Centrum | Town centre\nParken | The park\nStationen | The station".into(),
            ..own.clone()
        };
        assert!(frozen(
            builder::update_question(&t.db, &p, id, qid, &more_options, later).await
        ));
        let not_required = QuestionInput {
            required: false,
            ..own.clone()
        };
        assert!(frozen(
            builder::update_question(&t.db, &p, id, qid, &not_required, later).await
        ));
        assert_eq!(
            builder::load(&t.db, &p, id, later)
                .await
                .expect("load")
                .questions,
            before.questions,
            "{}: refusals changed nothing",
            t.label
        );

        // A wording fix: same ids and codes, revision 2, the old wording kept.
        let reworded = QuestionInput {
            text_sv: "Var i ditt område känner du dig otrygg?".into(),
            options: "Centrum | The town centre\nParken | The park".into(),
            ..own.clone()
        };
        builder::update_question(&t.db, &p, id, qid, &reworded, later)
            .await
            .expect("wording fix");
        let after = builder::load(&t.db, &p, id, later).await.expect("load");
        assert!(after.frozen);
        let ids = |d: &domain::builder::DialogueDetail| {
            d.questions.iter().map(|q| q.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(&after), ids(&before));
        let q = after
            .questions
            .iter()
            .find(|q| q.id == qid)
            .expect("question");
        assert_eq!(q.revision, 2, "{}", t.label);
        assert_eq!(
            q.text.get(domain::Lang::Sv),
            "Var i ditt område känner du dig otrygg?"
        );
        assert_eq!(q.history.len(), 1);
        assert_eq!(q.history[0].0, 1);
        assert_eq!(
            q.history[0].1.get(domain::Lang::Sv),
            "Var känner du dig otrygg?"
        );
        let (QuestionKind::Multi { options: old }, QuestionKind::Multi { options: new }) = (
            &before
                .questions
                .iter()
                .find(|q| q.id == qid)
                .expect("q")
                .kind,
            &q.kind,
        ) else {
            panic!("multi");
        };
        assert_eq!(
            old.iter().map(|o| &o.code).collect::<Vec<_>>(),
            new.iter().map(|o| &o.code).collect::<Vec<_>>()
        );
        assert_eq!(new[0].label.get(domain::Lang::En), "The town centre");
        let reworded_audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("reword"))
            .filter(audit_log::Column::EntityId.eq(qid.to_string()))
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(reworded_audit, 1);
        // Kiosks can still be issued and revoked on an open dialogue.
        let token = builder::issue_kiosk(
            &t.db,
            &p,
            db::kiosk::Purpose::Kiosk,
            id,
            "Surfplatta 1",
            later,
        )
        .await
        .expect("kiosk");
        assert!(db::kiosk::is_valid(&t.db, id, &token).await.expect("query"));
        let kiosk = builder::load(&t.db, &p, id, later)
            .await
            .expect("load")
            .kiosks[0]
            .id;
        builder::revoke_kiosk(&t.db, &p, id, kiosk, later)
            .await
            .expect("revoked");
        assert!(!db::kiosk::is_valid(&t.db, id, &token).await.expect("query"));
    }
}

db::backend_test! {
    async fn link_codes_are_short_and_unique(t: TestDb) {
        let t = seeded(t).await;
        let p = officer_kh(&t.db).await;
        let groups = builder::target_groups(&t.db).await.expect("groups");
        let mut input = valid_input(&t.db).await;
        input.groups = groups
            .iter()
            .map(|g| GroupInput {
                target_group_id: g.id.to_string(),
                target: "10".into(),
                invite_code: String::new(),
            })
            .collect();
        for _ in 0..5 {
            builder::create_dialogue(&t.db, &p, &input, Utc::now())
                .await
                .expect("created");
        }
        let codes: Vec<String> = dialogue_group::Entity::find()
            .all(&t.db)
            .await
            .expect("groups")
            .into_iter()
            .map(|g| g.link_code)
            .collect();
        let unique: BTreeSet<&String> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len(), "{}", t.label);
        assert!(codes.len() >= 36);
        assert!(codes.iter().filter(|c| !c.starts_with("kh-")).all(|c| {
            c.len() == builder::LINK_CODE_LEN
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }));
    }
}

#[test]
fn random_link_codes_rarely_collide() {
    let many: BTreeSet<String> = (0..2000).map(|_| builder::random_link_code()).collect();
    assert!(many.len() > 1990, "random codes rarely collide");
}

async fn submit(db: &db::Db, link: &str, gate: db::survey::Gate<'_>, f: &[(String, String)]) {
    let id = uuid::Uuid::new_v4().to_string();
    db::survey::submit(
        db,
        db::survey::SubmitRequest {
            link_code: link,
            submission_id: &id,
            gate,
            fields: f,
            now: Utc::now(),
        },
    )
    .await
    .expect("stored");
}

db::backend_test! {
    /// A follow-up dialogue: only an earlier dialogue of the same LPO; then the promise page shows
    /// before and after on the bank items both ask, under the n<5 rule.
    async fn a_follow_up_shows_before_and_after_on_shared_bank_items(t: TestDb) {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let t = seeded(t).await;
        let l = t.label;
        let now = Utc::now();
        db::demo::seed_promise(&t.db, now).await.expect("promise");
        let p = officer_kh(&t.db).await;
        // The demo dialogue's bank items: safety in the evening and trust.
        let metas = question_meta::Entity::find()
            .filter(question_meta::Column::BankItemId.is_not_null())
            .all(&t.db)
            .await
            .expect("metas");
        let before_q: Vec<(i64, i64)> = metas
            .iter()
            .filter_map(|m| m.bank_item_id.map(|b| (m.question_id, b)))
            .collect();
        assert_eq!(before_q.len(), 2, "{l}");
        let fields = |qs: &[(i64, i64)], v: &str| -> Vec<(String, String)> {
            qs.iter()
                .map(|(q, _)| (format!("q{q}"), v.to_owned()))
                .collect()
        };
        for _ in 0..6 {
            submit(
                &t.db,
                "kh-invanare",
                db::survey::Gate::Kiosk {
                    token: db::demo::DEMO_KIOSK_TOKEN,
                },
                &[
                    fields(&before_q, "4"),
                    vec![("q1".to_owned(), "Mer polis på kvällen".to_owned())],
                ]
                .concat(),
            )
            .await;
        }

        let mut input = valid_input(&t.db).await;
        input.bank_items = before_q.iter().map(|(_, b)| b.to_string()).collect();
        for bad in ["999999", "x"] {
            input.follow_up_of = bad.to_owned();
            let r = builder::create_dialogue(&t.db, &p, &input, now).await;
            let Err(BuilderError::Invalid(errors)) = r else {
                panic!("{l}: {bad} accepted");
            };
            assert!(errors.iter().any(|(f, _)| f == "follow_up_of"), "{l}");
        }
        input.follow_up_of = "1".to_owned();
        let after = builder::create_dialogue(&t.db, &p, &input, now)
            .await
            .expect("created");
        // Not yet open: no before and after.
        let page = db::promise::public(&t.db, "kristinehamn", now)
            .await
            .expect("page")
            .expect("the demo promise");
        assert!(page.follow_up.is_none(), "{l}");
        let mut d: dialogue::ActiveModel = dialogue::Entity::find_by_id(after)
            .one(&t.db)
            .await
            .expect("q")
            .expect("row")
            .into();
        d.opens_at = Set(now - Duration::days(1));
        d.update(&t.db).await.expect("opened");
        let detail = builder::load(&t.db, &p, after, now).await.expect("load");
        let after_q: Vec<(i64, i64)> = detail
            .questions
            .iter()
            .filter_map(|q| q.bank_item_id.map(|b| (q.id, b)))
            .collect();
        let link = detail.groups[0].link_code.clone();
        let answer_after = |n: usize| {
            let (db, link, f) = (&t.db, link.clone(), fields(&after_q, "2"));
            async move {
                for _ in 0..n {
                    let browser = uuid::Uuid::new_v4().to_string();
                    submit(
                        db,
                        &link,
                        db::survey::Gate::Public {
                            browser: Some(&browser),
                            invite: None,
                            via_qr: false,
                        },
                        &f,
                    )
                    .await;
                }
            }
        };
        answer_after(3).await;
        let page = db::promise::public(&t.db, "kristinehamn", Utc::now())
            .await
            .expect("page")
            .expect("promise");
        let f = page.follow_up.expect("before and after");
        assert_eq!(f.items.len(), 2, "{l}");
        for i in &f.items {
            assert_eq!(i.before.answered, Some(6), "{l}");
            assert_eq!(i.before.mean, Some(4.0), "{l}");
            assert_eq!(i.before.share_high, Some(1.0), "{l}");
            assert_eq!(i.after.answered, None, "{l}: 3 answers are under 5");
            assert_eq!(i.after.mean, None, "{l}");
        }
        // The over-time rule: a new published state only after 5 more answers.
        answer_after(5).await;
        let f = db::promise::public(&t.db, "kristinehamn", Utc::now())
            .await
            .expect("page")
            .expect("promise")
            .follow_up
            .expect("before and after");
        for i in &f.items {
            assert_eq!(i.after.answered, Some(8), "{l}");
            assert_eq!(i.after.mean, Some(2.0), "{l}");
            assert_eq!(i.after.share_high, Some(0.0), "{l}");
        }
    }
}
