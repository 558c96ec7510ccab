//! What the tag keeps in localStorage under the key `leadscore`: a versioned envelope with the lead
//! id (random, stable per browser), the visitor state and the highest stage already queued for
//! delivery per model. Every tab reads it before changing it and writes it straight after, so two
//! tabs neither lose nor double-count events, and a stage is queued once across tabs and reloads.
//! Corrupt, foreign or future data is discarded. (The delivery outbox is the loader's, under
//! `leadscore:outbox`: see `js/browser/outbox.js`.)

use crate::value::Value;

pub const KEY: &str = "leadscore";
/// Set by `leadscore.consent(false)`: nothing is collected, stored or sent until consent(true).
pub const OPT_OUT_KEY: &str = "leadscore:opt-out";
pub const VERSION: f64 = 1.0;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    pub id: String,
    /// The visitor state as saved, checked by the caller with `VisitorState::from_value`.
    pub state: Option<Value>,
    /// (model name, highest stage queued for delivery).
    pub sent: Vec<(String, String)>,
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
                _ => {}
            }
        }
        (!envelope.id.is_empty()).then_some(envelope)
    }

    pub fn to_value(&self, state: Value) -> Value {
        Value::object(vec![
            ("v", Value::Number(VERSION)),
            ("id", Value::from(self.id.as_str())),
            ("state", state),
            ("sent", Value::Object(self.sent.iter().map(|(m, s)| (m.clone(), Value::from(s.as_str()))).collect())),
        ])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trip_and_rejects_foreign_data() {
        let mut env = Envelope::new("abcdef0123456789".into());
        env.set_sent("m", "warm");
        env.set_sent("m", "mql");
        env.set_sent("other", "sql");
        let value = env.to_value(Value::object(vec![("v", Value::Number(1.0))]));
        let back = Envelope::from_value(value).unwrap_or_default();
        assert_eq!(back.id, env.id);
        assert_eq!(back.sent("m"), Some("mql"));
        assert_eq!(back.sent("other"), Some("sql"));
        assert_eq!(back.sent("none"), None);
        assert!(back.state.is_some());

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
