//! Theme coding of free text, as staff see it.

use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeLine {
    pub id: i64,
    pub code: String,
    pub name: LocalizedText,
    pub keywords: Vec<String>,
}

/// A free-text answer waiting to be coded, with the suggester's proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodingItem {
    pub answer_id: i64,
    pub question: LocalizedText,
    pub text: String,
    pub suggested: Vec<i64>,
    /// The themes an officer chose, when the answer was coded already (recoding).
    pub chosen: Option<Vec<i64>>,
    /// Catalogue keys of the quick check's warnings (name, phone, e-mail, personnummer).
    pub warnings: Vec<String>,
    pub hidden: bool,
}

/// The coding page of one dialogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coding {
    pub dialogue_id: i64,
    pub title: LocalizedText,
    pub themes: Vec<ThemeLine>,
    /// The answers the filter finds, one page of them, oldest first.
    pub queue: Vec<CodingItem>,
    /// What `queue` shows: the filter and page, as in the URL.
    pub filter: QueueFilter,
    /// How many answers the filter finds in all (the pager's total).
    pub matching: u64,
    pub coded: u64,
    pub remaining: u64,
    /// Retired themes (merged ones name where their answers went), to restore.
    pub retired: Vec<(ThemeLine, Option<i64>)>,
    /// Themes with history (coded answers or a commitment): retired, never deleted.
    pub in_use: Vec<i64>,
    /// Suggestions decided so far, and how many of them were accepted.
    pub suggestions_decided: u64,
    pub suggestions_accepted: u64,
    /// Themes by how many coded answers carry them: `(theme id, count)`, before suppression
    /// (staff working view; every public figure goes through the n<5 rule).
    pub counts: Vec<(i64, u64)>,
}

/// How many answers the coding page shows at once.
pub const QUEUE_PAGE: u64 = 20;

/// The answers queue's view, kept in the URL: `?visa=kodade&tema=3&sok=buss&sida=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Coded answers (to review and recode) instead of the ones still to code.
    pub coded: bool,
    /// Only coded answers carrying this theme.
    pub theme: Option<i64>,
    /// Only answers containing this text (any case).
    pub text: String,
    /// 1-based.
    pub page: u64,
}

impl QueueFilter {
    /// Reads the URL's query pairs; what cannot be read falls back to the default view.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> QueueFilter {
        let mut f = QueueFilter {
            page: 1,
            ..QueueFilter::default()
        };
        for (k, v) in pairs {
            match k {
                "visa" => f.coded = v == "kodade",
                "tema" => f.theme = v.parse().ok(),
                "sok" => f.text = v.trim().chars().take(100).collect(),
                "sida" => f.page = v.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        // A theme narrows coded answers only.
        if !f.coded {
            f.theme = None;
        }
        f
    }

    /// The query pairs of this view at `page` (the default view has none).
    pub fn pairs(&self, page: u64) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.coded {
            out.push(("visa", "kodade".to_owned()));
        }
        if let Some(t) = self.theme {
            out.push(("tema", t.to_string()));
        }
        if !self.text.is_empty() {
            out.push(("sok", self.text.clone()));
        }
        if page > 1 {
            out.push(("sida", page.to_string()));
        }
        out
    }

    /// Rows to skip for this page.
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1) * QUEUE_PAGE
    }
}

/// What staff do to a theme of the LPO's list (besides renaming it and its keywords, which
/// is always allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChange {
    Retire,
    Restore,
    /// Moves every coded answer to the other theme, and retires this one.
    MergeInto(i64),
    Delete,
}

/// What is known of a theme when a change is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThemeState {
    pub id: i64,
    pub retired: bool,
    /// Coded answers or a commitment refer to it.
    pub has_history: bool,
}

/// The rule of change for themes: the catalogue key of why `change` is refused, or `None`.
/// A theme with history is retired or merged, never deleted; a retired theme is restored
/// before it takes part again; answers merge only into a theme in use.
pub fn theme_change_refusal(
    change: ThemeChange,
    theme: &ThemeState,
    target: Option<&ThemeState>,
) -> Option<&'static str> {
    match change {
        ThemeChange::Retire if theme.retired => Some("themes.already_retired"),
        ThemeChange::Restore if !theme.retired => Some("themes.not_retired"),
        ThemeChange::Delete if theme.has_history => Some("themes.has_history"),
        ThemeChange::MergeInto(into) => match target {
            _ if into == theme.id => Some("themes.merge_self"),
            _ if theme.retired => Some("themes.merge_retired"),
            None => Some("themes.merge_unknown"),
            Some(t) if t.retired => Some("themes.merge_retired"),
            Some(_) => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IN_USE: ThemeState = ThemeState {
        id: 1,
        retired: false,
        has_history: true,
    };
    const UNUSED: ThemeState = ThemeState {
        id: 2,
        retired: false,
        has_history: false,
    };
    const RETIRED: ThemeState = ThemeState {
        id: 3,
        retired: true,
        has_history: true,
    };

    #[test]
    fn the_rules_of_change_for_themes_row_by_row() {
        use ThemeChange::*;
        let rows: &[(ThemeChange, ThemeState, Option<ThemeState>, Option<&str>)] = &[
            (Retire, IN_USE, None, None),
            (Retire, RETIRED, None, Some("themes.already_retired")),
            (Restore, RETIRED, None, None),
            (Restore, IN_USE, None, Some("themes.not_retired")),
            (Delete, UNUSED, None, None),
            (Delete, IN_USE, None, Some("themes.has_history")),
            (Delete, RETIRED, None, Some("themes.has_history")),
            (MergeInto(2), IN_USE, Some(UNUSED), None),
            (
                MergeInto(1),
                IN_USE,
                Some(IN_USE),
                Some("themes.merge_self"),
            ),
            (MergeInto(9), IN_USE, None, Some("themes.merge_unknown")),
            (
                MergeInto(3),
                IN_USE,
                Some(RETIRED),
                Some("themes.merge_retired"),
            ),
            (
                MergeInto(2),
                RETIRED,
                Some(UNUSED),
                Some("themes.merge_retired"),
            ),
        ];
        for (change, theme, target, want) in rows {
            assert_eq!(
                theme_change_refusal(*change, theme, target.as_ref()),
                *want,
                "{change:?} of {theme:?} into {target:?}"
            );
        }
    }

    #[test]
    fn the_queue_filter_round_trips_through_the_url() {
        let f = QueueFilter::from_pairs([
            ("visa", "kodade"),
            ("tema", "4"),
            ("sok", " buss "),
            ("sida", "3"),
        ]);
        assert_eq!(
            f,
            QueueFilter {
                coded: true,
                theme: Some(4),
                text: "buss".to_owned(),
                page: 3
            }
        );
        assert_eq!(f.offset(), 2 * QUEUE_PAGE);
        let pairs = f.pairs(3);
        let back = QueueFilter::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, f);
        // The default view has a clean URL; nonsense falls back to it.
        assert!(QueueFilter::from_pairs([]).pairs(1).is_empty());
        let odd = QueueFilter::from_pairs([("sida", "-2"), ("tema", "x"), ("visa", "alla")]);
        assert_eq!(odd.page, 1);
        assert_eq!(odd.theme, None);
        assert!(!odd.coded);
        // A theme narrows coded answers only.
        assert_eq!(QueueFilter::from_pairs([("tema", "4")]).theme, None);
    }
}
