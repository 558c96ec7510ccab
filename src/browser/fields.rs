//! Which form controls the tag may read. Only allow-listed fields are read: email (the core
//! derives `email_domain`), company size, job title and the BANT answers (budget, authority, need,
//! timeline), plus fields the site names in `data-fields` or marks `data-leadscore-trait="name"`.
//! Passwords, files and anything named like a secret are never read; free text (textareas) only
//! when configured.

use crate::form::number;
use crate::pattern::{find, split};
use crate::value::Value;

/// One form control as the collector sees it.
#[derive(Debug, Clone, Default)]
pub struct Control<'a> {
    /// Lower-case tag name: `input`, `select` or `textarea`.
    pub tag: &'a str,
    /// The `type` attribute (inputs only).
    pub kind: &'a str,
    pub name: &'a str,
    pub autocomplete: &'a str,
    /// `data-leadscore-trait`: an explicit opt-in, naming the trait.
    pub explicit: Option<&'a str>,
    pub value: &'a str,
    pub checked: bool,
}

/// Longest text value kept from a form field.
pub const MAX_VALUE: usize = 200;

const NEVER: &[&str] = &["password", "file", "submit", "button", "reset", "image"];
const SECRET: &[&str] = &["pass", "pwd", "secret", "token", "cvc", "cvv", "ssn", "iban", "card"];
const KNOWN: &[(&str, &[&str])] = &[
    ("email", &["email", "e_mail", "mail", "work_email", "business_email", "email_address"]),
    (
        "company_size",
        &[
            "company_size",
            "companysize",
            "employees",
            "employee_count",
            "number_of_employees",
            "num_employees",
            "headcount",
            "team_size",
            "size",
        ],
    ),
    ("job_title", &["job_title", "jobtitle", "title", "job", "role", "position", "job_role"]),
    ("budget", &["budget"]),
    ("authority", &["authority", "decision_maker"]),
    ("need", &["need", "needs"]),
    ("timeline", &["timeline", "timeframe", "time_frame", "purchase_timeline"]),
];

/// The trait a control feeds and its value, or None when the control must not be read.
pub fn read(control: &Control, extra: &[String]) -> Option<(String, Value)> {
    let kind = if control.tag == "input" {
        if control.kind.is_empty() {
            "text"
        } else {
            control.kind
        }
    } else {
        control.tag
    };
    let kind = kind.to_ascii_lowercase();
    if NEVER.contains(&kind.as_str()) || ((kind == "checkbox" || kind == "radio") && !control.checked) {
        return None;
    }
    let name = normalize(control.name);
    let key = match control.explicit.map(normalize).filter(|k| !k.is_empty()) {
        Some(explicit) => explicit,
        None => {
            if kind == "hidden" || SECRET.iter().any(|s| find(&name, s).is_some()) {
                return None;
            }
            if extra.contains(&name) {
                name
            } else if kind == "textarea" {
                return None;
            } else {
                known(&name, &kind, &control.autocomplete.to_ascii_lowercase())?.to_string()
            }
        }
    };
    let text: String = control.value.trim().chars().take(MAX_VALUE).collect();
    if text.is_empty() {
        return None;
    }
    let value = match key.as_str() {
        "email" if !text.bytes().any(|b| b == b'@') => return None,
        "email" => Value::String(text),
        _ if kind == "checkbox" && text == "on" => Value::Bool(true),
        _ => number(&text).map(Value::Number).unwrap_or(Value::String(text)),
    };
    Some((key, value))
}

fn known(name: &str, kind: &str, autocomplete: &str) -> Option<&'static str> {
    if kind == "email" || split(autocomplete, b' ').any(|t| t == "email") {
        return Some("email");
    }
    if split(autocomplete, b' ').any(|t| t == "organization-title") {
        return Some("job_title");
    }
    KNOWN.iter().find(|(_, names)| names.contains(&name)).map(|(key, _)| *key)
}

/// `Lead[Job-Title]` → `job_title`: the innermost bracketed part, lower-case ASCII letters and
/// digits, `_` for anything else.
pub fn normalize(name: &str) -> String {
    let bracketed = name.trim().trim_end_matches(']');
    let inner = crate::pattern::after_last(bracketed, b'[').unwrap_or(bracketed);
    let mut out = String::new();
    for c in inner.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(kind: &'a str, name: &'a str, value: &'a str) -> Control<'a> {
        Control { tag: "input", kind, name, value, ..Control::default() }
    }

    fn read0(control: Control) -> Option<(String, Value)> {
        read(&control, &[])
    }

    #[test]
    fn reads_the_allow_list_only() {
        assert_eq!(
            read0(input("email", "contact", "Ann@Acme.com")),
            Some(("email".into(), Value::from("Ann@Acme.com")))
        );
        assert_eq!(read0(input("text", "work-email", "a@b.c")).map(|r| r.0), Some("email".into()));
        assert_eq!(read0(input("text", "email", "not an address")), None);
        assert_eq!(read0(input("number", "company_size", "120")), Some(("company_size".into(), Value::Number(120.0))));
        assert_eq!(
            read0(input("text", "lead[Job Title]", " Head of Sales ")),
            Some(("job_title".into(), Value::from("Head of Sales")))
        );
        assert_eq!(read0(input("text", "budget", "50000")), Some(("budget".into(), Value::Number(50000.0))));
        assert_eq!(read0(input("text", "first_name", "Ann")), None);
        assert_eq!(read0(input("text", "phone", "555")), None);
        let select = Control { tag: "select", name: "timeline", value: "this quarter", ..Control::default() };
        assert_eq!(read0(select).map(|r| r.0), Some("timeline".into()));
        let title = Control {
            tag: "input",
            name: "x",
            autocomplete: "section-a organization-title",
            value: "CTO",
            ..Control::default()
        };
        assert_eq!(read0(title).map(|r| r.0), Some("job_title".into()));
    }

    #[test]
    fn never_reads_secrets_hidden_fields_or_free_text() {
        assert_eq!(read0(input("password", "email", "a@b.c")), None);
        assert_eq!(read(&Control { explicit: Some("email"), ..input("password", "x", "a@b.c") }, &[]), None);
        assert_eq!(read0(input("text", "card_number", "4111")), None);
        assert_eq!(read0(input("hidden", "email", "a@b.c")), None);
        assert_eq!(read0(Control { tag: "textarea", name: "need", value: "we need…", ..Control::default() }), None);
        assert_eq!(read0(input("checkbox", "authority", "yes")), None, "unchecked");
        assert_eq!(
            read0(Control { checked: true, ..input("checkbox", "authority", "on") }),
            Some(("authority".into(), Value::Bool(true)))
        );
    }

    #[test]
    fn configured_and_explicit_fields() {
        let extra = vec!["industry".to_string(), "message".to_string()];
        assert_eq!(
            read(&input("text", "Industry", "Retail"), &extra),
            Some(("industry".into(), Value::from("Retail")))
        );
        let note = Control { tag: "textarea", name: "message", value: "hello", ..Control::default() };
        assert_eq!(read(&note, &extra).map(|r| r.0), Some("message".into()));
        let marked = Control { explicit: Some("seats"), ..input("hidden", "x", "12") };
        assert_eq!(read0(marked), Some(("seats".into(), Value::Number(12.0))));
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(normalize("  Company-Size "), "company_size");
        assert_eq!(number("120"), Some(120.0));
        assert_eq!(number("-0.25"), Some(-0.25));
        assert_eq!(number("1e5"), None);
        assert_eq!(number("12a"), None);
        assert_eq!(number("."), None);
        assert_eq!(number(""), None);
    }
}
