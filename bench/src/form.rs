//! Reads the survey form a page serves and fills it in as a respondent would: one choice per
//! radio group, one or two boxes, an area, and a sentence in each required text field (and in
//! half of the optional ones). Hidden fields (submission id, form token, language) are taken
//! from each page as served.

use crate::stats::Rng;

#[derive(Debug, Clone, PartialEq)]
enum Field {
    /// The honeypot: sent empty, as a person's browser does.
    Honeypot(String),
    Text {
        name: String,
        required: bool,
        max: usize,
    },
    Radio(String, Vec<String>),
    Check(String, Vec<String>),
    Select(String, Vec<String>),
}

/// The answerable fields of a survey form, in page order.
#[derive(Debug, Clone, Default)]
pub struct Template {
    fields: Vec<Field>,
}

/// One attribute's value in a tag (`name="…"`), unescaped for the few entities forms use.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let value = &tag[at..at + tag[at..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Every start tag of the given names, in order: `(name, whole tag)`.
fn tags<'a>(html: &'a str, names: &[&str]) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut offset = 0;
    while let Some(lt) = rest.find('<') {
        let start = offset + lt;
        let after = &html[start + 1..];
        let Some(end) = after.find('>') else { break };
        let tag = &html[start..start + 1 + end + 1];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect::<String>()
            .to_ascii_lowercase();
        if names.contains(&name.as_str()) {
            out.push((name, tag));
        }
        offset = start + 1;
        rest = &html[offset..];
    }
    out
}

/// The hidden inputs of a page, `(name, value)`.
pub fn hidden(html: &str) -> Vec<(String, String)> {
    tags(html, &["input"])
        .into_iter()
        .filter(|(_, t)| attr(t, "type").as_deref() == Some("hidden"))
        .filter_map(|(_, t)| Some((attr(t, "name")?, attr(t, "value").unwrap_or_default())))
        .collect()
}

impl Template {
    /// The answerable fields of the first form on `html`.
    pub fn parse(html: &str) -> Template {
        let mut fields: Vec<Field> = Vec::new();
        let mut select: Option<(String, Vec<String>)> = None;
        let group = |fields: &mut Vec<Field>, radio: bool, name: String, value: String| {
            for f in fields.iter_mut() {
                match f {
                    Field::Radio(n, vs) | Field::Check(n, vs) if *n == name => {
                        vs.push(value);
                        return;
                    }
                    _ => {}
                }
            }
            fields.push(if radio {
                Field::Radio(name, vec![value])
            } else {
                Field::Check(name, vec![value])
            });
        };
        for (tag_name, tag) in tags(html, &["input", "textarea", "select", "option", "/select"]) {
            match tag_name.as_str() {
                "input" => {
                    let Some(name) = attr(tag, "name") else {
                        continue;
                    };
                    let value = attr(tag, "value").unwrap_or_default();
                    match attr(tag, "type").as_deref().unwrap_or("text") {
                        "hidden" | "submit" | "button" => {}
                        "radio" => group(&mut fields, true, name, value),
                        "checkbox" => group(&mut fields, false, name, value),
                        _ if attr(tag, "tabindex").as_deref() == Some("-1") => {
                            fields.push(Field::Honeypot(name));
                        }
                        _ => fields.push(Field::Text {
                            required: attr(tag, "aria-required").as_deref() == Some("true"),
                            max: attr(tag, "maxlength")
                                .and_then(|m| m.parse().ok())
                                .unwrap_or(200),
                            name,
                        }),
                    }
                }
                "textarea" => {
                    if let Some(name) = attr(tag, "name") {
                        fields.push(Field::Text {
                            required: attr(tag, "aria-required").as_deref() == Some("true"),
                            max: attr(tag, "maxlength")
                                .and_then(|m| m.parse().ok())
                                .unwrap_or(1000),
                            name,
                        });
                    }
                }
                "select" => select = attr(tag, "name").map(|n| (n, Vec::new())),
                "option" => {
                    if let Some((_, options)) = select.as_mut()
                        && let Some(v) = attr(tag, "value").filter(|v| !v.is_empty())
                    {
                        options.push(v);
                    }
                }
                _ => {
                    if let Some((name, options)) = select.take() {
                        fields.push(Field::Select(name, options));
                    }
                }
            }
        }
        Template { fields }
    }

    /// How many answerable questions the form has.
    pub fn questions(&self) -> usize {
        self.fields
            .iter()
            .filter(|f| !matches!(f, Field::Honeypot(_)))
            .count()
    }

    /// A filled-in form body: the page's hidden fields, then one respondent's answers.
    pub fn fill(&self, hidden: &[(String, String)], rng: &mut Rng) -> String {
        let mut pairs: Vec<(String, String)> = hidden.to_vec();
        for f in &self.fields {
            match f {
                Field::Honeypot(name) => pairs.push((name.clone(), String::new())),
                Field::Text {
                    name,
                    required,
                    max,
                } => {
                    if *required || rng.below(2) == 0 {
                        pairs.push((name.clone(), sentence(rng, *max)));
                    }
                }
                Field::Radio(name, values) | Field::Select(name, values) => {
                    if !values.is_empty() {
                        pairs.push((name.clone(), values[rng.below(values.len())].clone()));
                    }
                }
                Field::Check(name, values) => {
                    if values.is_empty() {
                        continue;
                    }
                    let first = rng.below(values.len());
                    pairs.push((name.clone(), values[first].clone()));
                    let second = rng.below(values.len());
                    if second != first && rng.below(2) == 0 {
                        pairs.push((name.clone(), values[second].clone()));
                    }
                }
            }
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// What residents write, in the demo's words.
const SENTENCES: &[&str] = &[
    "Det känns otryggt vid busstationen på kvällarna, särskilt när det är mörkt.",
    "Mer synlig polis i centrum på helgerna skulle göra stor skillnad.",
    "Mopederna kör för fort på gång- och cykelvägen vid skolan.",
    "Jag vill att polisen pratar mer med ungdomarna i området.",
    "Narkotikaförsäljningen bakom köpcentret oroar många av oss.",
    "Bättre belysning i parken och fler vuxna ute på kvällarna.",
    "Inbrotten i förråden har ökat, vi behöver grannsamverkan.",
    "Tack för att ni frågar! Fortsätt komma till skolorna.",
];

fn sentence(rng: &mut Rng, max: usize) -> String {
    let s = SENTENCES[rng.below(SENTENCES.len())];
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<form method="post">
<input type="hidden" name="submission_id" value="abc-123">
<input type="hidden" name="t" value="17.ff">
<input type="text" id="hemsida" name="hemsida" tabindex="-1" autocomplete="off">
<textarea id="q1" name="q1" rows="4" maxlength="20" aria-required="true"></textarea>
<textarea id="q2" name="q2" rows="4" maxlength="500" aria-required="false"></textarea>
<input type="radio" id="q3" name="q3" value="1"><input type="radio" id="q3-1" name="q3" value="vet_ej">
<input type="checkbox" id="q5" name="q5" value="a"><input type="checkbox" id="q5-1" name="q5" value="b">
<select id="q8" name="q8"><option value="">Välj</option><option value="norr">Norr</option></select>
<button type="submit">Skicka</button></form>"#;

    #[test]
    fn reads_every_field_and_fills_each_question() {
        let t = Template::parse(PAGE);
        assert_eq!(t.questions(), 5, "{t:?}");
        let hidden = hidden(PAGE);
        assert_eq!(
            hidden,
            vec![
                ("submission_id".to_owned(), "abc-123".to_owned()),
                ("t".to_owned(), "17.ff".to_owned())
            ]
        );
        let mut rng = Rng::new(7);
        for _ in 0..20 {
            let body = t.fill(&hidden, &mut rng);
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&body).expect("a form body");
            let get = |n: &str| {
                pairs
                    .iter()
                    .filter(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
            };
            assert_eq!(get("submission_id"), ["abc-123"]);
            assert_eq!(get("hemsida"), [""]);
            assert_eq!(get("q1").len(), 1);
            assert!(get("q1")[0].chars().count() <= 20);
            assert!(["1", "vet_ej"].contains(&get("q3")[0]));
            assert!(!get("q5").is_empty() && get("q5").len() <= 2);
            assert_eq!(get("q8"), ["norr"]);
        }
    }
}
