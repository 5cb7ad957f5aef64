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
