//! Demo data, loaded only when the server starts with `DEMO_DATA=true` into an empty database.
//!
//! Region Bergslagen → polisområde Värmland → LPO Kristinehamn and LPO Torsby, the six target
//! groups of the 2015 article, and one open dialogue asking the article's two questions and the standard items
//! (safety, problems, worry, trust, area, age band), one of them conditional.

use crate::entity::{
    agreement, dialogue, dialogue_group, dialogue_municipality, kiosk, officer_special_area,
    org_unit, question, special_area, staff_user, target_group,
};
use crate::survey::{kind_json, text_json};
use chrono::{Duration, Utc};
use domain::{Choice, Condition, LocalizedText, QuestionKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

/// The six target groups the article names, with their link suffix.
pub const TARGET_GROUPS: [(&str, &str, &str); 6] = [
    ("invanare", "Kommuninvånare", "Residents"),
    ("foretagare", "Företagare", "Business owners"),
    ("kommunanstallda", "Kommunanställda", "Municipal employees"),
    ("politiker", "Politiker", "Politicians"),
    ("unga", "Ungdomar", "Young people"),
    (
        "pensionarer",
        "Pensionärsföreningar",
        "Pensioner associations",
    ),
];

/// The invitation code of the demo dialogue's closed group (`/s/kh-politiker`).
pub const DEMO_INVITE_CODE: &str = "FULLMAKTIGE";

/// A kiosk token of the demo dialogue, for the tablet at the council meeting
/// (`/s/kh-politiker?kiosk=…`). Demo data only; real kiosks are issued by staff.
pub const DEMO_KIOSK_TOKEN: &str = "demokiosk2027fullmaktige";
/// The demo wall screen's display link token (`/visning/{token}`).
pub const DEMO_DISPLAY_TOKEN: &str = "demovisning2027kristinehamn";

/// The password of every demo account (README lists the logins).
pub const DEMO_PASSWORD: &str = "demo-losenord-2027";

/// A demo login: e-mail, name, role, scope org code, municipal unit code.
pub type DemoUser = (
    &'static str,
    &'static str,
    domain::Role,
    Option<&'static str>,
    Option<&'static str>,
);

/// Demo logins, one per role (and a second officer in another LPO).
pub const DEMO_USERS: [DemoUser; 6] = [
    (
        "admin@demo.polisen.se",
        "Alva Admin",
        domain::Role::Admin,
        None,
        None,
    ),
    (
        "region@demo.polisen.se",
        "Rune Regionchef",
        domain::Role::RegionalManager,
        Some("bergslagen"),
        None,
    ),
    (
        "chef.kristinehamn@demo.polisen.se",
        "Karin Lindqvist",
        domain::Role::LpoManager,
        Some("lpo-kristinehamn"),
        None,
    ),
    (
        "kommunpolis.kristinehamn@demo.polisen.se",
        "Johan Berg",
        domain::Role::Officer,
        Some("lpo-kristinehamn"),
        None,
    ),
    (
        "kommunpolis.torsby@demo.polisen.se",
        "Sara Nilsson",
        domain::Role::Officer,
        Some("lpo-torsby"),
        None,
    ),
    (
        "socialtjansten@demo.kristinehamn.se",
        "Maria Ek",
        domain::Role::MunicipalPartner,
        Some("kristinehamn"),
        Some("kristinehamn-soc"),
    ),
];

/// Special areas (*specialområden*): code, Swedish, English.
pub const SPECIAL_AREAS: [(&str, &str, &str); 6] = [
    ("skola", "Skolor", "Schools"),
    ("unga", "Ungdomar", "Young people"),
    ("naringsliv", "Näringsliv", "Business"),
    ("trafik", "Trafik", "Traffic"),
    ("narkotika", "Narkotika", "Drugs"),
    ("grannsamverkan", "Grannsamverkan", "Neighbourhood watch"),
];

/// Loads the demo data unless the database already holds an organisation. Returns whether it did.
/// Instances that start at once take turns (on PostgreSQL an advisory lock held by the
/// transaction; SQLite has one writer anyway), so exactly one seeds.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7308604897068082277)")
            .await?;
    }
    if org_unit::Entity::find().count(&txn).await? > 0 {
        return Ok(false);
    }
    seed(&txn).await?;
    txn.commit().await?;
    Ok(true)
}

async fn unit(
    db: &impl ConnectionTrait,
    parent: Option<i64>,
    kind: &str,
    code: &str,
    name: &str,
) -> Result<i64, DbErr> {
    Ok(org_unit::Entity::insert(org_unit::ActiveModel {
        parent_id: Set(parent),
        kind: Set(kind.to_owned()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id)
}

async fn seed(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let nation = unit(db, None, "nation", "se", "Polismyndigheten").await?;
    let region = unit(
        db,
        Some(nation),
        "region",
        "bergslagen",
        "Region Bergslagen",
    )
    .await?;
    let district = unit(
        db,
        Some(region),
        "district",
        "varmland",
        "Polisområde Värmland",
    )
    .await?;
    let lpo_kh = unit(
        db,
        Some(district),
        "lpo",
        "lpo-kristinehamn",
        "LPO Kristinehamn",
    )
    .await?;
    let lpo_torsby = unit(db, Some(district), "lpo", "lpo-torsby", "LPO Torsby").await?;
    let kh = unit(
        db,
        Some(lpo_kh),
        "municipality",
        "kristinehamn",
        "Kristinehamn",
    )
    .await?;
    for (code, name) in [
        ("kh-centrum", "Centrum"),
        ("kh-stromsberg", "Strömsberg"),
        ("kh-ölme", "Ölme"),
        ("kh-björneborg", "Björneborg"),
    ] {
        unit(db, Some(kh), "area", code, name).await?;
    }
    for (m_code, m_name, areas) in [
        (
            "torsby",
            "Torsby",
            &[
                ("torsby-centrum", "Torsby centrum"),
                ("torsby-ostmark", "Östmark"),
            ][..],
        ),
        (
            "sunne",
            "Sunne",
            &[
                ("sunne-centrum", "Sunne centrum"),
                ("sunne-rottneros", "Rottneros"),
            ][..],
        ),
        (
            "hagfors",
            "Hagfors",
            &[
                ("hagfors-centrum", "Hagfors centrum"),
                ("hagfors-ekshärad", "Ekshärad"),
            ][..],
        ),
        (
            "munkfors",
            "Munkfors",
            &[("munkfors-centrum", "Munkfors centrum")][..],
        ),
    ] {
        let m = unit(db, Some(lpo_torsby), "municipality", m_code, m_name).await?;
        for (code, name) in areas {
            unit(db, Some(m), "area", code, name).await?;
        }
    }

    seed_register(db).await?;

    let mut groups = Vec::new();
    for (code, sv, en) in TARGET_GROUPS {
        let id = target_group::Entity::insert(target_group::ActiveModel {
            code: Set(code.to_owned()),
            name: Set(text_json(&LocalizedText::new(sv, en))),
            ..Default::default()
        })
        .exec(db)
        .await?
        .last_insert_id;
        groups.push((id, code));
    }

    let now = Utc::now();
    let dialogue_id = dialogue::Entity::insert(dialogue::ActiveModel {
        lpo_id: Set(lpo_kh),
        title: Set(text_json(&LocalizedText::new(
            "Medborgardialog Kristinehamn 2027",
            "Citizen dialogue Kristinehamn 2027",
        ))),
        intro: Set(text_json(&LocalizedText::new(
            "Polisen i Kristinehamn vill veta vad du förväntar dig av oss och vad vi ska jobba mer med. Svaren blir grunden för nästa medborgarlöfte. Det tar ett par minuter.",
            "The police in Kristinehamn want to know what you expect of us and what we should work more on. The answers become the basis of the next citizen promise. It takes a couple of minutes.",
        ))),
        opens_at: Set(now - Duration::days(50)),
        closes_at: Set(now + Duration::days(10)),
        created_at: Set(now - Duration::days(56)),
        dedup_salt: Set(uuid::Uuid::new_v4().simple().to_string()),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    dialogue_municipality::Entity::insert(dialogue_municipality::ActiveModel {
        dialogue_id: Set(dialogue_id),
        municipality_id: Set(kh),
    })
    .exec_without_returning(db)
    .await?;

    seed_questions(db, dialogue_id).await?;

    for (i, (group_id, code)) in groups.iter().enumerate() {
        dialogue_group::Entity::insert(dialogue_group::ActiveModel {
            dialogue_id: Set(dialogue_id),
            target_group_id: Set(*group_id),
            // With the synthetic answers (`demo_answers`), some groups are behind their pace.
            target_count: Set([7000, 1200, 900, 50, 2500, 700][i]),
            link_code: Set(format!("kh-{code}")),
            // The politicians answer at a council meeting, with an invitation code.
            invite_code: Set((*code == "politiker").then(|| DEMO_INVITE_CODE.to_owned())),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }
    kiosk::Entity::insert(kiosk::ActiveModel {
        dialogue_id: Set(dialogue_id),
        token_hash: Set(crate::kiosk::token_hash(DEMO_KIOSK_TOKEN)),
        label: Set("Surfplatta, kommunfullmäktige".to_owned()),
        created_by: Set(None),
        created_at: Set(now),
        revoked_at: Set(None),
        purpose: Set(crate::kiosk::Purpose::Kiosk.code().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    kiosk::Entity::insert(kiosk::ActiveModel {
        dialogue_id: Set(dialogue_id),
        token_hash: Set(crate::kiosk::token_hash(DEMO_DISPLAY_TOKEN)),
        label: Set("Väggskärm, polisstationen".to_owned()),
        created_by: Set(None),
        created_at: Set(now),
        revoked_at: Set(None),
        purpose: Set(crate::kiosk::Purpose::Display.code().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn lt(sv: &str, en: &str) -> LocalizedText {
    LocalizedText::new(sv, en)
}

fn choices(items: &[(&str, &str, &str)]) -> Vec<Choice> {
    items
        .iter()
        .map(|(code, sv, en)| Choice {
            code: (*code).to_owned(),
            label: lt(sv, en),
        })
        .collect()
}

fn scale(low: LocalizedText, high: LocalizedText) -> QuestionKind {
    QuestionKind::Scale {
        dont_know: true,
        low,
        high,
    }
}

/// required, text, kind, and an optional condition: (index of an earlier question, codes).
type DemoQuestion = (
    bool,
    LocalizedText,
    QuestionKind,
    Option<(usize, &'static [&'static str])>,
);

/// The demo questionnaire: the article's two open questions and the standard items.
/// Question 4 shows only to those who feel unsafe (1 or 2 on question 3).
async fn seed_questions(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<(), DbErr> {
    let mut ids: Vec<i64> = Vec::new();
    let items: Vec<DemoQuestion> = vec![
        (
            true,
            lt(
                "Vad förväntar du dig av polisen?",
                "What do you expect of the police?",
            ),
            QuestionKind::Text { max_len: 1000 },
            None,
        ),
        (
            false,
            lt(
                "Vad önskar du att polisen ska jobba mer med?",
                "What do you want the police to work more on?",
            ),
            QuestionKind::Text { max_len: 1000 },
            None,
        ),
        (
            true,
            lt(
                "Hur trygg känner du dig när du går ut ensam en sen kväll i ditt område?",
                "How safe do you feel walking alone late in the evening in your area?",
            ),
            scale(
                lt("Mycket otrygg", "Very unsafe"),
                lt("Mycket trygg", "Very safe"),
            ),
            None,
        ),
        (
            false,
            lt(
                "Vad är det som gör att du känner dig otrygg?",
                "What makes you feel unsafe?",
            ),
            QuestionKind::Text { max_len: 500 },
            Some((2, &["1", "2"][..])),
        ),
        (
            false,
            lt(
                "Vilka problem ser du i ditt område?",
                "Which problems do you see in your area?",
            ),
            QuestionKind::Multi {
                options: choices(&[
                    ("nedskrapning", "Nedskräpning", "Littering"),
                    ("skadegorelse", "Skadegörelse", "Vandalism"),
                    ("narkotika", "Narkotika", "Drugs"),
                    ("trafik", "Trafik", "Traffic"),
                    ("inbrott", "Inbrott", "Burglaries"),
                    ("ungdomsgang", "Ungdomsgäng", "Youth gangs"),
                    ("annat", "Annat", "Other"),
                ]),
            },
            None,
        ),
        (
            false,
            lt(
                "Hur orolig är du för att utsättas för brott?",
                "How worried are you about becoming a victim of crime?",
            ),
            scale(
                lt("Inte alls orolig", "Not worried at all"),
                lt("Mycket orolig", "Very worried"),
            ),
            None,
        ),
        (
            false,
            lt(
                "Hur stort förtroende har du för polisen i ditt område?",
                "How much do you trust the police in your area?",
            ),
            scale(
                lt("Mycket litet", "Very little"),
                lt("Mycket stort", "Very much"),
            ),
            None,
        ),
        (
            false,
            lt("Vilket område bor du i?", "Which area do you live in?"),
            QuestionKind::Area,
            None,
        ),
        (
            false,
            lt("Din ålder", "Your age"),
            QuestionKind::Single {
                options: choices(&[
                    ("u18", "Under 18 år", "Under 18"),
                    ("18-29", "18–29 år", "18–29"),
                    ("30-49", "30–49 år", "30–49"),
                    ("50-64", "50–64 år", "50–64"),
                    ("65+", "65 år eller äldre", "65 or older"),
                ]),
            },
            None,
        ),
    ];
    for (position, (required, text, kind, condition)) in items.into_iter().enumerate() {
        let condition = condition.and_then(|(index, codes)| {
            ids.get(index).map(|qid| Condition {
                question_id: *qid,
                any_of: codes.iter().map(|c| (*c).to_owned()).collect(),
            })
        });
        let id = question::Entity::insert(question::ActiveModel {
            dialogue_id: Set(dialogue_id),
            position: Set(position as i32 + 1),
            required: Set(required),
            text: Set(text_json(&text)),
            kind: Set(kind_json(&kind)),
            condition: Set(condition.map(|c| serde_json::to_string(&c).unwrap_or_default())),
            ..Default::default()
        })
        .exec(db)
        .await?
        .last_insert_id;
        ids.push(id);
    }
    // The safety and trust questions are the shared bank's, so LPOs can be compared.
    for (index, code) in [(2, "trygghet-kvall"), (6, "fortroende-lokalpolis")] {
        let item = crate::entity::bank_item::Entity::find()
            .filter(crate::entity::bank_item::Column::Code.eq(code))
            .one(db)
            .await?;
        if let (Some(item), Some(qid)) = (item, ids.get(index)) {
            crate::entity::question_meta::Entity::insert(
                crate::entity::question_meta::ActiveModel {
                    question_id: Set(*qid),
                    bank_item_id: Set(Some(item.id)),
                    revision: Set(1),
                },
            )
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

async fn seed_register(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let all = org_unit::Entity::find().all(db).await?;
    let code_id = |code: &str| all.iter().find(|u| u.code == code).map(|u| u.id);
    for m in all.iter().filter(|u| u.kind == "municipality") {
        for (suffix, name) in [
            ("soc", "socialtjänsten"),
            ("skol", "skolförvaltningen"),
            ("tek", "tekniska förvaltningen"),
        ] {
            unit(
                db,
                Some(m.id),
                "unit",
                &format!("{}-{suffix}", m.code),
                name,
            )
            .await?;
        }
    }
    let mut areas = Vec::new();
    for (code, sv, en) in SPECIAL_AREAS {
        let id = special_area::Entity::insert(special_area::ActiveModel {
            code: Set(code.to_owned()),
            name: Set(text_json(&LocalizedText::new(sv, en))),
            ..Default::default()
        })
        .exec(db)
        .await?
        .last_insert_id;
        areas.push((code, id));
    }
    let units = org_unit::Entity::find().all(db).await?;
    let unit_id = |code: &str| units.iter().find(|u| u.code == code).map(|u| u.id);
    let hash =
        crate::accounts::hash_password(DEMO_PASSWORD).map_err(|e| DbErr::Custom(e.to_string()))?;
    let now = Utc::now();
    let mut officer_kh = None;
    for (email, name, role, scope, municipal_unit) in DEMO_USERS {
        let id = staff_user::Entity::insert(staff_user::ActiveModel {
            email: Set(email.to_owned()),
            name: Set(name.to_owned()),
            password_hash: Set(hash.clone()),
            role: Set(role.code().to_owned()),
            scope_unit_id: Set(scope.and_then(code_id)),
            municipal_unit_id: Set(municipal_unit.and_then(unit_id)),
            active: Set(true),
            must_change_password: Set(false),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?
        .last_insert_id;
        if email.starts_with("kommunpolis.kristinehamn") {
            officer_kh = Some(id);
        }
    }
    let area = |code: &str| areas.iter().find(|(c, _)| *c == code).map(|(_, id)| *id);
    if let Some(officer) = officer_kh {
        for code in ["skola", "unga"] {
            if let Some(a) = area(code) {
                officer_special_area::Entity::insert(officer_special_area::ActiveModel {
                    user_id: Set(officer),
                    special_area_id: Set(a),
                })
                .exec_without_returning(db)
                .await?;
            }
        }
    }
    let today = now.date_naive();
    let agreements = [
        (
            "lpo-kristinehamn",
            "kristinehamn-soc",
            "unga",
            officer_kh,
            "Arbeta närmare Djäkneskolan tillsammans med socialtjänsten: gemensamma träffar med elever och föräldrar.",
            -120,
            20,
            "Lena Holm, enhetschef",
        ),
        (
            "lpo-kristinehamn",
            "kristinehamn-tek",
            "trafik",
            None,
            "Trafiksäkerhet vid skolor: hastighetskontroller och bättre skyltning.",
            -60,
            200,
            "Per Ahl, trafikingenjör",
        ),
        (
            "lpo-torsby",
            "torsby-soc",
            "narkotika",
            None,
            "Förebygga droganvändning bland unga i Torsby tillsammans med socialtjänsten.",
            -200,
            90,
            "Eva Lund, fältsekreterare",
        ),
    ];
    for (lpo, unit_code, area_code, officer, purpose, start, review, contact) in agreements {
        let (Some(lpo), Some(u), Some(a)) = (code_id(lpo), unit_id(unit_code), area(area_code))
        else {
            continue;
        };
        agreement::Entity::insert(agreement::ActiveModel {
            uid: Set(uuid::Uuid::new_v4().to_string()),
            lpo_id: Set(lpo),
            officer_id: Set(officer),
            municipal_unit_id: Set(u),
            special_area_id: Set(a),
            purpose: Set(purpose.to_owned()),
            starts_on: Set(today + Duration::days(start)),
            review_on: Set(today + Duration::days(review)),
            contact_person: Set(contact.to_owned()),
            status: Set("active".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The demo's promise for Kristinehamn, so the public follow-up page shows the whole loop:
/// free text coded by accepting the suggester's themes (demo only: real coding is done by
/// people), the compilation approved, a promise with two commitments signed by the LPO
/// manager and the municipality, activities, and progress.
pub async fn seed_promise(
    db: &DatabaseConnection,
    now: chrono::DateTime<Utc>,
) -> Result<(), crate::builder::BuilderError> {
    use crate::entity::{answer, answer_theme, coded_answer};
    use crate::promise::{ActivityInput, CommitmentText, Owner, PromiseText};
    let user = |email: &'static str| async move {
        staff_user::Entity::find()
            .filter(staff_user::Column::Email.eq(email))
            .one(db)
            .await
            .map(|u| u.as_ref().and_then(crate::accounts::principal))
    };
    let (Some(manager), Some(officer), Some(partner)) = (
        user("chef.kristinehamn@demo.polisen.se").await?,
        user("kommunpolis.kristinehamn@demo.polisen.se").await?,
        user("socialtjansten@demo.kristinehamn.se").await?,
    ) else {
        return Ok(());
    };
    let Some(lpo) = manager.scope_unit_id else {
        return Ok(());
    };
    let Some(kh) = partner.scope_unit_id else {
        return Ok(());
    };
    let themes = crate::themes::lpo_themes(db, lpo).await?;
    let suggester = crate::themes::suggester(&themes);
    // Code up to 600 free-text answers by their suggestions.
    let texts = answer::Entity::find()
        .filter(answer::Column::ValueText.is_not_null())
        .order_by_asc(answer::Column::Id)
        .limit(600)
        .all(db)
        .await?;
    let txn = db.begin().await?;
    for a in &texts {
        let chosen = suggester.suggest(a.value_text.as_deref().unwrap_or_default());
        coded_answer::Entity::insert(coded_answer::ActiveModel {
            answer_id: Set(a.id),
            dialogue_id: Set(1),
            coded_by: Set(Some(officer.user_id)),
            coded_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        if !chosen.is_empty() {
            answer_theme::Entity::insert_many(chosen.iter().map(|t| answer_theme::ActiveModel {
                answer_id: Set(a.id),
                theme_id: Set(*t),
                suggested: Set(true),
                accepted: Set(true),
            }))
            .exec_without_returning(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    crate::compilation::approve(db, &manager, 1, now).await?;
    let id_of = |code: &str| themes.iter().find(|t| t.code == code).map(|t| t.id);
    let (Some(drugs), Some(youth), Some(visible), Some(places)) = (
        id_of("narkotika"),
        id_of("unga"),
        id_of("synlighet"),
        id_of("otrygga_platser"),
    ) else {
        return Ok(());
    };
    let start = domain::time::stockholm_day(now) - Duration::days(40);
    let text = PromiseText {
        title: lt(
            "Medborgarlöfte Kristinehamn 2027",
            "Citizen promise Kristinehamn 2027",
        ),
        body: lt(
            "Polisen och Kristinehamns kommun lovar att tillsammans arbeta för en tryggare vardag, utifrån det ni berättade i medborgardialogen.",
            "The police and Kristinehamn municipality promise to work together for safer everyday life, based on what you told us in the citizen dialogue.",
        ),
        commitments: vec![
            CommitmentText {
                id: None,
                text: lt(
                    "Minska narkotikahandeln där unga rör sig",
                    "Reduce drug dealing where young people spend time",
                ),
                weight: 2.0,
                theme_ids: vec![drugs, youth],
            },
            CommitmentText {
                id: None,
                text: lt(
                    "Synas mer på kvällar och på otrygga platser",
                    "Be more visible in the evenings and in unsafe places",
                ),
                weight: 1.0,
                theme_ids: vec![visible, places],
            },
        ],
    };
    let id = crate::promise::create(
        db,
        &officer,
        lpo,
        &[kh],
        (start, start + Duration::days(365)),
        text,
        now,
    )
    .await?;
    crate::promise::sign(db, &manager, id, now).await?;
    crate::promise::sign(db, &partner, id, now).await?;
    crate::promise::advance(db, &manager, id, domain::promise::Status::Active, now).await?;
    let Some(v) = crate::promise::version_text(db, id, 1).await? else {
        return Ok(());
    };
    let ids: Vec<i64> = v.commitments.iter().filter_map(|c| c.id).collect();
    let plans = [
        (
            0,
            "Trygghetsvandringar vid skolorna",
            Owner::MunicipalUnit(partner.municipal_unit_id.unwrap_or(0)),
            4.0,
            "vandringar",
            2.0,
            "Vandring vid Djurgårdsskolan med föräldrar och fältassistenter",
        ),
        (
            0,
            "Riktade insatser mot langning",
            Owner::Officer(officer.user_id),
            10.0,
            "insatser",
            3.0,
            "Tre insatser vid resecentrum under helgerna",
        ),
        (
            1,
            "Fotpatrull fredag och lördag kväll",
            Owner::Officer(officer.user_id),
            40.0,
            "pass",
            14.0,
            "Fjorton kvällspass i centrum och vid busstationen",
        ),
        // Past due and short of target: shows as overdue on the staff overview.
        (
            1,
            "Möten med fastighetsägare om belysning",
            Owner::PoliceUnit(lpo),
            3.0,
            "möten",
            1.0,
            "Möte med bostadsbolaget om belysningen vid Rosendal",
        ),
    ];
    let today = domain::time::stockholm_day(now);
    for (i, (c, title, owner, target, unit, amount, note)) in plans.into_iter().enumerate() {
        let due_on = if i == 3 {
            today - Duration::days(7)
        } else {
            start + Duration::days(300)
        };
        let Some(commitment) = ids.get(c) else {
            continue;
        };
        let a = crate::promise::add_activity(
            db,
            &officer,
            *commitment,
            &ActivityInput {
                title: title.to_owned(),
                owner,
                target,
                unit: unit.to_owned(),
                due_on,
                weight: 1.0,
            },
            now,
        )
        .await?;
        let logged = crate::promise::log_progress(
            db,
            &officer,
            a,
            today - Duration::days(10),
            note,
            amount,
            now,
        )
        .await?;
        // A typo put right in the open: the public page and the feed show both entries.
        if i == 2 {
            crate::progress::correct(
                db,
                &officer,
                id,
                logged,
                Some(12.0),
                Some("Tolv kvällspass i centrum och vid busstationen"),
                "Två inställda pass räknades av misstag",
                now,
            )
            .await?;
        }
    }
    Ok(())
}
