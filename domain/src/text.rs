//! Texts in several languages without a schema change (sv is the fallback).

use serde::{Deserialize, Serialize};

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
///
/// Held as a short list of `(tag, text)` pairs rather than a map: a text has two or three
/// languages, and the list keeps the browser bundle small.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalizedText(pub Vec<(String, String)>);

impl LocalizedText {
    pub fn new(sv: &str, en: &str) -> Self {
        LocalizedText(vec![
            ("sv".to_owned(), sv.to_owned()),
            ("en".to_owned(), en.to_owned()),
        ])
    }

    /// The text for the exact language tag, if present.
    pub fn exact(&self, tag: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == tag)
            .map(|(_, v)| v.as_str())
    }

    /// Sets the text for a language tag.
    pub fn insert(&mut self, tag: &str, text: &str) {
        match self.0.iter_mut().find(|(k, _)| k == tag) {
            Some(entry) => entry.1 = text.to_owned(),
            None => self.0.push((tag.to_owned(), text.to_owned())),
        }
    }

    pub fn remove(&mut self, tag: &str) {
        self.0.retain(|(k, _)| k != tag);
    }

    /// The text in `lang`, falling back to Swedish, then to any language present.
    pub fn get(&self, lang: Lang) -> &str {
        self.exact(lang.code())
            .or_else(|| self.exact("sv"))
            .or_else(|| self.0.first().map(|(_, v)| v.as_str()))
            .unwrap_or("")
    }
}

impl Serialize for LocalizedText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Texts;
        impl<'de> serde::de::Visitor<'de> for Texts {
            type Value = LocalizedText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from language tag to text")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<LocalizedText, A::Error> {
                let mut t = LocalizedText::default();
                while let Some((k, v)) = access.next_entry::<String, String>()? {
                    t.insert(&k, &v);
                }
                Ok(t)
            }
        }
        deserializer.deserialize_map(Texts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_swedish() {
        let mut t = LocalizedText::new("Hej", "Hello");
        assert_eq!(t.get(Lang::En), "Hello");
        t.remove("en");
        assert_eq!(t.get(Lang::En), "Hej");
    }

    #[test]
    fn stored_json_is_a_map_and_round_trips() {
        let t = LocalizedText::new("Hej", "Hello");
        let json = serde_json::to_string(&t).expect("json");
        assert_eq!(json, r#"{"sv":"Hej","en":"Hello"}"#);
        let back: LocalizedText =
            serde_json::from_str(r#"{"en":"Hi","ar":"مرحبا","sv":"Hej"}"#).expect("parse");
        assert_eq!(back.exact("ar"), Some("مرحبا"));
        assert_eq!(back.get(Lang::Sv), "Hej");
        assert_eq!(
            serde_json::from_str::<LocalizedText>(&json).expect("parse"),
            t
        );
    }

    #[test]
    fn parses_tags() {
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("SV"), Some(Lang::Sv));
        assert_eq!(Lang::parse("fr"), None);
    }
}
