//! Event ingestion: any batch of values is accepted or rejected per event without corrupting the
//! state, which always survives save and load and scores consistently.
#![no_main]

use leadscore::value::Value;
use leadscore::Scorer;
use libfuzzer_sys::fuzz_target;

const MODEL: &str = r#"{"name":"f","rules":[
  {"id":"pricing","points":15,"when":{"page_view":{"path":"/pricing*"}},"max":2,"decay":{"half_life":"30d"}},
  {"id":"docs","points":2,"when":{"page_view":{"path":"/docs/*"}},"per":"1d","window":"30d","group":"web"},
  {"id":"pdf","points":10,"when":{"download":{"type":["pdf"]}}},
  {"id":"webinar","points":20,"when":{"form_submit":{"form":"webinar*"}}},
  {"id":"engaged","points":10,"when":{"engaged":{"path":"/pricing*","seconds":30}}},
  {"id":"return","points":10,"when":{"visits":{"at_least":2}},"decay":{"percent":10,"every":"7d"}},
  {"id":"size","points":25,"when":{"trait":"company_size","between":[50,200]}},
  {"id":"free","points":-15,"when":{"email_domain":{"free":true}}},
  {"id":"inactive","points":-20,"when":{"inactive":{"for":"90d"}}}],
  "groups":[{"id":"web","max":10}]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(model) = serde_json::from_str::<Value>(MODEL) else { return };
    let Ok(mut scorer) = Scorer::new(&model, None) else { return };
    let events = match &input {
        Value::Array(list) => list.clone(),
        other => vec![other.clone()],
    };
    for event in &events {
        let before = scorer.state().clone();
        if let leadscore::Ingest::Rejected(_) | leadscore::Ingest::Duplicate = scorer.ingest(event) {
            assert_eq!(&before, scorer.state(), "a rejected or duplicate event changed the state");
        }
    }
    for now in [1_763_856_000_000i64, 1_800_000_000_000] {
        if let Some(card) = scorer.score(now) {
            let sum: i64 = card.breakdown.iter().map(|l| l.points).sum();
            assert_eq!(sum, card.total);
        }
    }
    let saved = scorer.export_state();
    let mut restored = Scorer::new(&model, None).ok().unwrap_or_else(|| scorer.clone());
    restored.import_state(&saved).unwrap_or_else(|e| panic!("exported state does not import: {e}"));
    assert_eq!(restored.state(), scorer.state(), "state changed on save and load");
});
