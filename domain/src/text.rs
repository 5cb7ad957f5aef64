//! Texts in several languages without a schema change (sv is the fallback).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// UI languages the catalogue covers. Swedish is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Parses a language tag such as `en`, `en-GB` or `sv-SE`; unknown tags give `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Text direction for the `dir` attribute; ready for right-to-left languages.
    pub fn dir(self) -> &'static str {
        "ltr"
    }
}

/// A text keyed by language tag, e.g. `{"sv": "…", "en": "…"}`. Stored as JSON, so a new
/// language (also a right-to-left one) needs no schema change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    pub fn new(sv: &str, en: &str) -> Self {
        let mut m = BTreeMap::new();
        m.insert("sv".to_owned(), sv.to_owned());
        m.insert("en".to_owned(), en.to_owned());
        LocalizedText(m)
    }

    /// The text in `lang`, falling back to Swedish, then to any language present.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(lang.code())
            .or_else(|| self.0.get("sv"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_swedish() {
        let mut t = LocalizedText::new("Hej", "Hello");
        assert_eq!(t.get(Lang::En), "Hello");
        t.0.remove("en");
        assert_eq!(t.get(Lang::En), "Hej");
    }

    #[test]
    fn parses_tags() {
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("SV"), Some(Lang::Sv));
        assert_eq!(Lang::parse("fr"), None);
    }
}
