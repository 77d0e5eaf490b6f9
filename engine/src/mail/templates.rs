//! Mail templates: shipped defaults (English and French) that admins override by name in the
//! database, name resolution with fallback, and rendering with MiniJinja (HTML part escaped).

use crate::error::{Error, Result};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The purposes and the name every fallback chain ends at.
pub const RESET_PASSWORD: &str = "mails.reset_password";
pub const WELCOME: &str = "mails.welcome";
pub const TWO_FACTOR: &str = "mails.two_factor";

const SHIPPED: [(&str, &str); 6] = [
    (
        RESET_PASSWORD,
        include_str!("../../data/mails/mails.reset_password.toml"),
    ),
    (
        "mails.reset_password.fr",
        include_str!("../../data/mails/mails.reset_password.fr.toml"),
    ),
    (WELCOME, include_str!("../../data/mails/mails.welcome.toml")),
    (
        "mails.welcome.fr",
        include_str!("../../data/mails/mails.welcome.fr.toml"),
    ),
    (
        TWO_FACTOR,
        include_str!("../../data/mails/mails.two_factor.toml"),
    ),
    (
        "mails.two_factor.fr",
        include_str!("../../data/mails/mails.two_factor.fr.toml"),
    ),
];

/// Longest accepted template part (subject, text or HTML).
const MAX_PART: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailTemplate {
    pub subject: String,
    pub text: String,
    #[serde(default)]
    pub html: Option<String>,
}

/// A template ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// The shipped default of that exact name.
pub fn shipped(name: &str) -> Result<Option<MailTemplate>> {
    let Some((_, body)) = SHIPPED.iter().find(|(n, _)| *n == name) else {
        return Ok(None);
    };
    toml::from_str(body)
        .map(Some)
        .map_err(|e| Error::internal("shipped mail template", e))
}

pub fn shipped_names() -> impl Iterator<Item = &'static str> {
    SHIPPED.iter().map(|(n, _)| *n)
}

/// The values a template name may use: `{ui_id}`, `{ui_language}`, `{proxy}` (from the
/// request) and `{language}` (from the user).
#[derive(Debug, Clone, Default)]
pub struct NameVars<'a> {
    pub ui_id: Option<&'a str>,
    pub ui_language: Option<&'a str>,
    pub proxy: Option<&'a str>,
    pub language: Option<&'a str>,
}

/// The names to try, best first: the expanded pattern, then the same with its last
/// dot-segment dropped, and so on, ending at `base`.
///
/// A variable that is missing or not a plain token (letters, digits, `_`, `-`, at most 64)
/// expands to nothing and its segment is left out, so `mails.reset_password.{ui_id}.{language}`
/// without a `ui_id` still finds `mails.reset_password.fr`. Request values never add dots, so
/// they cannot reach templates outside the chain.
pub fn candidates(pattern: &str, vars: &NameVars, base: &str) -> Vec<String> {
    let clean = |v: Option<&str>| {
        v.filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
        .unwrap_or("")
        .to_string()
    };
    let expanded = pattern
        .replace("{ui_id}", &clean(vars.ui_id))
        .replace("{ui_language}", &clean(vars.ui_language))
        .replace("{proxy}", &clean(vars.proxy))
        .replace("{language}", &clean(vars.language));
    let mut segments: Vec<&str> = expanded.split('.').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    while !segments.is_empty() {
        let name = segments.join(".");
        if name == base {
            break;
        }
        out.push(name);
        segments.pop();
    }
    out.push(base.to_string());
    out
}

/// A template name as stored: dot-separated segments of letters, digits, `_` and `-`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            "dot-separated segments of letters, digits, '_' and '-'",
        ))
    }
}

/// Refuses a template that would not render: syntax errors and unknown variables are named
/// with the part they are in, so the editor can point at them.
pub fn check(t: &MailTemplate) -> Result<()> {
    for (field, part) in parts(t) {
        if part.len() > MAX_PART {
            return Err(Error::TooLarge {
                field: field.into(),
            });
        }
    }
    if t.subject.trim().is_empty() {
        return Err(Error::invalid("subject", "must not be empty"));
    }
    if t.text.trim().is_empty() {
        return Err(Error::invalid("text", "must not be empty"));
    }
    render_with(t, &sample_context(), UndefinedBehavior::Strict).map(|_| ())
}

/// Renders for sending. Unknown variables render empty here (they were refused on save; a
/// shipped default never has any).
pub fn render(t: &MailTemplate, ctx: &Value) -> Result<Rendered> {
    render_with(t, ctx, UndefinedBehavior::Lenient)
}

/// Every variable any template may use, with example values (the editor's preview, and the
/// check on save).
pub fn sample_context() -> Value {
    serde_json::json!({
        "label": "APIO",
        "username": "jdoe",
        "firstname": "Jane",
        "lastname": "Doe",
        "link": "https://auth.example.com/set-password#token=example",
        "code": "123456",
        "valid_minutes": 20,
        "valid_days": 7,
    })
}

fn parts(t: &MailTemplate) -> [(&'static str, &str); 3] {
    [
        ("subject", &t.subject),
        ("text", &t.text),
        ("html", t.html.as_deref().unwrap_or("")),
    ]
}

fn render_with(t: &MailTemplate, ctx: &Value, undefined: UndefinedBehavior) -> Result<Rendered> {
    let mut env = Environment::new();
    env.set_undefined_behavior(undefined);
    // Only the HTML part is escaped; the name given to each part below decides.
    env.set_auto_escape_callback(|name| {
        if name == "html" {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    let one = |field: &'static str, src: &str| {
        env.render_named_str(field, src, ctx)
            .map_err(|e| Error::invalid(field, template_error(&e)))
    };
    // A subject is one header line: line breaks (header injection) become spaces.
    let subject = one("subject", &t.subject)?
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let text = one("text", &t.text)?.trim().to_string() + "\n";
    let html = match &t.html {
        Some(h) if !h.trim().is_empty() => Some(one("html", h)?),
        _ => None,
    };
    Ok(Rendered {
        subject,
        text,
        html,
    })
}

/// The error without MiniJinja's source excerpt: the reason and the line.
fn template_error(e: &minijinja::Error) -> String {
    let reason = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    match e.line() {
        Some(line) => format!("{reason} (line {line})"),
        None => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_parses_and_passes_the_check() {
        for name in shipped_names() {
            let t = shipped(name).unwrap().unwrap();
            check(&t).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(t.html.is_some(), "{name} has an HTML part");
        }
    }

    #[test]
    fn candidates_drop_segments_down_to_the_base() {
        let vars = NameVars {
            ui_id: Some("portal"),
            language: Some("fr"),
            ..Default::default()
        };
        assert_eq!(
            candidates(
                "mails.reset_password.{ui_id}.{language}",
                &vars,
                RESET_PASSWORD
            ),
            [
                "mails.reset_password.portal.fr",
                "mails.reset_password.portal",
                "mails.reset_password"
            ]
        );
        // A missing variable leaves its segment out.
        let vars = NameVars {
            language: Some("fr"),
            ..Default::default()
        };
        assert_eq!(
            candidates(
                "mails.reset_password.{ui_id}.{language}",
                &vars,
                RESET_PASSWORD
            ),
            ["mails.reset_password.fr", "mails.reset_password"]
        );
        // Dots or odd characters in a request value count as missing.
        let vars = NameVars {
            ui_id: Some("x.y"),
            proxy: Some("../etc"),
            ui_language: Some("de"),
            ..Default::default()
        };
        assert_eq!(
            candidates(
                "mails.reset_password.{ui_id}.{proxy}.{ui_language}",
                &vars,
                RESET_PASSWORD
            ),
            ["mails.reset_password.de", "mails.reset_password"]
        );
        // A pattern outside the base's chain still ends at the base.
        assert_eq!(
            candidates("custom.{language}", &NameVars::default(), RESET_PASSWORD),
            ["custom", "mails.reset_password"]
        );
    }

    #[test]
    fn html_is_escaped_text_is_not_and_the_subject_is_one_line() {
        let t = MailTemplate {
            subject: "Hi {{ firstname }}\r\nBcc: evil@example.com".into(),
            text: "{{ firstname }}".into(),
            html: Some("<p>{{ firstname }}</p>".into()),
        };
        let r = render(&t, &serde_json::json!({"firstname": "<b>Jo</b>"})).unwrap();
        assert_eq!(r.subject, "Hi <b>Jo</b> Bcc: evil@example.com");
        assert_eq!(r.text, "<b>Jo</b>\n");
        assert_eq!(r.html.as_deref(), Some("<p>&lt;b&gt;Jo&lt;&#x2f;b&gt;</p>"));
    }

    #[test]
    fn check_names_the_part_with_the_error() {
        let mut t = shipped(WELCOME).unwrap().unwrap();
        t.html = Some("{% if %}".into());
        assert!(matches!(check(&t), Err(Error::Invalid { field, .. }) if field == "html"));
        t.html = None;
        t.text = "{{ pasword }}".into();
        assert!(matches!(check(&t), Err(Error::Invalid { field, .. }) if field == "text"));
        assert!(check_name("mails.welcome.fr").is_ok());
        assert!(check_name("mails..x").is_err());
        assert!(check_name("mails.x/y").is_err());
    }
}
