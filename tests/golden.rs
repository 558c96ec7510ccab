//! Golden vectors shared with the JS tests (tests/js/golden.mjs): model + events + now → the
//! exact score card, rejected events, or model errors. `UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites the expectations from the engine; review the diff by hand before committing it.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use leadscore::value::Value;
use leadscore::{model::ModelSet, Scorer};
use serde_json::Value as Json;
use std::path::PathBuf;

fn to_value(json: &Json) -> Value {
    serde_json::from_value(json.clone()).unwrap()
}

/// JSON equality where numbers compare by value (15 == 15.0).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Integral floats back to integers, so rewritten files read like hand-written ones.
fn tidy(json: Json) -> Json {
    match json {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Json::from(f as i64),
            _ => Json::Number(n),
        },
        Json::Array(items) => Json::Array(items.into_iter().map(tidy).collect()),
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, tidy(v))).collect()),
        other => other,
    }
}

/// Errors as the boundary gives them: `[{ path, message }]`.
fn field_errors(errors: &leadscore::error::Errors) -> Json {
    errors.0.iter().map(|e| serde_json::json!({ "path": e.path, "message": e.message })).collect()
}

fn run_case(case: &Json) -> Json {
    let model = to_value(&case["model"]);
    match ModelSet::parse(&model) {
        Err(errors) => serde_json::json!({ "errors": field_errors(&errors) }),
        Ok(_) => {
            let mut scorer = Scorer::new(&model, case["model_name"].as_str()).unwrap();
            let events: Vec<Value> = case["events"].as_array().unwrap().iter().map(to_value).collect();
            let summary = scorer.ingest_many(&events);
            let scored = scorer.score(case["now"].as_i64().unwrap()).unwrap();
            let card = serde_json::to_value(&scored).unwrap();
            // The website tag hands cards over as `ScoreCard::to_value`: it must be the same JSON.
            let as_value = serde_json::to_value(scored.to_value()).unwrap();
            assert!(same(&as_value, &card), "ScoreCard::to_value differs from its Serialize impl");
            // Saving and restoring the state must not change the score.
            let mut restored = Scorer::new(&model, case["model_name"].as_str()).unwrap();
            restored.import_state(&scorer.export_state()).unwrap();
            let again = serde_json::to_value(restored.score(case["now"].as_i64().unwrap()).unwrap()).unwrap();
            assert!(same(&card, &again), "state round trip changed the score");
            let mut expect = serde_json::json!({ "card": card });
            if !summary.rejected.is_empty() {
                let rejected: Vec<Json> = summary
                    .rejected
                    .iter()
                    .map(|(i, errors)| serde_json::json!({ "index": i, "errors": field_errors(errors) }))
                    .collect();
                expect["rejected"] = Json::Array(rejected);
            }
            expect
        }
    }
}

#[test]
fn golden_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    assert!(files.len() >= 10, "golden vectors missing in {}", dir.display());
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    let mut failures = Vec::new();
    for file in &files {
        let mut case: Json = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let actual = tidy(run_case(&case));
        if update {
            case["expect"] = actual;
            std::fs::write(file, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
        } else if !same(&actual, &case["expect"]) {
            failures.push(format!("{}:\n  expected {}\n  actual   {}", file.display(), case["expect"], actual));
        }
    }
    assert!(failures.is_empty(), "{} golden vector(s) differ:\n{}", failures.len(), failures.join("\n"));
}
