//! What the tag keeps in localStorage under the key `leadscore`: a versioned envelope with the lead
//! id (random, stable per browser), the visitor state and the highest stage already queued for
//! delivery per model. Every tab reads it before changing it and writes it straight after, so a
//! stage is queued once across tabs and reloads. Corrupt, foreign or future data is discarded. (The
//! delivery outbox is the loader's, under `leadscore:outbox`: see `js/browser/outbox.js`.)
//!
//! localStorage has no transaction across tabs, and a tab may see another's write late, so two tabs
//! writing at once can overwrite each other's envelope. Each tab therefore also keeps a **journal**
//! of its own recent events under its own key (`leadscore:j:<tab>`, written before the envelope), and
//! the envelope records, per tab, the highest journal entry its state contains (`applied`). Whoever
//! reads an envelope that lacks entries of some journal applies them: an event overwritten by another
//! tab is re-applied, never lost, and one the state already holds is never applied twice.

use crate::json;
use crate::state::VisitorState;
use crate::value::Value;

pub const KEY: &str = "leadscore";
/// Set by `leadscore.consent(false)`: nothing is collected, stored or sent until consent(true).
pub const OPT_OUT_KEY: &str = "leadscore:opt-out";
pub const VERSION: f64 = 1.0;
/// Followed by a tab's id: that tab's journal.
pub const JOURNAL_PREFIX: &str = "leadscore:j:";

/// Whether a `storage` event for `key` (None: the storage was cleared) concerns the tag: the state
/// or a tab's journal.
pub fn is_tag_key(key: Option<&str>) -> bool {
    key.is_none_or(|key| key == KEY || key.starts_with(JOURNAL_PREFIX))
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    pub id: String,
    /// The visitor state as saved, checked by the caller with `VisitorState::from_value`.
    pub state: Option<Value>,
    /// (model name, highest stage queued for delivery).
    pub sent: Vec<(String, String)>,
    /// (tab, the highest entry of its journal that `state` contains).
    pub applied: Vec<(String, u32)>,
}

/// One event of a tab's journal: its sequence number in that tab, when it was journaled (ms) and the
/// event as ingested.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub seq: u32,
    pub at: f64,
    pub event: Value,
}

impl Envelope {
    pub fn new(id: String) -> Envelope {
        Envelope { id, ..Envelope::default() }
    }

    /// None for anything that is not an envelope of this version (corrupt, foreign or future data).
    pub fn from_value(value: Value) -> Option<Envelope> {
        if value.get("v").and_then(Value::as_f64) != Some(VERSION) {
            return None;
        }
        let Value::Object(entries) = value else { return None };
        let mut envelope = Envelope::default();
        for (key, value) in entries {
            match (key.as_str(), value) {
                ("id", Value::String(id)) if (8..=64).contains(&id.len()) => envelope.id = id,
                ("state", Value::Null) => {}
                ("state", state) => envelope.state = Some(state),
                ("sent", Value::Object(sent)) => {
                    for (model, stage) in sent {
                        if let Value::String(stage) = stage {
                            envelope.sent.push((model, stage));
                        }
                    }
                }
                ("applied", Value::Object(applied)) => {
                    for (tab, seq) in applied {
                        if let Some(seq) = whole(&seq) {
                            envelope.applied.push((tab, seq));
                        }
                    }
                }
                _ => {}
            }
        }
        (!envelope.id.is_empty()).then_some(envelope)
    }

    /// The envelope as JSON text, with `state` (None: `null`) written in.
    pub fn to_json(&self, state: Option<&VisitorState>) -> String {
        let mut out = String::from("{\"v\":1,\"id\":");
        json::write_string(&self.id, &mut out);
        out.push_str(",\"state\":");
        match state {
            Some(state) => state.write_json(&mut out),
            None => out.push_str("null"),
        }
        out.push_str(",\"sent\":{");
        for (model, stage) in &self.sent {
            json::write_key(model, &mut out);
            json::write_string(stage, &mut out);
        }
        out.push_str("},\"applied\":{");
        for (tab, seq) in &self.applied {
            json::write_key(tab, &mut out);
            json::write_digits(u64::from(*seq), &mut out);
        }
        out.push_str("}}");
        out
    }

    /// The highest entry of `tab`'s journal that the state contains (0: none).
    pub fn applied(&self, tab: &str) -> u32 {
        self.applied.iter().find(|(t, _)| t == tab).map_or(0, |(_, n)| *n)
    }

    pub fn set_applied(&mut self, tab: &str, seq: u32) {
        match self.applied.iter_mut().find(|(t, _)| t == tab) {
            Some(slot) => slot.1 = seq,
            None => self.applied.push((tab.to_string(), seq)),
        }
    }

    /// The highest stage already queued for `model`.
    pub fn sent(&self, model: &str) -> Option<&str> {
        self.sent.iter().find(|(m, _)| m == model).map(|(_, s)| s.as_str())
    }

    pub fn set_sent(&mut self, model: &str, stage: &str) {
        match self.sent.iter_mut().find(|(m, _)| m == model) {
            Some(slot) => slot.1 = stage.to_string(),
            None => self.sent.push((model.to_string(), stage.to_string())),
        }
    }
}

fn whole(value: &Value) -> Option<u32> {
    value.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n)).map(|n| n as u32)
}

/// A journal as stored: `{"id": lead id, "e": [[seq, at, event], …]}`, as JSON text.
pub fn journal_json(id: &str, entries: &[Entry]) -> String {
    let mut out = String::from("{\"id\":");
    json::write_string(id, &mut out);
    out.push_str(",\"e\":[");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        json::write_digits(u64::from(e.seq), &mut out);
        out.push(',');
        out.push_str(&json::write(&Value::Number(e.at)));
        out.push(',');
        out.push_str(&json::write(&e.event));
        out.push(']');
    }
    out.push_str("]}");
    out
}

/// The lead id and entries of a stored journal; None for anything else. Malformed entries are skipped.
pub fn journal_from_value(value: Value) -> Option<(String, Vec<Entry>)> {
    let Value::Object(fields) = value else { return None };
    let (mut id, mut entries) = (None, Vec::new());
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("id", Value::String(s)) => id = Some(s),
            ("e", Value::Array(items)) => {
                for item in items {
                    if let Value::Array(parts) = item {
                        if let [seq, Value::Number(at), event] = parts.as_slice() {
                            if let Some(seq) = whole(seq) {
                                entries.push(Entry { seq, at: *at, event: event.clone() });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Some((id?, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_events_of_the_state_journals_and_a_clear_concern_the_tag() {
        assert!(is_tag_key(None));
        assert!(is_tag_key(Some("leadscore")));
        assert!(is_tag_key(Some("leadscore:j:3f2a")));
        assert!(!is_tag_key(Some("leadscore:model")));
        assert!(!is_tag_key(Some("leadscore:opt-out")));
        assert!(!is_tag_key(Some("cart")));
    }

    #[test]
    fn envelope_round_trip_and_rejects_foreign_data() {
        let mut env = Envelope::new("abcdef0123456789".into());
        env.set_sent("m", "warm");
        env.set_sent("m", "mql");
        env.set_sent("other", "sql");
        let value = json::parse(&env.to_json(Some(&VisitorState::default()))).unwrap_or_default();
        let back = Envelope::from_value(value).unwrap_or_default();
        assert_eq!(back.id, env.id);
        assert_eq!(back.sent("m"), Some("mql"));
        assert_eq!(back.sent("other"), Some("sql"));
        assert_eq!(back.sent("none"), None);
        assert!(back.state.is_some());
        let mut env = back;
        env.set_applied("t1", 3);
        env.set_applied("t2", 9);
        env.set_applied("t1", 4);
        let back = Envelope::from_value(json::parse(&env.to_json(None)).unwrap_or_default()).unwrap_or_default();
        assert_eq!(back.state, None);
        assert_eq!((back.applied("t1"), back.applied("t2"), back.applied("t3")), (4, 9, 0));

        assert_eq!(Envelope::from_value(Value::from("garbage")), None);
        assert_eq!(
            Envelope::from_value(Value::object(vec![("v", Value::Number(2.0)), ("id", Value::from("abcdefgh"))])),
            None
        );
        assert_eq!(
            Envelope::from_value(Value::object(vec![("v", Value::Number(1.0)), ("id", Value::from("short"))])),
            None
        );
        let odd = Value::object(vec![
            ("v", Value::Number(1.0)),
            ("id", Value::from("abcdefgh")),
            ("sent", Value::object(vec![("m", Value::Number(3.0))])),
            ("state", Value::Null),
        ]);
        assert_eq!(Envelope::from_value(odd), Some(Envelope::new("abcdefgh".into())));
    }
}

#[cfg(test)]
mod journal_tests {
    use super::*;

    #[test]
    fn journal_round_trip_skips_malformed_entries() {
        let event = Value::object(vec![("type", Value::from("click")), ("name", Value::from("demo"))]);
        let entries = vec![Entry { seq: 1, at: 1.7e12, event: event.clone() }, Entry { seq: 2, at: 1.7e12, event }];
        let value = json::parse(&journal_json("lead-id-1234", &entries)).unwrap_or_default();
        assert_eq!(journal_from_value(value), Some(("lead-id-1234".to_string(), entries.clone())));
        let odd = Value::object(vec![
            ("id", Value::from("lead-id-1234")),
            (
                "e",
                Value::Array(vec![
                    Value::Array(vec![Value::from(-1.0), Value::from(1.0), Value::Null]),
                    Value::from("x"),
                    Value::Array(vec![Value::from(5.0), Value::from("late"), Value::Null]),
                    Value::Array(vec![Value::from(6.0), Value::from(2.0), Value::Null]),
                ]),
            ),
        ]);
        let (_, kept) = journal_from_value(odd).unwrap_or_default();
        assert_eq!(kept, vec![Entry { seq: 6, at: 2.0, event: Value::Null }], "malformed entries are skipped");
        assert_eq!(journal_from_value(Value::from("garbage")), None);
        assert_eq!(journal_from_value(Value::object(vec![("e", Value::Array(vec![]))])), None, "no lead id");
    }
}
