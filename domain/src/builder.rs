//! The staff side of a citizen dialogue: the shared question bank, the dialogue builder and
//! its distribution. Pure types and parsing; storage and scope checks live in `db::builder`.

use crate::survey::{Choice, Condition, DONT_KNOW, MAX_TEXT_LEN, QuestionKind};
use crate::text::LocalizedText;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

/// Field → catalogue key of the message shown at that field.
pub type FormErrors = Vec<(String, String)>;

/// The kinds a question can have, by their form code.
pub const KIND_CODES: [&str; 5] = ["scale", "single", "multi", "text", "area"];

pub fn kind_code(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Scale { .. } => "scale",
        QuestionKind::Single { .. } => "single",
        QuestionKind::Multi { .. } => "multi",
        QuestionKind::Text { .. } => "text",
        QuestionKind::Area => "area",
    }
}

/// The answer codes a condition on a question of `kind` may name (`None`: any area code).
pub fn answer_codes(kind: &QuestionKind) -> Option<Vec<String>> {
    match kind {
        QuestionKind::Scale { dont_know, .. } => {
            let mut v: Vec<String> = (1..=5).map(|n| n.to_string()).collect();
            if *dont_know {
                v.push(DONT_KNOW.to_owned());
            }
            Some(v)
        }
        QuestionKind::Single { options } | QuestionKind::Multi { options } => {
            Some(options.iter().map(|o| o.code.clone()).collect())
        }
        QuestionKind::Text { .. } => Some(Vec::new()),
        QuestionKind::Area => None,
    }
}

/// An item of the shared question bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankItem {
    pub id: i64,
    pub code: String,
    pub text: LocalizedText,
    pub kind: QuestionKind,
    pub revision: i32,
    /// Retired: no longer offered to new dialogues; the copies already made stay.
    #[serde(default)]
    pub retired: bool,
}

/// What may be done with a bank item beside editing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankChange {
    /// No longer offered to new dialogues (dialogues keep their copies).
    Retire,
    Restore,
    /// Gone for good: only an item no dialogue has copied.
    Delete,
}

impl BankChange {
    pub fn parse(code: &str) -> Option<BankChange> {
        match code {
            "retire" => Some(BankChange::Retire),
            "restore" => Some(BankChange::Restore),
            "delete" => Some(BankChange::Delete),
            _ => None,
        }
    }
}

/// Why `change` is refused (catalogue key), or `None`. The rule of change: an item in use (a
/// dialogue holds a copy of it, and the regional comparison reads through it) is retired,
/// never deleted; retiring and restoring go back and forth.
pub fn bank_change_refusal(
    change: BankChange,
    retired: bool,
    in_use: bool,
) -> Option<&'static str> {
    match change {
        BankChange::Retire if retired => Some("bank.already_retired"),
        BankChange::Restore if !retired => Some("bank.not_retired"),
        BankChange::Delete if in_use => Some("bank.in_use"),
        _ => None,
    }
}

/// A question of a dialogue as staff see it in the builder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderQuestion {
    pub id: i64,
    pub position: i32,
    pub required: bool,
    pub text: LocalizedText,
    pub kind: QuestionKind,
    pub condition: Option<Condition>,
    /// The bank item it was copied from, so LPOs can compare.
    pub bank_item_id: Option<i64>,
    pub revision: i32,
    /// Earlier wordings, oldest first: (revision, text).
    pub history: Vec<(i32, LocalizedText)>,
}

/// A target group of a dialogue with its public link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderGroup {
    pub id: i64,
    pub name: LocalizedText,
    pub target_count: i32,
    pub link_code: String,
    pub has_invite: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskLine {
    pub id: i64,
    /// A wall-screen display link rather than a kiosk.
    pub display: bool,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueSummary {
    pub id: i64,
    pub title: LocalizedText,
    pub lpo_name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub groups: usize,
    pub questions: usize,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueDetail {
    pub id: i64,
    pub title: LocalizedText,
    pub intro: LocalizedText,
    pub lpo_name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Opened: questions and options are frozen, only wording fixes are allowed.
    pub frozen: bool,
    pub phase: crate::dialogue::Phase,
    /// Hidden from the lists, restorable.
    pub archived: bool,
    /// Has answers, a compilation or a follow-up: archived, never deleted.
    pub history: bool,
    /// The stored version of its settings (optimistic concurrency).
    pub version: i32,
    pub municipalities: Vec<String>,
    pub groups: Vec<BuilderGroup>,
    pub questions: Vec<BuilderQuestion>,
    pub bank: Vec<BankItem>,
    pub kiosks: Vec<KioskLine>,
}

/// The create-dialogue form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogueInput {
    pub title_sv: String,
    pub title_en: String,
    pub intro_sv: String,
    pub intro_en: String,
    /// `YYYY-MM-DD`, a Stockholm date: the dialogue opens at its start.
    pub opens_on: String,
    /// `YYYY-MM-DD`, a Stockholm date: the dialogue closes at its end.
    pub closes_on: String,
    pub municipalities: Vec<String>,
    pub groups: Vec<GroupInput>,
    pub bank_items: Vec<String>,
    /// The id of the earlier dialogue this one follows up, or empty.
    #[serde(default)]
    pub follow_up_of: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    pub target_group_id: String,
    pub target: String,
    pub invite_code: String,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

impl DialogueInput {
    /// Reads the plain form: `municipality` and `bank_item` repeat; a group is picked with
    /// `group` = its id, with `target_{id}` and `invite_{id}`.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        DialogueInput {
            title_sv: field(fields, "title_sv").to_owned(),
            title_en: field(fields, "title_en").to_owned(),
            intro_sv: field(fields, "intro_sv").to_owned(),
            intro_en: field(fields, "intro_en").to_owned(),
            opens_on: field(fields, "opens_on").to_owned(),
            closes_on: field(fields, "closes_on").to_owned(),
            municipalities: all(fields, "municipality"),
            groups: all(fields, "group")
                .into_iter()
                .map(|id| GroupInput {
                    target: field(fields, &format!("target_{id}")).to_owned(),
                    invite_code: field(fields, &format!("invite_{id}")).to_owned(),
                    target_group_id: id,
                })
                .collect(),
            bank_items: all(fields, "bank_item"),
            follow_up_of: field(fields, "follow_up_of").trim().to_owned(),
        }
    }
}

/// A question form as typed (bank items and dialogue questions share it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionInput {
    /// Bank items only: a stable code.
    pub code: String,
    pub text_sv: String,
    pub text_en: String,
    pub kind: String,
    pub dont_know: bool,
    pub low_sv: String,
    pub low_en: String,
    pub high_sv: String,
    pub high_en: String,
    /// One option a line: `Svensk text | English text`.
    pub options: String,
    pub max_len: String,
    pub required: bool,
    /// The id of an earlier question, or empty.
    pub condition_question: String,
    /// Answer codes, separated by commas.
    pub condition_codes: String,
}

impl QuestionInput {
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let on = |k: &str| matches!(field(fields, k), "1" | "on" | "true");
        QuestionInput {
            code: field(fields, "code").to_owned(),
            text_sv: field(fields, "text_sv").to_owned(),
            text_en: field(fields, "text_en").to_owned(),
            kind: field(fields, "kind").to_owned(),
            dont_know: on("dont_know"),
            low_sv: field(fields, "low_sv").to_owned(),
            low_en: field(fields, "low_en").to_owned(),
            high_sv: field(fields, "high_sv").to_owned(),
            high_en: field(fields, "high_en").to_owned(),
            options: field(fields, "options").to_owned(),
            max_len: field(fields, "max_len").to_owned(),
            required: on("required"),
            condition_question: field(fields, "condition_question").to_owned(),
            condition_codes: field(fields, "condition_codes").to_owned(),
        }
    }

    /// The form prefilled from a stored question.
    pub fn from_question(
        text: &LocalizedText,
        kind: &QuestionKind,
        required: bool,
        condition: Option<&Condition>,
    ) -> Self {
        let sv = |t: &LocalizedText| t.exact("sv").unwrap_or_default().to_owned();
        let en = |t: &LocalizedText| t.exact("en").unwrap_or_default().to_owned();
        let mut input = QuestionInput {
            text_sv: sv(text),
            text_en: en(text),
            kind: kind_code(kind).to_owned(),
            required,
            max_len: "500".to_owned(),
            ..Default::default()
        };
        match kind {
            QuestionKind::Scale {
                dont_know,
                low,
                high,
            } => {
                input.dont_know = *dont_know;
                input.low_sv = sv(low);
                input.low_en = en(low);
                input.high_sv = sv(high);
                input.high_en = en(high);
            }
            QuestionKind::Single { options } | QuestionKind::Multi { options } => {
                input.options = options
                    .iter()
                    .map(|o| format!("{} | {}", sv(&o.label), en(&o.label)))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            QuestionKind::Text { max_len } => input.max_len = max_len.to_string(),
            QuestionKind::Area => {}
        }
        if let Some(c) = condition {
            input.condition_question = c.question_id.to_string();
            input.condition_codes = c.any_of.join(", ");
        }
        input
    }

    /// The condition's codes as typed.
    pub fn condition_code_list(&self) -> Vec<String> {
        self.condition_codes
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Longest title, option or scale-end text.
pub const MAX_LABEL_LEN: usize = 300;
/// Longest question or intro text.
pub const MAX_LONG_TEXT_LEN: usize = 2000;
/// At most this many options on a choice question.
pub const MAX_OPTIONS: usize = 30;

fn localized(sv: &str, en: &str) -> LocalizedText {
    LocalizedText::new(sv.trim(), en.trim())
}

/// Turns a label into an option code: lowercase ASCII letters, digits and dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        let mapped = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if mapped == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(mapped);
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "alt".to_owned()
    } else {
        out
    }
}

/// Parses a question form into its text and kind. `previous` holds the current options of an
/// edited question: a line keeps the code of the option at its position.
pub fn parse_question(
    input: &QuestionInput,
    previous: &[Choice],
) -> Result<(LocalizedText, QuestionKind), FormErrors> {
    let mut errors: FormErrors = Vec::new();
    let mut err = |f: &str, k: &str| errors.push((f.to_owned(), k.to_owned()));
    let text_sv = input.text_sv.trim();
    let text_en = input.text_en.trim();
    if text_sv.is_empty() {
        err("text_sv", "form.required");
    } else if text_sv.chars().count() > MAX_LONG_TEXT_LEN {
        err("text_sv", "form.too_long");
    }
    if text_en.is_empty() {
        err("text_en", "form.required");
    } else if text_en.chars().count() > MAX_LONG_TEXT_LEN {
        err("text_en", "form.too_long");
    }
    let too_long = |s: &str| s.trim().chars().count() > MAX_LABEL_LEN;
    let kind = match input.kind.trim() {
        "scale" => {
            for f in ["low_sv", "low_en", "high_sv", "high_en"] {
                let v = match f {
                    "low_sv" => &input.low_sv,
                    "low_en" => &input.low_en,
                    "high_sv" => &input.high_sv,
                    _ => &input.high_en,
                };
                if too_long(v) {
                    err(f, "form.too_long");
                }
            }
            Some(QuestionKind::Scale {
                dont_know: input.dont_know,
                low: localized(&input.low_sv, &input.low_en),
                high: localized(&input.high_sv, &input.high_en),
            })
        }
        k @ ("single" | "multi") => {
            let mut options: Vec<Choice> = Vec::new();
            let mut bad = false;
            for (i, line) in input
                .options
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .enumerate()
            {
                let (sv, en) = match line.split_once('|') {
                    Some((sv, en)) if !en.trim().is_empty() => (sv.trim(), en.trim()),
                    Some((sv, _)) => (sv.trim(), sv.trim()),
                    None => (line, line),
                };
                if sv.is_empty() || too_long(sv) || too_long(en) {
                    bad = true;
                    continue;
                }
                let code = match previous.get(i) {
                    Some(p) => p.code.clone(),
                    None => {
                        let base = slug(sv);
                        let mut code = base.clone();
                        let mut n = 2;
                        while code == DONT_KNOW
                            || options.iter().any(|o| o.code == code)
                            || previous.iter().any(|o| o.code == code)
                        {
                            code = format!("{base}-{n}");
                            n += 1;
                        }
                        code
                    }
                };
                options.push(Choice {
                    code,
                    label: LocalizedText::new(sv, en),
                });
            }
            if bad {
                err("options", "builder.bad_option");
            } else if options.len() < 2 {
                err("options", "builder.two_options");
            } else if options.len() > MAX_OPTIONS {
                err("options", "builder.too_many_options");
            }
            Some(if k == "single" {
                QuestionKind::Single { options }
            } else {
                QuestionKind::Multi { options }
            })
        }
        "text" => match input.max_len.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_TEXT_LEN).contains(&n) => Some(QuestionKind::Text { max_len: n }),
            _ => {
                err("max_len", "builder.bad_max_len");
                None
            }
        },
        "area" => Some(QuestionKind::Area),
        _ => {
            err("kind", "form.pick_one");
            None
        }
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok((localized(text_sv, text_en), kind)),
        _ => Err(errors),
    }
}

/// Whether `new` differs from `old` only in wording: same kind, same option codes in the
/// same order, same "vet ej" and maximum length.
pub fn same_structure(old: &QuestionKind, new: &QuestionKind) -> bool {
    match (old, new) {
        (QuestionKind::Scale { dont_know: a, .. }, QuestionKind::Scale { dont_know: b, .. }) => {
            a == b
        }
        (QuestionKind::Single { options: a }, QuestionKind::Single { options: b })
        | (QuestionKind::Multi { options: a }, QuestionKind::Multi { options: b }) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.code == y.code)
        }
        (QuestionKind::Text { max_len: a }, QuestionKind::Text { max_len: b }) => a == b,
        (QuestionKind::Area, QuestionKind::Area) => true,
        _ => false,
    }
}

/// The instant a Stockholm calendar day starts.
pub fn stockholm_start_of(day: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    Stockholm
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// An invitation code: 4–40 letters, digits or dashes (empty: an open group).
pub fn valid_invite_code(s: &str) -> bool {
    (4..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bank_items_rule_of_change_row_by_row() {
        use super::BankChange::*;
        use super::bank_change_refusal as r;
        assert_eq!(r(Retire, false, true), None);
        assert_eq!(r(Retire, true, true), Some("bank.already_retired"));
        assert_eq!(r(Restore, true, false), None);
        assert_eq!(r(Restore, false, false), Some("bank.not_retired"));
        assert_eq!(r(Delete, false, false), None);
        assert_eq!(r(Delete, true, false), None);
        assert_eq!(r(Delete, false, true), Some("bank.in_use"));
        assert_eq!(super::BankChange::parse("delete"), Some(Delete));
        assert_eq!(super::BankChange::parse("drop"), None);
    }

    use super::*;

    #[test]
    fn slugs_swedish_labels() {
        assert_eq!(slug("Nedskräpning"), "nedskrapning");
        assert_eq!(slug("  Skadegörelse / klotter "), "skadegorelse-klotter");
        assert_eq!(slug("!!"), "alt");
    }

    #[test]
    fn parses_options_and_keeps_codes() {
        let input = QuestionInput {
            text_sv: "Vilka problem?".into(),
            text_en: "Which problems?".into(),
            kind: "multi".into(),
            options: "Trafik | Traffic\nInbrott\nTrafik".into(),
            ..Default::default()
        };
        let (_, kind) = parse_question(&input, &[]).expect("valid");
        let QuestionKind::Multi { options } = &kind else {
            panic!("multi")
        };
        let codes: Vec<_> = options.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, ["trafik", "inbrott", "trafik-2"]);
        let fixed = QuestionInput {
            options: "Trafiken | The traffic\nInbrott | Burglary\nTrafik".into(),
            ..input
        };
        let (_, again) = parse_question(&fixed, options).expect("valid");
        assert!(same_structure(&kind, &again));
    }

    #[test]
    fn refuses_bad_forms() {
        let errors = parse_question(
            &QuestionInput {
                kind: "text".into(),
                max_len: "0".into(),
                ..Default::default()
            },
            &[],
        )
        .expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["text_sv", "text_en", "max_len"]);
    }

    #[test]
    fn stockholm_day_start() {
        let d = NaiveDate::from_ymd_opt(2027, 6, 1).expect("date");
        assert_eq!(
            stockholm_start_of(d).map(|t| t.to_rfc3339()),
            Some("2027-05-31T22:00:00+00:00".to_owned())
        );
    }
}
