//! The JSON a qualified lead is delivered as: the score card (stage, fit, engagement, total,
//! grade, full breakdown), the lead id and idempotency key, the traits given, and a compact history.
//!
//! ```jsonc
//! { "lead_id": "…", "idempotency_key": "…:textbook:mql", "model": "textbook", "model_version": "1",
//!   "fit": 35, "engagement": 45, "total": 80, "grade": "B2", "stage": "mql", "qualified": true,
//!   "reasons": […], "disqualified_by": [], "next_step": "…", "scored_at": 1763856000000,
//!   "breakdown": [{ "rule": "pricing", "label": "…", "score": "engagement", "points": 15, … }],
//!   "traits": { "email": "ann@acme.com", "email_domain": "acme.com", "company_size": 120 },
//!   "history": { "first_seen": …, "last_seen": …, "visits": 2,
//!                "pages": [{ "path": "/pricing", "views": 2, "engaged_seconds": 42, "scroll": 75 }],
//!                "downloads": [{ "url": "/files/whitepaper.pdf", "count": 1 }],
//!                "forms": [{ "form": "webinar", "count": 1 }], "clicks": [], "events": [],
//!                "source": { "referrers": ["www.google.com"], "campaigns": [{ "source": …, "medium": …, "campaign": … }] } },
//!   "page": "https://example.com/webinar", "sent_by": "leadscore-browser/0.1.0",
//!   "state": { … the visitor state, as exportState() gives it … } }
//! ```
//! ([`body`] puts the lead id and key first, then the score card, then [`extras`].)

use crate::json;
use crate::state::VisitorState;

/// Bodies above this are slimmed down: keepalive requests are limited to 64 KB.
pub const MAX_BODY_BYTES: usize = 60_000;

/// `<lead id>:<model>:<stage>`: the same in every tab, so a receiver can drop duplicates.
pub fn idempotency_key(lead_id: &str, model: &str, stage: &str) -> String {
    let mut key = String::with_capacity(lead_id.len() + model.len() + stage.len() + 2);
    for (i, part) in [lead_id, model, stage].into_iter().enumerate() {
        if i > 0 {
            key.push(':');
        }
        key.push_str(part);
    }
    key
}

/// How much to include: each level drops more, for the rare state too large for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Full,
    /// Without the history.
    NoHistory,
    /// Without the history, and of the traits only the email and its domain.
    Minimal,
}

pub const DETAILS: [Detail; 3] = [Detail::Full, Detail::NoHistory, Detail::Minimal];

/// The whole payload as JSON text: the lead id and key, the score card's fields (`card`: the JSON text of
/// `ScoreCard::to_value`, an object), the shadow model's card when one runs (`shadow`, JSON text: reported,
/// never deciding; left out of the minimal payload), the traits, the page, `sent_by`, the visitor state and,
/// in the full payload, the [`history`]. Written as text around the card's, without a value tree.
pub fn body(
    lead_id: &str,
    key: &str,
    card: &str,
    shadow: Option<&str>,
    state: &VisitorState,
    page: &str,
    detail: Detail,
) -> String {
    let mut out = String::from("{");
    json::write_key("lead_id", &mut out);
    json::write_string(lead_id, &mut out);
    json::write_key("idempotency_key", &mut out);
    json::write_string(key, &mut out);
    // The card's fields, without its braces.
    if let Some(fields) = card.strip_prefix('{').and_then(|c| c.strip_suffix('}')).filter(|c| !c.is_empty()) {
        out.push(',');
        out.push_str(fields);
    }
    if let Some(shadow) = shadow.filter(|_| detail != Detail::Minimal) {
        json::write_key("shadow", &mut out);
        out.push_str(shadow);
    }
    json::write_key("traits", &mut out);
    state.write_traits(&mut out, detail == Detail::Minimal);
    json::write_key("page", &mut out);
    json::write_string(page, &mut out);
    json::write_key("sent_by", &mut out);
    json::write_string(SENT_BY, &mut out);
    // The visitor state as `exportState()` gives it: a relay re-scores the lead from it with the site's model
    // instead of trusting the card above.
    json::write_key("state", &mut out);
    state.write_json(&mut out);
    if detail == Detail::Full {
        json::write_key("history", &mut out);
        write_history(state, &mut out);
    }
    out.push('}');
    out
}

/// Who sent the payload (`sent_by`).
pub const SENT_BY: &str = concat!("leadscore-browser/", env!("CARGO_PKG_VERSION"));

/// Pages with engaged seconds, downloads, forms, clicks, events and the source of the visits, appended as JSON
/// text (every number in it is a whole one).
pub fn write_history(state: &VisitorState, out: &mut String) {
    let number = |out: &mut String, name: &str, n: i64| {
        json::write_key(name, out);
        json::write_digits(n.max(0) as u64, out);
    };
    out.push('{');
    number(out, "first_seen", state.first);
    number(out, "last_seen", state.last);
    number(out, "visits", i64::from(state.visits.n));
    json::write_key("pages", out);
    for (i, p) in state.pages.iter().enumerate() {
        out.push_str(if i == 0 { "[{" } else { ",{" });
        json::write_key("path", out);
        json::write_string(&p.key, out);
        number(out, "views", i64::from(p.n));
        number(out, "engaged_seconds", p.engaged_ms / 1000);
        number(out, "scroll", i64::from(p.scroll));
        out.push('}');
    }
    close(out, state.pages.is_empty());
    for (name, key, list) in [
        ("downloads", "url", &state.downloads),
        ("forms", "form", &state.forms),
        ("clicks", "name", &state.clicks),
        ("events", "name", &state.events),
    ] {
        json::write_key(name, out);
        for (i, t) in list.iter().enumerate() {
            out.push_str(if i == 0 { "[{" } else { ",{" });
            json::write_key(key, out);
            json::write_string(&t.key, out);
            number(out, "count", i64::from(t.n));
            out.push('}');
        }
        close(out, list.is_empty());
    }
    out.push_str(",\"source\":{");
    json::write_key("referrers", out);
    for (i, r) in state.referrers.iter().enumerate() {
        out.push(if i == 0 { '[' } else { ',' });
        json::write_string(&r.key, out);
    }
    close(out, state.referrers.is_empty());
    json::write_key("campaigns", out);
    for (i, c) in state.campaigns.iter().enumerate() {
        out.push_str(if i == 0 { "[{" } else { ",{" });
        for (part, value) in ["source", "medium", "campaign"].into_iter().zip(crate::state::campaign_parts(&c.key)) {
            json::write_key(part, out);
            json::write_string(value, out);
        }
        out.push('}');
    }
    close(out, state.campaigns.is_empty());
    out.push_str("}}");
}

/// Closes a list whose items were written each after `[` or `,`: `[]` when there were none.
fn close(out: &mut String, empty: bool) {
    out.push_str(if empty { "[]" } else { "]" });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelSet;
    use crate::state::TimedEvent;
    use crate::value::Value;
    use serde_json::Value as Json;

    fn event(json: Vec<(&str, Value)>) -> TimedEvent {
        TimedEvent::parse(&Value::object(json), "e").unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// The value at a JSON pointer, null when absent.
    fn at(json: &Json, pointer: &str) -> Json {
        json.pointer(pointer).cloned().unwrap_or(Json::Null)
    }

    /// The payload as the tag sends it: [`body`] written by [`crate::json`], read back by serde_json.
    fn json(card: &crate::engine::ScoreCard, key: &str, state: &VisitorState, page: &str, detail: Detail) -> Json {
        let text = body("lead1234", key, &crate::json::write(&card.to_value()), None, state, page, detail);
        serde_json::from_str(&text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn payload_carries_card_traits_and_history() {
        let doc = Value::object(vec![
            ("name", Value::from("m")),
            (
                "rules",
                Value::Array(vec![Value::object(vec![
                    ("id", Value::from("pricing")),
                    ("points", Value::Number(60.0)),
                    (
                        "when",
                        Value::object(vec![("page_view", Value::object(vec![("path", Value::from("/pricing"))]))]),
                    ),
                ])]),
            ),
        ]);
        let set = ModelSet::parse(&doc).unwrap_or_else(|e| unreachable!("{e}"));
        let mut state = VisitorState::default();
        let ts = Value::Number(1_763_856_000_000.0);
        state.ingest(&event(vec![
            ("type", Value::from("page_view")),
            ("ts", ts.clone()),
            ("path", Value::from("/pricing")),
            ("referrer", Value::from("https://www.google.com/")),
            ("utm", Value::object(vec![("source", Value::from("news")), ("medium", Value::from("email"))])),
        ]));
        state.ingest(&event(vec![
            ("type", Value::from("identify")),
            ("ts", ts),
            ("traits", Value::object(vec![("email", Value::from("ann@acme.com")), ("job_title", Value::from("CTO"))])),
        ]));
        let model = set.models.first().unwrap_or_else(|| unreachable!());
        let card = crate::engine::score(model, &state, 1_763_856_000_000);
        let key = idempotency_key("lead1234", "m", &card.stage);
        assert_eq!(key, format!("lead1234:m:{}", card.stage));
        let full = json(&card, &key, &state, "https://a.test/pricing", Detail::Full);
        assert_eq!(at(&full, "/lead_id"), "lead1234");
        assert_eq!(at(&full, "/idempotency_key"), key.as_str());
        assert_eq!(at(&full, "/total"), 60.0);
        assert_eq!(at(&full, "/model"), "m");
        assert_eq!(at(&full, "/breakdown/0/rule"), "pricing");
        assert_eq!(at(&full, "/traits/email_domain"), "acme.com");
        assert_eq!(at(&full, "/history/visits"), 1.0);
        assert_eq!(at(&full, "/history/pages/0/path"), "/pricing");
        assert_eq!(at(&full, "/history/source/campaigns/0/medium"), "email");
        assert_eq!(at(&full, "/history/source/referrers/0"), "www.google.com");
        assert_eq!(
            at(&full, "/history"),
            serde_json::json!({
                "first_seen": 1_763_856_000_000_i64, "last_seen": 1_763_856_000_000_i64, "visits": 1,
                "pages": [{ "path": "/pricing", "views": 1, "engaged_seconds": 0, "scroll": 0 }],
                "downloads": [], "forms": [], "clicks": [], "events": [],
                "source": { "referrers": ["www.google.com"],
                            "campaigns": [{ "source": "news", "medium": "email", "campaign": "" }] }
            })
        );
        assert_eq!(at(&full, "/page"), "https://a.test/pricing");
        assert_eq!(at(&full, "/state/v"), 1.0);

        let minimal = json(&card, &key, &state, "", Detail::Minimal);
        assert_eq!(at(&minimal, "/history"), Json::Null);
        assert_eq!(at(&minimal, "/traits/job_title"), Json::Null);
        assert_eq!(at(&minimal, "/traits/email"), "ann@acme.com");
        assert!(at(&minimal, "/breakdown").is_array());
        assert!(at(&minimal, "/state").is_object());
    }
}
