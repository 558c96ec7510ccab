//! The JSON a qualified lead is delivered as: the score card (stage, fit, engagement, total,
//! grade, full breakdown), the lead id and idempotency key, the traits given, and a compact history.
//!
//! ```jsonc
//! { "lead_id": "…", "idempotency_key": "…:textbook:mql", "model": "textbook", "model_version": "1",
//!   "fit": 35, "engagement": 45, "total": 80, "grade": "", "stage": "mql", "qualified": true,
//!   "reasons": […], "disqualified_by": [], "next_step": "…", "scored_at": 1763856000000,
//!   "breakdown": [{ "rule": "pricing", "label": "…", "score": "engagement", "points": 15, … }],
//!   "traits": { "email": "ann@acme.com", "email_domain": "acme.com", "company_size": 120 },
//!   "history": { "first_seen": …, "last_seen": …, "visits": 2,
//!                "pages": [{ "path": "/pricing", "views": 2, "engaged_seconds": 42, "scroll": 75 }],
//!                "downloads": [{ "url": "/files/whitepaper.pdf", "count": 1 }],
//!                "forms": [{ "form": "webinar", "count": 1 }], "clicks": [], "events": [],
//!                "source": { "referrers": ["www.google.com"], "campaigns": [{ "source": …, "medium": …, "campaign": … }] } },
//!   "page": "https://example.com/webinar", "sent_by": "leadscore-browser/0.1.0" }
//! ```

use crate::engine::ScoreCard;
use crate::state::{Tally, VisitorState};
use crate::value::Value;

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
    NoHistory,
    Minimal,
}

pub fn payload(card: &ScoreCard, state: &VisitorState, lead_id: &str, key: &str, page: &str, detail: Detail) -> Value {
    let mut entries = vec![
        ("lead_id".to_string(), Value::from(lead_id)),
        ("idempotency_key".to_string(), Value::from(key)),
    ];
    if let Value::Object(card_entries) = crate::card_to_value(card) {
        for (k, v) in card_entries {
            let keep = detail != Detail::Minimal || !matches!(k.as_str(), "reasons" | "next_step");
            if keep {
                entries.push((k, v));
            }
        }
    }
    let traits = state.traits.iter().filter(|(k, _)| detail != Detail::Minimal || k.starts_with("email"));
    entries.push(("traits".to_string(), Value::Object(traits.map(|(k, v)| (k.clone(), v.to_value())).collect())));
    if detail == Detail::Full {
        entries.push(("history".to_string(), history(state)));
    }
    entries.push(("page".to_string(), Value::from(page)));
    let mut agent = String::from("leadscore-browser/");
    agent.push_str(crate::ENGINE_VERSION);
    entries.push(("sent_by".to_string(), Value::String(agent)));
    Value::Object(entries)
}

/// Pages with engaged seconds, downloads, forms, clicks, events and the source of the visits.
pub fn history(state: &VisitorState) -> Value {
    let counted = |list: &[Tally], name: &str| {
        Value::Array(
            list.iter()
                .map(|t| Value::object(vec![(name, Value::from(t.key.as_str())), ("count", Value::Number(f64::from(t.n)))]))
                .collect(),
        )
    };
    let pages = state
        .pages
        .iter()
        .map(|p| {
            Value::object(vec![
                ("path", Value::from(p.key.as_str())),
                ("views", Value::Number(f64::from(p.n))),
                ("engaged_seconds", Value::Number((p.engaged_ms / 1000) as f64)),
                ("scroll", Value::Number(f64::from(p.scroll))),
            ])
        })
        .collect();
    let campaigns = state
        .campaigns
        .iter()
        .map(|c| {
            let mut parts = c.key.splitn(3, '|');
            let mut part = || Value::from(parts.next().unwrap_or(""));
            Value::object(vec![("source", part()), ("medium", part()), ("campaign", part())])
        })
        .collect();
    Value::object(vec![
        ("first_seen", Value::Number(state.first as f64)),
        ("last_seen", Value::Number(state.last as f64)),
        ("visits", Value::Number(f64::from(state.visits.n))),
        ("pages", Value::Array(pages)),
        ("downloads", counted(&state.downloads, "url")),
        ("forms", counted(&state.forms, "form")),
        ("clicks", counted(&state.clicks, "name")),
        ("events", counted(&state.events, "name")),
        (
            "source",
            Value::object(vec![
                ("referrers", Value::Array(state.referrers.iter().map(|r| Value::from(r.key.as_str())).collect())),
                ("campaigns", Value::Array(campaigns)),
            ]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelSet;
    use crate::state::TimedEvent;

    fn event(json: Vec<(&str, Value)>) -> TimedEvent {
        TimedEvent::parse(&Value::object(json), "e").unwrap_or_else(|e| unreachable!("{e}"))
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
                    ("when", Value::object(vec![("page_view", Value::object(vec![("path", Value::from("/pricing"))]))])),
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
        let full = payload(&card, &state, "lead1234", &key, "https://a.test/pricing", Detail::Full);
        assert_eq!(full.get("lead_id"), Some(&Value::from("lead1234")));
        assert_eq!(full.get("total"), Some(&Value::Number(60.0)));
        assert_eq!(full.get("traits").and_then(|t| t.get("email_domain")), Some(&Value::from("acme.com")));
        let history = full.get("history").cloned().unwrap_or_default();
        assert_eq!(history.get("visits"), Some(&Value::Number(1.0)));
        let page = history.get("pages").and_then(Value::as_array).and_then(|p| p.first()).cloned().unwrap_or_default();
        assert_eq!(page.get("path"), Some(&Value::from("/pricing")));
        let campaign = history.get("source").and_then(|s| s.get("campaigns")).and_then(Value::as_array).and_then(|c| c.first()).cloned();
        assert_eq!(campaign.and_then(|c| c.get("medium").cloned()), Some(Value::from("email")));

        let minimal = payload(&card, &state, "lead1234", &key, "", Detail::Minimal);
        assert_eq!(minimal.get("history"), None);
        assert_eq!(minimal.get("traits").and_then(|t| t.get("job_title")), None);
        assert!(minimal.get("breakdown").is_some());
    }
}
