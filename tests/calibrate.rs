//! Calibration on generated leads whose true model the test knows: the learned points must rank
//! the signals as the truth does, the cross-validated AUC must come close to the true model's,
//! the proposed thresholds must meet their targets, and every bad CSV gets an error naming the
//! row or column.
#![cfg(all(not(target_arch = "wasm32"), feature = "calibrate"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use leadscore::calibrate::{calibrate, score_csv, CalibrateOptions, ScoreCsvOptions, Target};
use leadscore::value::Value;
use serde_json::Value as Json;

/// xorshift64*: reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() * items.len() as f64) as usize % items.len()]
    }
}

/// The true log-odds contributions.
const TIME_PER_SECOND: f64 = 4.0 / 1000.0;
const INDUSTRY: &[(&str, f64)] = &[("Retail", 1.5), ("Banking", 0.0), ("Health", -1.0), ("Select", 0.0), ("", 0.0)];
const NEWSLETTER_YES: f64 = 0.8;
const INTERCEPT: f64 = -2.0;

/// `rows` leads: seconds on site (strong, increasing), industry (Retail > Banking > Health;
/// "Select" and empty are unanswered), newsletter yes/no (weak), and two columns of pure noise.
/// Returns the CSV and each row's true log-odds.
fn generate(rows: usize, seed: u64) -> (String, Vec<f64>) {
    let mut rng = Rng(seed);
    let mut csv = String::from("Lead ID,Time on Site,Industry,Newsletter,Noise Score,Region,Converted\n");
    let mut truth = Vec::with_capacity(rows);
    for i in 0..rows {
        let seconds = (rng.next() * 1000.0).floor();
        let industry = INDUSTRY[(rng.next() * INDUSTRY.len() as f64) as usize % INDUSTRY.len()];
        let newsletter = if rng.next() < 0.4 { "Yes" } else { "No" };
        let noise = (rng.next() * 100.0).floor();
        let region = rng.pick(&["North", "South", "East", "West"]);
        let logit =
            INTERCEPT + TIME_PER_SECOND * seconds + industry.1 + if newsletter == "Yes" { NEWSLETTER_YES } else { 0.0 };
        let converted = rng.next() < 1.0 / (1.0 + (-logit).exp());
        truth.push(logit);
        csv += &format!("L{i},{seconds},{},{newsletter},{noise},{region},{}\n", industry.0, u8::from(converted));
    }
    (csv, truth)
}

fn outcomes(csv: &str) -> Vec<bool> {
    csv.lines().skip(1).map(|l| l.ends_with(",1")).collect()
}

/// The ROC AUC of scores (ties count half), computed independently of the library.
fn auc(scores: &[f64], outcome: &[bool]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (i, &a) in scores.iter().enumerate() {
        if !outcome[i] {
            continue;
        }
        for (j, &b) in scores.iter().enumerate() {
            if outcome[j] {
                continue;
            }
            pairs += 1.0;
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / pairs
}

fn json(value: &Value) -> Json {
    serde_json::to_value(value).unwrap()
}

fn options() -> CalibrateOptions {
    let mut options = CalibrateOptions::new("Converted");
    options.id = Some("Lead ID".into());
    options
}

fn run(csv: &str, options: &CalibrateOptions) -> (Json, Json) {
    let result = calibrate(csv, options, &mut |_| {}).unwrap();
    (json(&result.model), json(&result.report))
}

/// Points of the rule whose label is `label`, 0 when the level got no rule.
fn points(model: &Json, label: &str) -> f64 {
    model["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .map_or(0.0, |r| r["points"].as_f64().unwrap())
}

fn column<'a>(report: &'a Json, name: &str) -> &'a Json {
    report["columns"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

#[test]
fn learned_points_rank_the_signals_like_the_true_model() {
    let (csv, _) = generate(3000, 7);
    let (model, report) = run(&csv, &options());
    // Within a column: the truth's order of answers.
    let retail = points(&model, "Industry: Retail");
    let banking = points(&model, "Industry: Banking");
    let health = points(&model, "Industry: Health");
    assert!(retail > banking && banking >= health, "Retail {retail} > Banking {banking} ≥ Health {health}");
    assert!(points(&model, "Newsletter: yes") > points(&model, "Newsletter: no or no answer"));
    // Across columns: how far each can move a score follows the true effect sizes (4, 2.5, 0.8, 0).
    let range = |name: &str| column(&report, name)["points_range"].as_f64().unwrap();
    let (time, industry, newsletter) = (range("Time on Site"), range("Industry"), range("Newsletter"));
    assert!(
        time > industry && industry > newsletter,
        "ranges: time {time}, industry {industry}, newsletter {newsletter}"
    );
    for noise in ["Noise Score", "Region"] {
        assert!(
            range(noise) * 3.0 < newsletter,
            "{noise} moves scores by {} points, the weakest true signal by {newsletter}",
            range(noise)
        );
        assert_eq!(column(&report, noise)["left_out"], "no significant link to the outcome in these rows");
    }
    assert!(column(&report, "Newsletter")["left_out"].is_null());
    // Time bins climb: more seconds never lose many points.
    let bins: Vec<f64> = model["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["when"]["trait"] == "Time on Site")
        .map(|r| r["points"].as_f64().unwrap())
        .collect();
    assert!(bins.len() >= 8, "{bins:?}");
    assert!(bins.last().unwrap() - bins.first().unwrap() > 0.5 * time, "{bins:?}");
    // Placeholders are answers nobody gave: no rule tests "Select".
    assert!(!serde_json::to_string(&model).unwrap().to_lowercase().contains("\"select\""));
    // Roles from the column names, and the points are whole numbers on a 0..100 scale.
    assert_eq!(column(&report, "Time on Site")["role"], "engagement");
    assert_eq!(column(&report, "Industry")["role"], "fit");
    assert_eq!(column(&report, "Newsletter")["type"], "yes/no");
    assert!(model["rules"].as_array().unwrap().iter().all(|r| r["points"].as_f64().unwrap().fract() == 0.0));
}

#[test]
fn cross_validated_auc_is_close_to_the_true_models() {
    let (csv, truth) = generate(3000, 11);
    let outcome = outcomes(&csv);
    let oracle = auc(&truth, &outcome);
    let (_, report) = run(&csv, &options());
    let cv = &report["cross_validation"];
    let learned = cv["auc"].as_f64().unwrap();
    assert!(learned > oracle - 0.03 && learned < oracle + 0.015, "cross-validated {learned} vs true model {oracle}");
    assert!(cv["ties"]["distinct_scores"].as_f64().unwrap() >= 40.0, "scores are spread: {}", cv["ties"]);
    // The scale is fixed by the learning rows' quartiles (20 and 55 points, points.rs): few leads tie at its ends.
    assert!(
        cv["ties"]["at_0"].as_f64().unwrap() < 0.05 && cv["ties"]["at_100"].as_f64().unwrap() < 0.015,
        "{}",
        cv["ties"]
    );
    // Lift is positive and decreasing with the share.
    let lift: Vec<f64> = cv["lift"].as_array().unwrap().iter().map(|l| l["lift"].as_f64().unwrap()).collect();
    assert!(lift[0] > lift[2] && lift[2] > 1.0, "{lift:?}");
    // The ROC curve runs from corner to corner.
    let roc = cv["roc"].as_array().unwrap();
    assert_eq!(roc.first().unwrap(), &serde_json::json!([0.0, 0.0]));
    assert_eq!(roc.last().unwrap(), &serde_json::json!([1.0, 1.0]));
}

#[test]
fn thresholds_meet_their_targets_and_match_the_engines_scores() {
    let (csv, _) = generate(3000, 5);
    let mut options = options();
    options.mql = Target::Top(0.3);
    options.sql = Some(Target::Precision(0.9));
    let result = calibrate(&csv, &options, &mut |_| {}).unwrap();
    let report = json(&result.report);
    let learning = &report["model"]["stages_on_learning_rows"];
    let mql_share = learning["mql"]["share"].as_f64().unwrap();
    assert!((mql_share - 0.3).abs() < 0.03, "MQL share on learning rows: {mql_share}");
    assert!(learning["sql"]["precision"].as_f64().unwrap() >= 0.9, "{learning}");
    assert!(learning["sql"]["min"].as_f64() > learning["mql"]["min"].as_f64());
    let held_out = &report["cross_validation"];
    assert!(held_out["sql"]["precision"].as_f64().unwrap() >= 0.65, "held-out SQL precision {}", held_out["sql"]);
    assert!((held_out["mql"]["share"].as_f64().unwrap() - 0.3).abs() < 0.06, "{}", held_out["mql"]);

    // The engine scoring the learning rows with the final model finds exactly the shares calibration
    // computed with its own arithmetic: what was learned is what gets scored.
    let scored =
        score_csv(&result.model, &csv, &ScoreCsvOptions { keep: vec!["Converted".into()], ..Default::default() })
            .unwrap();
    let rows: Vec<(f64, bool)> = scored
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[1].parse().unwrap(), cells.last() == Some(&"1"))
        })
        .collect();
    for stage in ["mql", "sql"] {
        let min = learning[stage]["min"].as_f64().unwrap();
        let picked: Vec<bool> = rows.iter().filter(|r| r.0 >= min).map(|r| r.1).collect();
        let share = picked.len() as f64 / rows.len() as f64;
        let precision = picked.iter().filter(|&&y| y).count() as f64 / picked.len() as f64;
        assert!(
            (share - learning[stage]["share"].as_f64().unwrap()).abs() < 1e-4,
            "{stage} share {share} vs {}",
            learning[stage]
        );
        assert!((precision - learning[stage]["precision"].as_f64().unwrap()).abs() < 1e-4, "{stage} precision");
    }
}

#[test]
fn the_model_is_an_ordinary_document_with_stages_and_grades() {
    let (csv, _) = generate(800, 3);
    let (model, report) = run(&csv, &options());
    let set = leadscore::model::ModelSet::parse(&serde_json::from_value::<Value>(model.clone()).unwrap()).unwrap();
    let parsed = &set.models[0];
    assert_eq!(parsed.name, "calibrated");
    let names: Vec<&str> = parsed.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"new"));
    assert!(names.contains(&"mql"), "{names:?}");
    assert!(model["description"].as_str().unwrap().contains("Cross-validated ROC AUC"));
    assert_eq!(report["rows"], serde_json::json!(800.0));
    assert_eq!(report["points"].as_array().unwrap().len(), model["rules"].as_array().unwrap().len());
    // Same data, same seed: the same model.
    let (again, _) = run(&csv, &options());
    assert_eq!(model, again);
}

#[test]
fn roles_and_exclusions_can_be_set() {
    let (csv, _) = generate(1500, 9);
    let mut options = options();
    options.exclude = vec!["Region".into(), "Noise Score".into()];
    options.fit = vec!["Time on Site".into()];
    options.behaviour = vec!["Newsletter".into()];
    let (model, report) = run(&csv, &options);
    let rules = model["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["when"]["trait"] != "Region" && r["when"]["trait"] != "Noise Score"));
    let kind_of = |t: &str| rules.iter().find(|r| r["when"]["trait"] == t).map(|r| r["score"].clone()).unwrap();
    assert_eq!(kind_of("Time on Site"), "fit");
    assert_eq!(kind_of("Newsletter"), "engagement");
    assert_eq!(column(&report, "Newsletter")["role_from"], "option");
    let skipped: Vec<&str> =
        report["skipped"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert_eq!(skipped.iter().filter(|r| **r == "excluded by option").count(), 2);
}

fn error_of(csv: &str) -> String {
    calibrate(csv, &options(), &mut |_| {}).unwrap_err().to_string()
}

#[test]
fn bad_csvs_get_errors_naming_the_row_or_column() {
    let (good, _) = generate(100, 1);
    // Ragged rows.
    let ragged = good.replacen("\nL3,", "\nL3,extra,", 1);
    assert!(error_of(&ragged).contains("row 5: 8 fields, but the header has 7 columns"), "{}", error_of(&ragged));
    // No label column.
    let mut options = options();
    options.label = "Outcome".into();
    let e = calibrate(&good, &options, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("no column \"Outcome\" in the CSV header (columns: \"Lead ID\", \"Time on Site\""), "{e}");
    // A single class.
    let all_zero: String = good
        .lines()
        .map(|l| if l.ends_with(",1") { format!("{}0", &l[..l.len() - 1]) } else { l.to_string() } + "\n")
        .collect();
    assert!(
        error_of(&all_zero).contains("column \"Converted\" is 0 (not converted) on every row"),
        "{}",
        error_of(&all_zero)
    );
    // A non-numeric label.
    let maybe = good.replacen(",0\n", ",maybe\n", 1);
    let e = error_of(&maybe);
    assert!(e.contains("\"Converted\" is \"maybe\"; expected 1/0, yes/no or true/false") && e.contains("row "), "{e}");
    // An empty label.
    let empty = good.replacen(",1\n", ",\n", 1);
    assert!(error_of(&empty).contains("\"Converted\" is empty"), "{}", error_of(&empty));
    // A huge file.
    let huge = good.clone() + &"x".repeat(leadscore::csv::MAX_BYTES);
    assert!(error_of(&huge).contains("at most 64 MB is read"));
    // Too few rows, and nothing to learn from.
    let tiny: String = good.lines().take(10).map(|l| format!("{l}\n")).collect();
    assert!(error_of(&tiny).contains("9 rows; calibration needs at least 20"), "{}", error_of(&tiny));
    let only_id: String = good
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{},{}\n", cells[0], cells[6])
        })
        .collect();
    assert!(error_of(&only_id).contains("no column is left to learn from"), "{}", error_of(&only_id));
    // An unterminated quote.
    let open_quote = good.replacen("\nL4,", "\n\"L4,", 1);
    assert!(
        error_of(&open_quote).contains("row 6, field 1: a quoted field is never closed"),
        "{}",
        error_of(&open_quote)
    );
}

#[test]
fn quoted_crlf_exports_calibrate_like_plain_ones() {
    let (csv, _) = generate(400, 21);
    let crlf: String = "\u{feff}".to_string()
        + &csv
            .lines()
            .map(|l| l.split(',').map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\r\n");
    let (plain, _) = run(&csv, &options());
    let (quoted, _) = run(&crlf, &options());
    assert_eq!(plain, quoted);
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any text made of CSV's special characters is read or refused, never a panic; so is
        /// calibrating it.
        #[test]
        fn arbitrary_csv_text_never_panics(text in "[a1, \"\\n\\r;\t0x.yes-]{0,300}") {
            let _ = leadscore::csv::parse(&text);
            let mut options = CalibrateOptions::new("a");
            options.folds = 2;
            let _ = calibrate(&text, &options, &mut |_| {});
            let _ = leadscore::calibrate::funnel(&text, &leadscore::calibrate::FunnelOptions::new("a"));
        }

        /// Small tables with a binary label and random cells calibrate or fail with an error.
        #[test]
        fn random_small_tables_calibrate_or_refuse(cells in prop::collection::vec(("[0-9]{0,3}|[ab]|Select|", any::<bool>()), 20..80)) {
            let mut csv = String::from("x,y,label\n");
            for (i, (cell, label)) in cells.iter().enumerate() {
                csv += &format!("{cell},{},{}\n", i % 3, u8::from(*label));
            }
            let mut options = CalibrateOptions::new("label");
            options.folds = 2;
            if let Ok(result) = calibrate(&csv, &options, &mut |_| {}) {
                prop_assert!(leadscore::model::ModelSet::parse(&result.model).is_ok());
            }
        }
    }
}

/// Leads where time on site matters only for one origin ("API"): an interaction no additive
/// model can express. Returns the CSV.
fn generate_with_interaction(rows: usize, seed: u64) -> String {
    generate_with_joint(rows, seed, &["API", "Form", "Landing"], |origin| origin == "API")
}

/// Leads whose origin is drawn from `origins` (repeats make an origin more common), where time
/// on site (500 s or more) adds 3 to the log-odds only for the origins `joint` takes.
fn generate_with_joint(rows: usize, seed: u64, origins: &[&str], joint: fn(&str) -> bool) -> String {
    let mut rng = Rng(seed);
    let mut csv = String::from("Lead ID,Origin,Seconds,Converted\n");
    for i in 0..rows {
        let origin = rng.pick(origins);
        let seconds = (rng.next() * 1000.0).floor();
        let logit: f64 = -1.0
            + if joint(origin) && seconds >= 500.0 { 3.0 } else { 0.0 }
            + if origin == "Landing" { 0.5 } else { 0.0 };
        let converted = rng.next() < 1.0 / (1.0 + (-logit).exp());
        csv += &format!("L{i},{origin},{seconds},{}\n", u8::from(converted));
    }
    csv
}

#[test]
fn a_side_of_an_interaction_may_be_every_answer_but_one() {
    // Time matters for every origin but "Form", the most common: the rectangle "not Form and
    // 500 s or more" (any two-by-two split is one rectangle and the additive levels; this is the
    // smallest of its four, so its Newton step gains most).
    let origins = ["Form", "Form", "Form", "Form", "Form", "API", "Landing"];
    let csv = generate_with_joint(3000, 17, &origins, |origin| origin != "Form");
    let (model, _) = run(&csv, &options());
    let learned = calibrate(&csv, &options(), &mut |_| {}).unwrap().model;
    let rules = model["rules"].as_array().unwrap();
    let not_form = rules
        .iter()
        .find(|r| r["label"].as_str().unwrap().starts_with("Origin: not Form (or no answer) and Seconds: "))
        .unwrap_or_else(|| panic!("no 'Origin: not Form' interaction in {rules:?}"));
    let conditions = not_form["when"]["all"].as_array().unwrap();
    assert_eq!(conditions[0], serde_json::json!({ "not": { "trait": "Origin", "equals": "Form" } }));
    assert!(not_form["points"].as_f64().unwrap() > 10.0, "{not_form}");
    // The engine scores it: a Form lead and an API lead with the same time differ by its points
    // (and the two origins' own points), and a lead with no origin takes it.
    let score = |origin: &str| {
        let csv = format!("Origin,Seconds\n{origin},900\n");
        let out = score_csv(&learned, &csv, &ScoreCsvOptions::default()).unwrap();
        out.lines().nth(1).unwrap().split(',').nth(1).unwrap().parse::<f64>().unwrap()
    };
    assert!(score("API") > score("Form") + 10.0, "API {} vs Form {}", score("API"), score("Form"));
    assert!(score("") > score("Form"), "no origin {} vs Form {}", score(""), score("Form"));
}

#[test]
fn interactions_become_readable_rules_that_the_engine_scores() {
    let csv = generate_with_interaction(3000, 13);
    let mut additive = options();
    additive.interactions = 0;
    let (flat_model, flat_report) = run(&csv, &additive);
    let (model, report) = run(&csv, &options());
    let pairs: Vec<&Json> = model["rules"].as_array().unwrap().iter().filter(|r| r["when"]["all"].is_array()).collect();
    assert!(
        flat_model["rules"].as_array().unwrap().iter().all(|r| r["when"]["all"].is_null()),
        "interactions: 0 is additive"
    );
    // The strongest interaction reads "Origin: API and Seconds: … or more", with whole points.
    let api_time = pairs
        .iter()
        .find(|r| r["label"].as_str().unwrap().starts_with("Origin: API and Seconds: "))
        .unwrap_or_else(|| panic!("no Origin × Seconds rule in {pairs:?}"));
    let conditions = api_time["when"]["all"].as_array().unwrap();
    assert_eq!(conditions[0], serde_json::json!({ "trait": "Origin", "equals": "API" }));
    assert_eq!(conditions[1]["trait"], "Seconds");
    assert!(
        api_time["points"].as_f64().unwrap() > 10.0 && api_time["points"].as_f64().unwrap().fract() == 0.0,
        "{api_time}"
    );
    let point = report["points"].as_array().unwrap().iter().find(|p| p["rule"] == api_time["id"]).unwrap();
    assert_eq!(point["column"], "Origin × Seconds");
    // Held-out rows, scored by the engine, rank better with the interaction than without.
    let auc_of = |r: &Json| r["cross_validation"]["auc"].as_f64().unwrap();
    assert!(
        auc_of(&report) > auc_of(&flat_report) + 0.01,
        "with {} vs additive {}",
        auc_of(&report),
        auc_of(&flat_report)
    );
    // The engine's scores of the learning rows give exactly the shares calibration computed.
    let result = calibrate(&csv, &options(), &mut |_| {}).unwrap();
    let scored = score_csv(&result.model, &csv, &ScoreCsvOptions::default()).unwrap();
    let scores: Vec<f64> = scored.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    let mql = &json(&result.report)["model"]["stages_on_learning_rows"]["mql"];
    let share = scores.iter().filter(|&&s| s >= mql["min"].as_f64().unwrap()).count() as f64 / scores.len() as f64;
    assert!((share - mql["share"].as_f64().unwrap()).abs() < 1e-4, "engine share {share} vs calibration {mql}");
}

/// The generated leads with a GENERATED deal amount per converted lead (test data only): Retail
/// deals are large, Health deals small, with noise. Unconverted leads have an empty amount.
fn with_generated_amounts(csv: &str, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut lines = csv.lines();
    let mut out = format!("{},Deal Amount (generated)\n", lines.next().unwrap());
    for line in lines {
        let typical = if line.contains(",Retail,") {
            5000.0
        } else if line.contains(",Health,") {
            800.0
        } else {
            2000.0
        };
        let amount = if line.ends_with(",1") { format!("{:.0}", typical * (0.5 + rng.next())) } else { String::new() };
        out += &format!("{line},{amount}\n");
    }
    out
}

#[test]
fn value_tiers_rank_leads_by_what_they_bring() {
    let (plain, _) = generate(3000, 17);
    let csv = with_generated_amounts(&plain, 3);
    let mut options = options();
    options.value = Some("Deal Amount (generated)".into());
    options.value_by = Some("Industry".into());
    let result = calibrate(&csv, &options, &mut |_| {}).unwrap();
    let (model, report) = (json(&result.model), json(&result.report));
    // The amounts are never learned from; the section carries rates, amounts by industry, tiers.
    assert!(report["columns"].as_array().unwrap().iter().all(|c| c["name"] != "Deal Amount (generated)"));
    let value = &model["value"];
    let by = &value["amount"]["by"];
    assert!(by["Retail"].as_f64().unwrap() > 2.0 * by["Health"].as_f64().unwrap(), "{value}");
    let tiers: Vec<&str> = value["tiers"].as_array().unwrap().iter().map(|t| t["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, ["high", "medium", "low"]);
    // On held-out rows, the high tier (about a fifth of leads) brings well over a fifth of the value.
    let held = &report["cross_validation"]["value"];
    let high = &held["tiers"][0];
    assert_eq!(high["tier"], "high");
    assert!(high["share"].as_f64().unwrap() < 0.3, "{held}");
    assert!(held["top_tier_value_share"].as_f64().unwrap() > 0.45, "{held}");
    // The engine reports the value in the card: a Retail lead with time on site is worth more than
    // a Health lead with the same behaviour.
    let set = leadscore::model::ModelSet::parse(&result.model).unwrap();
    let card = |industry: &str| {
        let lead: Value = serde_json::from_str(&format!(
            r#"{{ "traits": {{ "Industry": "{industry}", "Time on Site": 900, "Newsletter": "Yes" }} }}"#
        ))
        .unwrap();
        leadscore::score_lead(set.select(None).unwrap(), &lead, 0).unwrap().value.unwrap()
    };
    assert!(card("retail").expected > card("Health").expected, "{:?} vs {:?}", card("retail"), card("Health"));
    assert_eq!(card("Retail").tier, "high");
    // Bad amounts and columns are errors naming the row, column or option.
    let mut broken: Vec<String> = csv.lines().map(String::from).collect();
    broken[4] = format!("{}lots", broken[4]);
    let e = calibrate(&(broken.join("\n") + "\n"), &options, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("row 5: column \"Deal Amount (generated)\"") && e.contains("is not an amount"), "{e}");
    options.value_by = Some("Segment".into());
    let e = calibrate(&csv, &options, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("options.valueBy") && e.contains("no column \"Segment\""), "{e}");
    let only_by = Value::object(vec![("label", Value::from("Converted")), ("valueBy", Value::from("Industry"))]);
    let e = CalibrateOptions::from_value(&only_by).unwrap_err().to_string();
    assert!(e.contains("options.valueBy: needs options.value"), "{e}");
}
