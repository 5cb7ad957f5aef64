//! The UI catalogue (`locales/app.yml`, via rust-i18n). Swedish is the default; English always works.

pub use domain::Lang;
use leptos::prelude::*;

/// The catalogue text for `key` in `lang`.
pub fn tr(lang: Lang, key: &str) -> String {
    rust_i18n::t!(key, locale = lang.code()).into_owned()
}

/// Like [`tr`], filling `%{name}` placeholders.
pub fn tr_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key);
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// The language of the page being rendered (provided by the shell).
pub fn current_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Picks the language from `?lang=`, then the `lang` cookie, else Swedish.
/// A `?lang=` choice is remembered in a cookie.
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::request_lang()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

/// A link to the current page in the other language.
pub fn switch_href(path: &str, lang: Lang) -> String {
    let other = match lang {
        Lang::Sv => Lang::En,
        Lang::En => Lang::Sv,
    };
    format!("{path}?lang={}", other.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_both_languages() {
        assert_eq!(tr(Lang::Sv, "survey.submit"), "Skicka svar");
        assert_eq!(tr(Lang::En, "survey.submit"), "Send answers");
        assert_eq!(
            tr_with(Lang::En, "survey.chars_max", &[("n", "10")]),
            "At most 10 characters."
        );
    }
}

#[cfg(test)]
mod catalogue {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// The catalogue as written: each key with the languages that give it a text.
    fn catalogue(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
        let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("locales")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no catalogue in {}", dir.display());
        for f in files {
            let text = std::fs::read_to_string(&f).expect("catalogue file");
            let mut current: Option<String> = None;
            for line in text.lines() {
                if line.trim().is_empty() || line.starts_with('#') || line.starts_with("_version") {
                    continue;
                }
                if let Some(key) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
                    assert!(
                        keys.insert(key.to_owned(), BTreeSet::new()).is_none(),
                        "{key} is in the catalogue twice"
                    );
                    current = Some(key.to_owned());
                } else if let (Some(key), Some((lang, value))) =
                    (&current, line.trim_start().split_once(": "))
                {
                    if !value.trim().is_empty() {
                        keys.entry(key.clone()).or_default().insert(lang.to_owned());
                    }
                } else {
                    panic!("{}: a line this test cannot read: {line}", f.display());
                }
            }
        }
        keys
    }

    /// Every `.rs` file under `dir`.
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("source dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    /// The string literals in `text` shaped like a catalogue key (`word.word…`).
    fn key_literals(text: &str) -> Vec<&str> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.contains('.')
                    && s.starts_with(|c: char| c.is_ascii_lowercase())
                    && s.split('.').all(|part| {
                        !part.is_empty()
                            && part
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    })
            })
            .collect()
    }

    #[test]
    fn every_key_used_in_code_has_a_swedish_and_an_english_text() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let keys = catalogue(&root.join("locales"));
        for (key, langs) in &keys {
            for lang in ["sv", "en"] {
                assert!(langs.contains(lang), "{key} has no {lang} text");
            }
        }
        // A literal is a key when it starts like the catalogue's keys do.
        let families: BTreeSet<&str> = keys.keys().filter_map(|k| k.split('.').next()).collect();
        let mut files = Vec::new();
        for krate in ["app", "server", "db", "domain"] {
            sources(&root.join("..").join(krate).join("src"), &mut files);
        }
        let mut used = 0;
        let mut missing = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).expect("source");
            for k in key_literals(&text) {
                let family = k.split('.').next().unwrap_or_default();
                let file_name = [".js", ".css", ".svg", ".csv", ".json", ".xlsx", ".wasm"]
                    .iter()
                    .any(|ext| k.ends_with(ext));
                if !families.contains(family) || file_name {
                    continue;
                }
                used += 1;
                if !keys.contains_key(k) {
                    missing.push(format!("{k} ({})", f.display()));
                }
            }
        }
        assert!(
            used > 300,
            "the scan found only {used} keys: is it reading the sources?"
        );
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }
}
