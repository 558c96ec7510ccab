//! Model documents: any bytes either fail to parse or validate into a model that scores with a
//! breakdown adding up to its total, within the scale.
#![no_main]

use leadscore::model::ModelSet;
use leadscore::state::VisitorState;
use leadscore::value::Value;
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_763_856_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(set) = ModelSet::parse(&doc) else { return };
    let state = sample_state();
    for model in &set.models {
        for s in [&VisitorState::default(), &state] {
            let card = leadscore::engine::score(model, s, NOW);
            let sum: i64 = card.breakdown.iter().map(|l| l.points).sum();
            assert_eq!(sum, card.total, "breakdown does not add up");
            assert!(card.total >= model.scale_min && card.total <= model.scale_max, "total off the scale");
        }
    }
});

fn sample_state() -> VisitorState {
    let events = r#"[
      {"type":"page_view","ts":1763769600000,"path":"/pricing","utm":{"source":"news","medium":"email","campaign":"nov"},"referrer":"https://www.linkedin.com/"},
      {"type":"engaged","ts":1763769630000,"path":"/pricing","seconds":45},
      {"type":"download","ts":1763769660000,"url":"/files/whitepaper.pdf"},
      {"type":"form_submit","ts":1763769690000,"form":"webinar","traits":{"email":"a@gmail.com","company_size":"120","job_title":"Head of Sales"}},
      {"type":"click","ts":1763769700000,"name":"book-demo"},{"type":"event","ts":1763769710000,"name":"webinar_registered"},
      {"type":"scroll","ts":1763769720000,"path":"/blog/x","depth":80},{"type":"page_view","ts":1763856000000,"path":"/"}]"#;
    let mut state = VisitorState::default();
    if let Ok(Value::Array(list)) = serde_json::from_str::<Value>(events) {
        for event in &list {
            if let Ok(e) = leadscore::state::TimedEvent::parse(event, "e") {
                state.ingest(&e);
            }
        }
    }
    state
}
