//! Property tests of the scoring invariants the brief promises.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use leadscore::value::Value;
use leadscore::{engine::ScoreCard, Scorer};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const NOW: i64 = 1_763_856_000_000;
const DAY: i64 = 86_400_000;
const PATHS: &[&str] =
    &["/", "/pricing", "/pricing/enterprise", "/features", "/blog/a", "/blog/b", "/docs/x", "/webinar"];

fn v(json: Json) -> Value {
    serde_json::from_value(json).unwrap()
}

/// Models with positive points only (plus the inactivity penalty, which activity can only lift),
/// random caps, groups, frequency limits, windows and decay.
fn positive_model() -> impl Strategy<Value = Json> {
    let rule = (
        0usize..8,
        1u32..40,
        prop::option::of(1u32..4),
        prop::option::of(0usize..3),
        any::<bool>(),
        any::<bool>(),
        0usize..6,
    );
    (prop::collection::vec(rule, 1..8), prop::option::of(10u32..60), prop::option::of(20u32..90)).prop_map(
        |(rules, group_max, cap)| {
            let mut list = Vec::new();
            for (i, (path, points, max, decay, windowed, grouped, kind)) in rules.into_iter().enumerate() {
                let pattern = format!("{}*", PATHS[path].trim_end_matches('*'));
                let when = match kind {
                    0 => json!({ "page_view": { "path": pattern } }),
                    1 => json!({ "download": { "url": "*.pdf" } }),
                    2 => json!({ "engaged": { "path": pattern, "seconds": 30 } }),
                    3 => json!({ "visits": { "at_least": 2 } }),
                    4 => json!({ "form_submit": { "form": "webinar" } }),
                    _ => json!({ "trait": "company_size", "between": [50, 200] }),
                };
                let occurrence = kind == 0 || kind == 1 || kind == 4;
                let mut rule = json!({ "id": format!("r{i}"), "points": points, "when": when });
                if occurrence {
                    if let Some(m) = max {
                        rule["max"] = json!(m);
                    }
                    if windowed {
                        rule["window"] = json!("20d");
                    }
                    if i % 3 == 0 {
                        rule["per"] = json!("1d");
                    }
                }
                if kind < 4 {
                    match decay {
                        Some(0) => rule["decay"] = json!({ "half_life": "10d" }),
                        Some(1) => rule["decay"] = json!({ "percent": 30, "every": "7d" }),
                        _ => {}
                    }
                }
                if grouped && kind != 5 && group_max.is_some() {
                    rule["group"] = json!("g");
                }
                list.push(rule);
            }
            list.push(json!({ "id": "inactive", "points": -20, "when": { "inactive": { "for": "90d" } } }));
            let mut model =
                json!({ "name": "p", "rules": list, "groups": [{ "id": "g", "max": group_max.unwrap_or(100) }] });
            if let Some(c) = cap {
                model["caps"] = json!({ "engagement": c });
            }
            model
        },
    )
}

/// Any model `positive_model` makes, then negative points, vetoes, a fit cap, a scale below zero,
/// a group floor, stages and a qualification gate: everything `settle` decides on.
fn varied_model() -> impl Strategy<Value = Json> {
    let tweaks = (
        prop::collection::vec((any::<bool>(), any::<bool>()), 8),
        prop::option::of(5u32..40),
        prop::option::of(-50i32..0),
        prop::option::of(-30i32..0),
    );
    let gate = (
        prop::option::of(0usize..4),
        prop::option::of(0u32..80),
        prop::option::of(0u32..30),
        prop::option::of(0u32..30),
        prop::collection::vec(0usize..9, 0..3),
    );
    (positive_model(), tweaks, gate).prop_map(|(mut model, (flags, cap_fit, scale_min, group_min), (stage, min_total, min_fit, min_engagement, needed))| {
        let rules = model["rules"].as_array_mut().unwrap();
        for (rule, (negative, veto)) in rules.iter_mut().zip(flags) {
            if negative {
                rule["points"] = json!(-rule["points"].as_i64().unwrap());
            }
            if veto && rule["id"] != "inactive" {
                rule["disqualify"] = json!(true);
            }
        }
        let ids: Vec<Json> = rules.iter().map(|r| r["id"].clone()).collect();
        rules.push(json!({ "id": "title", "score": "fit", "points": 12, "when": { "trait": "company_size", "at_least": 100 } }));
        if let Some(c) = cap_fit {
            model["caps"]["fit"] = json!(c);
        }
        if let Some(min) = scale_min {
            model["scale"] = json!({ "min": min, "max": 60 });
        }
        if let Some(min) = group_min {
            model["groups"][0]["min"] = json!(min);
        }
        model["stages"] = json!([{ "name": "cold" }, { "name": "warm", "min": 10 }, { "name": "hot", "above": 30 }, { "name": "top", "min": 55 }]);
        let mut gate = json!({});
        if let Some(s) = stage {
            gate["stage"] = json!(["cold", "warm", "hot", "top"][s]);
        }
        for (key, min) in [("min_total", min_total), ("min_fit", min_fit), ("min_engagement", min_engagement)] {
            if let Some(m) = min {
                gate[key] = json!(m);
            }
        }
        let needed: Vec<Json> = needed.into_iter().filter_map(|i| ids.get(i).cloned()).collect();
        if !needed.is_empty() {
            gate["rules"] = json!(needed);
        }
        model["qualify"] = gate;
        model
    })
}

fn event() -> impl Strategy<Value = Json> {
    any_event(5)
}

/// Behaviour only: no traits, which a later answer may legitimately overwrite downwards.
fn behaviour_event() -> impl Strategy<Value = Json> {
    any_event(4).prop_map(|mut e| {
        if e["type"] == "form_submit" {
            e.as_object_mut().unwrap().remove("traits");
        }
        e
    })
}

fn any_event(kinds: usize) -> impl Strategy<Value = Json> {
    (0usize..kinds, 0usize..8, 0i64..(120 * DAY), 0u32..200, 0u32..400).prop_map(|(kind, path, back, n, size)| {
        let ts = NOW - back;
        match kind {
            0 => json!({ "type": "page_view", "ts": ts, "path": PATHS[path] }),
            1 => json!({ "type": "download", "ts": ts, "url": format!("/files/doc{}.pdf", n % 3) }),
            2 => json!({ "type": "engaged", "ts": ts, "path": PATHS[path], "seconds": n }),
            3 => json!({ "type": "form_submit", "ts": ts, "form": "webinar", "traits": { "company_size": size } }),
            _ => json!({ "type": "identify", "ts": ts, "traits": { "company_size": size } }),
        }
    })
}

fn scored(model: &Json, events: &[Json], now: i64) -> ScoreCard {
    let mut scorer = Scorer::new(&v(model.clone()), None).unwrap();
    let values: Vec<Value> = events.iter().cloned().map(v).collect();
    let summary = scorer.ingest_many(&values);
    assert!(summary.rejected.is_empty(), "{:?}", summary.rejected);
    scorer.score(now).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn breakdown_adds_up_and_total_is_on_the_scale(model in positive_model(), events in prop::collection::vec(event(), 0..40)) {
        let card = scored(&model, &events, NOW);
        let sum: i64 = card.breakdown.iter().map(|l| l.points).sum();
        prop_assert_eq!(sum, card.total);
        prop_assert!((0..=10_000).contains(&card.total));
    }

    // The extra event is recent: a visitor's very first activity, if older than the inactivity
    // period, rightly makes them an inactive visitor rather than a more engaged one.
    #[test]
    fn a_positive_event_never_lowers_the_score(model in positive_model(), events in prop::collection::vec(event(), 0..30), extra in behaviour_event().prop_filter("recent", |e| NOW - e["ts"].as_i64().unwrap_or(0) < 89 * DAY)) {
        let before = scored(&model, &events, NOW);
        let mut more = events.clone();
        more.push(extra);
        let after = scored(&model, &more, NOW);
        prop_assert!(after.total >= before.total, "{} -> {}", before.total, after.total);
    }

    #[test]
    fn time_passing_never_raises_the_score(model in positive_model(), events in prop::collection::vec(event(), 0..30), later in 0i64..(200 * DAY)) {
        let now_card = scored(&model, &events, NOW);
        let later_card = scored(&model, &events, NOW + later);
        prop_assert!(later_card.total <= now_card.total, "{} -> {}", now_card.total, later_card.total);
    }

    #[test]
    fn the_same_event_twice_counts_once(model in positive_model(), events in prop::collection::vec(event(), 1..30), pick in any::<prop::sample::Index>()) {
        let with_ids: Vec<Json> = events.iter().enumerate().map(|(i, e)| { let mut e = e.clone(); e["id"] = json!(format!("e{i}")); e }).collect();
        let i = pick.index(with_ids.len());
        let mut replayed = with_ids.clone();
        replayed.insert(i + 1, with_ids[i].clone());
        let mut a = Scorer::new(&v(model.clone()), None).unwrap();
        let mut b = Scorer::new(&v(model), None).unwrap();
        a.ingest_many(&with_ids.iter().cloned().map(v).collect::<Vec<_>>());
        let summary = b.ingest_many(&replayed.iter().cloned().map(v).collect::<Vec<_>>());
        prop_assert_eq!(summary.duplicates, 1);
        prop_assert_eq!(a.state(), b.state());
    }

    #[test]
    fn state_survives_save_and_load(model in positive_model(), events in prop::collection::vec(event(), 0..60)) {
        let mut a = Scorer::new(&v(model.clone()), None).unwrap();
        a.ingest_many(&events.iter().cloned().map(v).collect::<Vec<_>>());
        let saved = a.export_state();
        let text = serde_json::to_string(&saved).unwrap();
        let mut b = Scorer::new(&v(model), None).unwrap();
        b.import_state(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
        prop_assert_eq!(a.state(), b.state());
        prop_assert_eq!(serde_json::to_value(a.score(NOW).unwrap()).unwrap(), serde_json::to_value(b.score(NOW).unwrap()).unwrap());
    }

    #[test]
    fn the_summary_equals_the_score_card(model in varied_model(), events in prop::collection::vec(event(), 0..40), later in 0i64..(200 * DAY)) {
        let mut scorer = Scorer::new(&v(model), None).unwrap();
        scorer.ingest_many(&events.into_iter().map(v).collect::<Vec<_>>());
        let (m, state) = (scorer.model().unwrap(), scorer.state());
        for now in [NOW, NOW + later] {
            let card = leadscore::engine::score(m, state, now);
            let summary = leadscore::engine::summarize(m, state, now);
            prop_assert_eq!((summary.fit, summary.engagement, summary.total, summary.qualified), (card.fit, card.engagement, card.total, card.qualified));
            prop_assert_eq!(&m.stages[summary.stage].name, &card.stage);
        }
    }

    // The JS boundary's fast path (`Scorer.track`) hands fields over one by one instead of as an
    // object: the same event, accepted or rejected with the same errors.
    #[test]
    fn fields_given_one_by_one_validate_like_an_object(event in field_event()) {
        use leadscore::state::{event_fields, EventFields, TimedEvent};
        let value = v(event);
        let owned: Vec<(String, Value)> = value.as_object().unwrap().to_vec();
        let kind = value.get("type").and_then(Value::as_str).unwrap();
        let mut fields = EventFields::new(kind).unwrap();
        let allowed = event_fields(kind).unwrap();
        for (key, field) in &owned {
            prop_assert!(allowed.contains(&key.as_str()));
            fields.set(key, field);
        }
        prop_assert_eq!(TimedEvent::from_fields(&fields, "event"), TimedEvent::parse(&value, "event"));
    }

    #[test]
    fn arbitrary_input_is_rejected_not_fatal(json in arb_json()) {
        let value = v(json);
        let _ = leadscore::model::ModelSet::parse(&value);
        let mut scorer = Scorer::new(&v(json!({ "name": "x", "rules": [] })), None).unwrap();
        let before = scorer.state().clone();
        if let leadscore::Ingest::Rejected(_) = scorer.ingest(&value) {
            prop_assert_eq!(&before, scorer.state());
        }
        let _ = scorer.import_state(&value);
        let _ = scorer.score(NOW);
    }
}

/// Events with only the fields their type allows, each often valid and sometimes not: a wrong
/// type, out of range, too long, upper case, with a query string, empty.
fn field_event() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        4 => prop::sample::select(vec!["/Pricing?x=1", "/", "", "  /a#b ", "https://Ex.com:8/p", "Webinar", "x"]).prop_map(Json::from),
        1 => "[a-zA-Z/?#]{500,520}".prop_map(Json::from),
        3 => prop::sample::select(vec![NOW as f64, 1.0, 50.5, 1e300, -3.0, 86_401.0, 7.258_118_400_001e12]).prop_map(Json::from),
        1 => any::<bool>().prop_map(Json::from),
        1 => Just(json!({ "source": "News", "medium": "Email", "campaign": "Q4" })),
        1 => Just(json!({ "company_size": 120, "email": "a@Gmail.com" })),
    ];
    let types = prop::sample::select(vec![
        "page_view",
        "engaged",
        "download",
        "form_submit",
        "click",
        "event",
        "email_click",
        "scroll",
        "identify",
    ]);
    (types, prop::collection::vec((0usize..8, leaf), 0..8), any::<bool>()).prop_map(|(kind, picks, with_ts)| {
        let allowed = leadscore::state::event_fields(kind).unwrap();
        let mut event = serde_json::Map::new();
        event.insert("type".into(), json!(kind));
        if with_ts {
            event.insert("ts".into(), json!(NOW));
        }
        for (i, value) in picks {
            let key = allowed[1 + i % (allowed.len() - 1)];
            event.insert(key.into(), value);
        }
        Json::Object(event)
    })
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i32>().prop_map(Json::from),
        (-1e16f64..1e16).prop_map(Json::from),
        "[a-z_]{0,8}".prop_map(Json::from),
        prop::sample::select(vec!["page_view", "form_submit", "identify", "type", "ts", "traits", "v", "pages"])
            .prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type", "ts", "path", "traits", "v", "first", "pages", "rules", "name", "when", "points"
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

#[test]
fn state_stays_small_after_a_thousand_events() {
    let mut scorer = Scorer::new(&v(json!({ "name": "x", "rules": [] })), None).unwrap();
    for i in 0..1000i64 {
        let ts = NOW - 30 * DAY + i * 97_000;
        let e = match i % 5 {
            0 => {
                json!({ "type": "page_view", "ts": ts, "path": PATHS[(i as usize) % PATHS.len()], "id": format!("evt-{i}") })
            }
            1 => json!({ "type": "engaged", "ts": ts, "path": PATHS[(i as usize) % PATHS.len()], "seconds": 12 }),
            2 => json!({ "type": "click", "ts": ts, "name": format!("cta-{}", i % 4) }),
            3 => json!({ "type": "scroll", "ts": ts, "path": PATHS[(i as usize) % PATHS.len()], "depth": 50 }),
            _ => json!({ "type": "download", "ts": ts, "url": format!("/files/{}.pdf", i % 3) }),
        };
        assert_eq!(scorer.ingest(&v(e)), leadscore::Ingest::Counted);
    }
    let text = serde_json::to_string(&scorer.export_state()).unwrap();
    assert!(text.len() <= 2048, "state is {} bytes: {text}", text.len());
}

/// Trait-only models for the fast path: text, number and boolean tests, groups and caps.
fn flat_model() -> impl Strategy<Value = Json> {
    let test = prop_oneof![
        prop::sample::select(vec!["vp", "Director", "saas", "yes", "120"]).prop_map(|t| json!({ "equals": t })),
        (0i32..300).prop_map(|n| json!({ "equals": n })),
        any::<bool>().prop_map(|b| json!({ "equals": b })),
        Just(json!({ "one_of": ["vp", "head of sales", 50, true] })),
        (0i32..200, 0i32..400).prop_map(|(a, b)| json!({ "between": [a.min(b), a.max(b)] })),
        (0i32..300).prop_map(|n| json!({ "at_least": n })),
        (0i32..300).prop_map(|n| json!({ "below": n })),
        any::<bool>().prop_map(|b| json!({ "exists": b })),
        any::<bool>().prop_map(|b| json!({ "is_true": b })),
        Just(json!({ "contains": ["sales", "dir"] })),
    ];
    // The condition as written, negated (`not`), or with a second test of the same field (`any`,
    // `all`): what calibration writes for "no answer" and for ranges.
    let rule = (0usize..4, test.clone(), -30i32..40, any::<bool>(), any::<bool>(), 0usize..4, test);
    (prop::collection::vec(rule, 1..10), prop::option::of(5i32..60), prop::option::of(10i32..80)).prop_map(|(rules, group_max, cap)| {
        let list: Vec<Json> = rules
            .into_iter()
            .enumerate()
            .map(|(i, (field, test, points, fit, grouped, shape, other))| {
                let condition = |test: &Json| {
                    let mut when = json!({ "trait": format!("f{field}") });
                    for (k, v) in test.as_object().unwrap() {
                        when[k] = v.clone();
                    }
                    when
                };
                let when = match shape {
                    0 => condition(&test),
                    1 => json!({ "not": condition(&test) }),
                    2 => json!({ "any": [condition(&test), condition(&other)] }),
                    _ => json!({ "not": { "all": [condition(&test), { "not": condition(&other) }] } }),
                };
                let mut rule = json!({ "id": format!("r{i}"), "points": points, "score": if fit { "fit" } else { "engagement" }, "when": when });
                if grouped && group_max.is_some() {
                    rule["group"] = json!(if fit { "gf" } else { "ge" });
                }
                rule
            })
            .collect();
        let max = group_max.unwrap_or(100);
        let mut model = json!({ "name": "flat", "rules": list, "groups": [{ "id": "gf", "max": max }, { "id": "ge", "max": max, "min": -10 }] });
        if let Some(c) = cap {
            model["caps"] = json!({ "fit": c, "engagement": c });
        }
        model
    })
}

fn flat_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        (0i32..400).prop_map(Json::from),
        (-5.0f64..400.0).prop_map(Json::from),
        any::<bool>().prop_map(Json::from),
        prop::sample::select(vec![
            "VP",
            " director ",
            "saas",
            "Yes",
            "120",
            "50",
            "head of sales",
            "engineer",
            "",
            "  ",
            "ON",
            "salesforce"
        ])
        .prop_map(Json::from),
    ]
}

proptest! {
    // Leads the encoder would send down the general path are skipped: allow for many of them.
    #![proptest_config(ProptestConfig { cases: 400, max_global_rejects: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn the_fast_path_scores_like_the_general_engine(model in flat_model(), values in prop::collection::vec(flat_value(), 4)) {
        use leadscore::flat::{FlatModel, BOOLEAN, MISSING, NUMBER, UNKNOWN_TEXT};
        let set = leadscore::model::ModelSet::parse(&v(model)).unwrap();
        let compiled = set.models[0].clone();
        let flat = FlatModel::compile(&compiled).unwrap();
        let traits: serde_json::Map<String, Json> = values.iter().enumerate().map(|(i, x)| (format!("f{i}"), x.clone())).collect();
        let general = leadscore::score_lead(&compiled, &v(json!({ "traits": traits })), NOW).unwrap().total;
        let mut codes = Vec::new();
        let mut numbers = Vec::new();
        for (slot, field) in flat.fields.iter().enumerate() {
            let (code, number) = match traits.get(field).unwrap_or(&Json::Null) {
                Json::Null => (MISSING, 0.0),
                Json::Bool(b) => (BOOLEAN, if *b { 1.0 } else { 0.0 }),
                Json::Number(n) => (NUMBER, n.as_f64().unwrap()),
                Json::String(s) => (flat.text_code(s), 0.0),
                _ => unreachable!(),
            };
            // The encoder sends such leads down the general path.
            prop_assume!(code != UNKNOWN_TEXT || flat.unknown_ok[slot]);
            codes.push(code);
            numbers.push(number);
        }
        prop_assert_eq!(flat.score(&codes, &numbers), general);
    }
}
