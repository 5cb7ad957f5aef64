//! Synthetic answers for the demo dialogue, spread plausibly over groups, areas and days,
//! with some groups behind their pace. Written through the real write path (`prepare` and
//! `commit_batch`), so the tallies and the time series are exactly what live answers make.

use crate::survey::{Gate, Loaded, Prepared, SubmitRequest, commit_batch, load, prepare};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::Arc;

/// The demo groups' links and their shares of the synthetic answers.
const SHARES: [(&str, u64); 6] = [
    ("kh-invanare", 650),
    ("kh-foretagare", 60),
    ("kh-kommunanstallda", 80),
    ("kh-politiker", 3),
    ("kh-unga", 150),
    ("kh-pensionarer", 60),
];

const EXPECT: [&str; 8] = [
    "Att polisen syns ute i centrum, särskilt på kvällar och helger.",
    "Snabb hjälp när man ringer och att man får återkoppling.",
    "Att polisen pratar med ungdomarna och finns vid skolorna.",
    "Mer närvaro i bostadsområdena, inte bara i bil.",
    "Att ni tar bostadsinbrott och bedrägrier mot äldre på allvar.",
    "Trygghet på busstationen och vid resecentrum.",
    "Att ni samarbetar med kommunen om belysning och otrygga platser.",
    "Hårdare tag mot narkotikaförsäljning.",
];

const MORE: [&str; 6] = [
    "Trafiken vid skolorna, fortkörning på morgonen.",
    "Narkotika bland unga.",
    "Fler trygghetsvandringar.",
    "Mopedbuset på kvällarna.",
    "Inbrott i förråd och bilar.",
    "",
];

/// A small deterministic generator (xorshift64), so the demo looks the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m.max(1)
    }

    /// A 1–5 answer leaning towards `mode`.
    fn scale(&mut self, mode: i64) -> String {
        let r = self.next(100) as i64;
        if r < 6 {
            return domain::DONT_KNOW.to_owned();
        }
        let spread = [-3, -2, -1, -1, 0, 0, 0, 0, 1, 1][self.next(10) as usize];
        (mode + spread).clamp(1, 5).to_string()
    }
}

/// Stores `n` synthetic answers in the demo dialogue, spread over the days it has been open.
pub async fn seed_answers(
    db: &DatabaseConnection,
    n: u64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if n == 0 {
        return Ok(());
    }
    let mut groups: Vec<(Arc<Loaded>, u64)> = Vec::new();
    for (link, share) in SHARES {
        if let Some(l) = load(db, link).await? {
            groups.push((Arc::new(l), share));
        }
    }
    let Some(first) = groups.first().map(|g| g.0.survey.clone()) else {
        return Ok(());
    };
    let total_share: u64 = groups.iter().map(|g| g.1).sum();
    let q: Vec<i64> = first.questionnaire.questions.iter().map(|q| q.id).collect();
    let areas: Vec<String> = first
        .questionnaire
        .areas
        .iter()
        .map(|a| a.code.clone())
        .collect();
    let days = (now - first.opens_at).num_days().max(1) as u64;
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut batch: Vec<Prepared> = Vec::new();
    for i in 0..n {
        let mut pick = rng.next(total_share);
        let (loaded, _) = groups
            .iter()
            .find(|(_, share)| {
                if pick < *share {
                    true
                } else {
                    pick -= share;
                    false
                }
            })
            .unwrap_or(&groups[0]);
        // More answers in recent days and in the evening.
        let day = ((rng.next(days * days) as f64).sqrt() as u64).min(days - 1);
        let hour = [8, 10, 12, 15, 17, 18, 19, 19, 20, 20, 21, 22][rng.next(12) as usize];
        let at = first.opens_at
            + Duration::days(day as i64)
            + Duration::hours(hour)
            + Duration::minutes(rng.next(60) as i64);
        let at = at.min(now - Duration::minutes(1));
        let safety = rng.scale(4);
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut put = |idx: usize, v: String| {
            if let Some(id) = q.get(idx) {
                fields.push((domain::field_name(*id), v));
            }
        };
        put(0, EXPECT[rng.next(EXPECT.len() as u64) as usize].to_owned());
        put(1, MORE[rng.next(MORE.len() as u64) as usize].to_owned());
        if safety == "1" || safety == "2" {
            put(
                3,
                "Dålig belysning och folk som hänger vid stationen.".to_owned(),
            );
        }
        put(2, safety);
        for code in [
            "nedskrapning",
            "skadegorelse",
            "narkotika",
            "trafik",
            "inbrott",
        ] {
            if rng.next(100) < 30 {
                put(4, code.to_owned());
            }
        }
        put(5, rng.scale(3));
        put(6, rng.scale(4));
        if !areas.is_empty() && rng.next(100) < 85 {
            put(7, areas[rng.next(areas.len() as u64) as usize].clone());
        }
        put(
            8,
            ["18-29", "30-49", "50-64", "65+", "u18"][rng.next(5) as usize].to_owned(),
        );
        let sid = format!("{:032x}", 0xdead_0000_0000_0000_u128 + u128::from(i));
        let gate = match rng.next(100) {
            0..=4 => Gate::Paper,
            5..=24 => Gate::Public {
                browser: None,
                invite: None,
                via_qr: true,
            },
            _ => Gate::Public {
                browser: None,
                invite: None,
                via_qr: false,
            },
        };
        // Closed groups answer at the meeting: no invitation code in synthetic data.
        let gate = if loaded.survey.invite_required {
            Gate::Paper
        } else {
            gate
        };
        let req = SubmitRequest {
            link_code: &loaded.survey.link_code,
            submission_id: &sid,
            gate,
            fields: &fields,
            now: at,
        };
        match prepare(db, loaded.clone(), &req).await {
            Ok(p) => batch.push(p),
            Err(e) => tracing::warn!(error = %e, "a synthetic answer was refused"),
        }
        if batch.len() >= 500 {
            commit_batch(db, &batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        commit_batch(db, &batch).await?;
    }
    Ok(())
}
