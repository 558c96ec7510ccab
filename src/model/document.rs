//! The document's sections (a model, its rules, groups, stages, grades, gate and next steps), each
//! read into its compiled form with every problem recorded under the field's path.

use super::conditions::parse_condition;
use super::{
    Band, Condition, Decay, Group, Model, Qualify, Rule, ScoreKind, Stage, StateCondition, Threshold, MAX_POINTS,
    MAX_RULES, MAX_TEXT,
};
use crate::error::{fail, index, join, Errors};
use crate::read::{self, required};
use crate::value::Value;

const MODEL_KEYS: &[&str] = &[
    "$schema",
    "name",
    "version",
    "description",
    "rules",
    "groups",
    "caps",
    "scale",
    "stages",
    "grades",
    "qualify",
    "next_steps",
    "value",
];

pub(super) fn parse_model(value: &Value, path: &str, errors: &mut Errors) -> Option<Model> {
    let entries = read::object(value, path, MODEL_KEYS, errors)?;
    let before = errors.0.len();
    let name = match read::field(entries, "name") {
        Some(v) => read::string(v, &join(path, "name"), MAX_TEXT, errors).unwrap_or_default(),
        None => {
            fail!(errors, &join(path, "name"), "required: the model's name");
            String::new()
        }
    };
    if let Some(v) = read::field(entries, "description") {
        read::string(v, &join(path, "description"), 2_000, errors);
    }
    let version =
        read::field(entries, "version").and_then(|v| read::string(v, &join(path, "version"), MAX_TEXT, errors));

    let groups =
        read::field(entries, "groups").map(|v| parse_groups(v, &join(path, "groups"), errors)).unwrap_or_default();

    let rules_path = join(path, "rules");
    let mut rules = Vec::new();
    match read::field(entries, "rules") {
        None => fail!(errors, &rules_path, "required: a list of rules"),
        Some(v) => {
            if let Some(items) = read::array(v, &rules_path, errors) {
                if items.len() > MAX_RULES {
                    fail!(errors, &rules_path, "at most {MAX_RULES} rules");
                }
                for (i, item) in items.iter().take(MAX_RULES).enumerate() {
                    if let Some(rule) = parse_rule(item, &index(&rules_path, i), &groups, errors) {
                        if rules.iter().any(|r: &Rule| r.id == rule.id) {
                            fail!(errors, &join(&index(&rules_path, i), "id"), "duplicate rule id \"{}\"", rule.id);
                        }
                        rules.push(rule);
                    }
                }
            }
        }
    }
    let mut groups = groups;
    check_group_kinds(&mut groups, &rules, &rules_path, errors);

    let (cap_fit, cap_engagement) = match read::field(entries, "caps") {
        None => (None, None),
        Some(v) => {
            let p = join(path, "caps");
            let caps = read::object(v, &p, &["fit", "engagement"], errors).unwrap_or(&[]);
            (
                read::field(caps, "fit").and_then(|v| read::centi(v, &join(&p, "fit"), MAX_POINTS * 100.0, errors)),
                read::field(caps, "engagement")
                    .and_then(|v| read::centi(v, &join(&p, "engagement"), MAX_POINTS * 100.0, errors)),
            )
        }
    };

    let (scale_min, scale_max) = match read::field(entries, "scale") {
        None => (0, 10_000),
        Some(v) => {
            let p = join(path, "scale");
            let scale = read::object(v, &p, &["min", "max"], errors).unwrap_or(&[]);
            let min =
                read::field(scale, "min").and_then(|v| read::centi(v, &join(&p, "min"), 1e6, errors)).unwrap_or(0);
            let max =
                read::field(scale, "max").and_then(|v| read::centi(v, &join(&p, "max"), 1e6, errors)).unwrap_or(10_000);
            if min >= max {
                fail!(errors, &p, "min must be below max");
            }
            (min, max)
        }
    };

    let stages = match read::field(entries, "stages") {
        None => default_stages(),
        Some(v) => parse_stages(v, &join(path, "stages"), errors),
    };

    let (fit_grades, engagement_grades) = match read::field(entries, "grades") {
        None => (default_grades(["A", "B", "C", "D"]), default_grades(["1", "2", "3", "4"])),
        Some(v) => {
            let p = join(path, "grades");
            let grades = read::object(v, &p, &["fit", "engagement"], errors).unwrap_or(&[]);
            (
                read::field(grades, "fit")
                    .map(|v| parse_bands(v, &join(&p, "fit"), errors))
                    .unwrap_or_else(|| default_grades(["A", "B", "C", "D"])),
                read::field(grades, "engagement")
                    .map(|v| parse_bands(v, &join(&p, "engagement"), errors))
                    .unwrap_or_else(|| default_grades(["1", "2", "3", "4"])),
            )
        }
    };

    let qualify = match read::field(entries, "qualify") {
        Some(v) => parse_qualify(v, &join(path, "qualify"), &rules, &stages, errors),
        None => Qualify {
            // Without a gate, marketing-qualified means the "mql" stage or the top stage.
            stage: stages.iter().position(|s| s.name == "mql").or(stages.len().checked_sub(1)),
            ..Qualify::default()
        },
    };

    let mut next_steps = Vec::new();
    if let Some(v) = read::field(entries, "next_steps") {
        let p = join(path, "next_steps");
        let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        if let Some(steps) = read::object(v, &p, &names, errors) {
            for (stage, text) in steps {
                if let Some(text) = read::string(text, &join(&p, stage), 500, errors) {
                    next_steps.push((stage.clone(), text));
                }
            }
        }
    }

    // The website tag's build (neither feature) ignores the section: its card reports no value,
    // and the parser would cost the tag 2.5 KB gzip.
    #[cfg(any(feature = "api", feature = "calibrate"))]
    let value = read::field(entries, "value").and_then(|v| crate::value_tiers::parse(v, &join(path, "value"), errors));
    #[cfg(not(any(feature = "api", feature = "calibrate")))]
    let value: Option<crate::value_tiers::ValueTiers> = None;

    if errors.0.len() > before {
        return None;
    }
    Some(Model {
        name,
        version,
        rules,
        groups,
        cap_fit,
        cap_engagement,
        scale_min,
        scale_max,
        stages,
        fit_grades,
        engagement_grades,
        qualify,
        next_steps,
        value,
    })
}

const RULE_KEYS: &[&str] =
    &["id", "label", "score", "points", "when", "group", "max", "per", "window", "decay", "disqualify", "description"];

fn parse_rule(value: &Value, path: &str, groups: &[Group], errors: &mut Errors) -> Option<Rule> {
    let entries = read::object(value, path, RULE_KEYS, errors)?;
    let before = errors.0.len();
    let id = match read::field(entries, "id") {
        Some(v) => read::string(v, &join(path, "id"), MAX_TEXT, errors).unwrap_or_default(),
        None => {
            fail!(errors, &join(path, "id"), "required: a unique rule id");
            String::new()
        }
    };
    if id.is_empty() && errors.0.len() == before {
        fail!(errors, &join(path, "id"), "must not be empty");
    }
    let label = read::field(entries, "label")
        .and_then(|v| read::string(v, &join(path, "label"), MAX_TEXT, errors))
        .unwrap_or_else(|| id.clone());
    if let Some(v) = read::field(entries, "description") {
        read::string(v, &join(path, "description"), 2_000, errors);
    }
    let points = required(entries, "points", path, "the points this rule adds (negative to subtract)", errors)
        .and_then(|(v, at)| read::centi(v, &at, MAX_POINTS, errors));
    let when = required(entries, "when", path, "the condition of this rule", errors)
        .and_then(|(v, at)| parse_condition(v, &at, errors));
    let score = match read::field(entries, "score") {
        None => match &when {
            Some(Condition::State(StateCondition::Trait { .. } | StateCondition::EmailDomain { .. })) => ScoreKind::Fit,
            _ => ScoreKind::Engagement,
        },
        Some(v) => match v.as_str() {
            Some("fit") => ScoreKind::Fit,
            Some("engagement") => ScoreKind::Engagement,
            _ => {
                fail!(errors, &join(path, "score"), "expected \"fit\" or \"engagement\"");
                ScoreKind::Engagement
            }
        },
    };
    let group = read::field(entries, "group").and_then(|v| {
        let p = join(path, "group");
        let name = read::string(v, &p, MAX_TEXT, errors)?;
        let found = groups.iter().position(|g| g.id == name);
        if found.is_none() {
            fail!(errors, &p, "no group with id \"{name}\" in groups");
        }
        found
    });
    let max = read::field(entries, "max").and_then(|v| read::whole(v, &join(path, "max"), 1.0, 1e6, errors));
    let per_ms = read::field(entries, "per").and_then(|v| read::duration(v, &join(path, "per"), errors));
    let window_ms = read::field(entries, "window").and_then(|v| read::duration(v, &join(path, "window"), errors));
    let decay = read::field(entries, "decay").and_then(|v| parse_decay(v, &join(path, "decay"), errors));
    let disqualify = read::field(entries, "disqualify")
        .and_then(|v| read::boolean(v, &join(path, "disqualify"), errors))
        .unwrap_or(false);

    if let Some(Condition::State(cond)) = &when {
        for key in ["max", "per", "window"] {
            if read::field(entries, key).is_some() {
                fail!(errors, &join(path, key), "applies to occurrence conditions only (page_view, download, form_submit, click, event, campaign, referrer, email_click)");
            }
        }
        if decay.is_some() && !cond.has_time() {
            fail!(
                errors,
                &join(path, "decay"),
                "applies to behaviour conditions only (this condition has no time to decay from)"
            );
        }
    }

    if errors.0.len() > before {
        return None;
    }
    let group = group.and_then(|g| groups.get(g).map(|_| g));
    Some(Rule { id, label, score, points: points?, when: when?, group, max, per_ms, window_ms, decay, disqualify })
}

fn parse_decay(value: &Value, path: &str, errors: &mut Errors) -> Option<Decay> {
    let entries = read::object(value, path, &["half_life", "percent", "every"], errors)?;
    match (read::field(entries, "half_life"), read::field(entries, "percent"), read::field(entries, "every")) {
        (Some(h), None, None) => read::duration(h, &join(path, "half_life"), errors).map(|ms| Decay::HalfLife { ms }),
        (None, Some(p), Some(e)) => {
            let percent = read::number(p, &join(path, "percent"), 0.0, 100.0, errors)?;
            let every_ms = read::duration(e, &join(path, "every"), errors)?;
            Some(Decay::Step { keep: 1.0 - percent / 100.0, every_ms })
        }
        _ => {
            fail!(errors, path, "expected {{\"half_life\": \"30d\"}} or {{\"percent\": 25, \"every\": \"30d\"}}");
            None
        }
    }
}

fn parse_groups(value: &Value, path: &str, errors: &mut Errors) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let Some(items) = read::array(value, path, errors) else { return groups };
    for (i, item) in items.iter().enumerate() {
        let p = index(path, i);
        let Some(entries) = read::object(item, &p, &["id", "max", "min", "decay", "label"], errors) else { continue };
        let Some(id) = read::field(entries, "id").and_then(|v| read::string(v, &join(&p, "id"), MAX_TEXT, errors))
        else {
            if read::field(entries, "id").is_none() {
                fail!(errors, &join(&p, "id"), "required: the group's id");
            }
            continue;
        };
        if groups.iter().any(|g| g.id == id) {
            fail!(errors, &join(&p, "id"), "duplicate group id \"{id}\"");
        }
        let max =
            read::field(entries, "max").and_then(|v| read::centi(v, &join(&p, "max"), MAX_POINTS * 100.0, errors));
        let min =
            read::field(entries, "min").and_then(|v| read::centi(v, &join(&p, "min"), MAX_POINTS * 100.0, errors));
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                fail!(errors, &p, "min must not exceed max");
            }
        }
        let decay = read::field(entries, "decay").and_then(|v| parse_decay(v, &join(&p, "decay"), errors));
        groups.push(Group { id, max, min, decay, score: None });
    }
    groups
}

/// A group's cap adjusts one score, so all its rules must feed the same one.
fn check_group_kinds(groups: &mut [Group], rules: &[Rule], rules_path: &str, errors: &mut Errors) {
    for (i, rule) in rules.iter().enumerate() {
        let Some(group) = rule.group.and_then(|g| groups.get_mut(g)) else { continue };
        match group.score {
            None => group.score = Some(rule.score),
            Some(kind) if kind != rule.score => fail!(
                errors,
                &join(&index(rules_path, i), "score"),
                "group \"{}\" mixes fit and engagement rules; a group caps one score",
                group.id
            ),
            Some(_) => {}
        }
    }
}

fn default_stages() -> Vec<Stage> {
    vec![
        Stage { name: "new".into(), threshold: Threshold::None },
        Stage { name: "warm".into(), threshold: Threshold::AtLeast(2_000) },
        Stage { name: "mql".into(), threshold: Threshold::AtLeast(5_000) },
        Stage { name: "sql".into(), threshold: Threshold::Above(8_000) },
    ]
}

fn parse_stages(value: &Value, path: &str, errors: &mut Errors) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    let Some(items) = read::array(value, path, errors) else { return default_stages() };
    if items.is_empty() {
        fail!(errors, path, "must hold at least one stage");
    }
    for (i, item) in items.iter().enumerate() {
        let p = index(path, i);
        let Some(entries) = read::object(item, &p, &["name", "min", "above"], errors) else { continue };
        let name = match read::field(entries, "name") {
            Some(v) => read::string(v, &join(&p, "name"), MAX_TEXT, errors).unwrap_or_default(),
            None => {
                fail!(errors, &join(&p, "name"), "required: the stage's name");
                String::new()
            }
        };
        let min = read::field(entries, "min").and_then(|v| read::centi(v, &join(&p, "min"), 1e6, errors));
        let above = read::field(entries, "above").and_then(|v| read::centi(v, &join(&p, "above"), 1e6, errors));
        let threshold = match (min, above) {
            (Some(m), None) => Threshold::AtLeast(m),
            (None, Some(a)) => Threshold::Above(a),
            (None, None) => Threshold::None,
            (Some(_), Some(_)) => {
                fail!(errors, &p, "give either min or above, not both");
                Threshold::None
            }
        };
        if i > 0
            && threshold == Threshold::None
            && read::field(entries, "min").is_none()
            && read::field(entries, "above").is_none()
        {
            fail!(errors, &p, "every stage after the first needs a threshold (min or above)");
        }
        if let Some(prev) = stages.last() {
            if threshold != Threshold::None && prev.threshold.key() >= threshold.key() {
                fail!(errors, &p, "stage thresholds must increase in order");
            }
        }
        if stages.iter().any(|s| s.name == name) {
            fail!(errors, &join(&p, "name"), "duplicate stage name \"{name}\"");
        }
        stages.push(Stage { name, threshold });
    }
    // The lowest stage applies to any score, whatever threshold it was given.
    if let Some(first) = stages.first_mut() {
        first.threshold = Threshold::None;
    }
    stages
}

fn default_grades(names: [&str; 4]) -> Vec<Band> {
    let mins = [4_000, 2_500, 1_000, i64::MIN];
    names.iter().zip(mins).map(|(g, min)| Band { grade: (*g).to_string(), min }).collect()
}

fn parse_bands(value: &Value, path: &str, errors: &mut Errors) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    let Some(items) = read::array(value, path, errors) else { return bands };
    if items.is_empty() {
        fail!(errors, path, "must hold at least one grade");
    }
    for (i, item) in items.iter().enumerate() {
        let p = index(path, i);
        let Some(entries) = read::object(item, &p, &["grade", "min"], errors) else { continue };
        let grade = read::field(entries, "grade").and_then(|v| read::string(v, &join(&p, "grade"), 20, errors));
        if read::field(entries, "grade").is_none() {
            fail!(errors, &join(&p, "grade"), "required: the grade's name");
        }
        let min = match read::field(entries, "min") {
            Some(v) => read::centi(v, &join(&p, "min"), 1e6, errors),
            None => Some(i64::MIN),
        };
        if let (Some(prev), Some(m)) = (bands.last(), min) {
            if prev.min <= m {
                fail!(errors, &join(&p, "min"), "grades must be listed from best (highest min) to worst");
            }
        }
        if let (Some(grade), Some(min)) = (grade, min) {
            bands.push(Band { grade, min });
        }
    }
    bands
}

fn parse_qualify(value: &Value, path: &str, rules: &[Rule], stages: &[Stage], errors: &mut Errors) -> Qualify {
    let Some(entries) =
        read::object(value, path, &["stage", "min_total", "min_fit", "min_engagement", "rules"], errors)
    else {
        return Qualify::default();
    };
    let stage = read::field(entries, "stage").and_then(|v| {
        let p = join(path, "stage");
        let name = read::string(v, &p, MAX_TEXT, errors)?;
        let found = stages.iter().position(|s| s.name == name);
        if found.is_none() {
            let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
            fail!(errors, &p, "no stage named \"{name}\" (stages: {})", names.join(", "));
        }
        found
    });
    let limit = 1e6;
    let min_total =
        read::field(entries, "min_total").and_then(|v| read::centi(v, &join(path, "min_total"), limit, errors));
    let min_fit = read::field(entries, "min_fit").and_then(|v| read::centi(v, &join(path, "min_fit"), limit, errors));
    let min_engagement = read::field(entries, "min_engagement")
        .and_then(|v| read::centi(v, &join(path, "min_engagement"), limit, errors));
    let mut required = Vec::new();
    if let Some(v) = read::field(entries, "rules") {
        let p = join(path, "rules");
        if let Some(items) = read::array(v, &p, errors) {
            for (i, item) in items.iter().enumerate() {
                let ip = index(&p, i);
                if let Some(id) = read::string(item, &ip, MAX_TEXT, errors) {
                    match rules.iter().position(|r| r.id == id) {
                        Some(r) => required.push(r),
                        None => fail!(errors, &ip, "no rule with id \"{id}\""),
                    }
                }
            }
        }
    }
    Qualify { stage, min_total, min_fit, min_engagement, rules: required }
}
