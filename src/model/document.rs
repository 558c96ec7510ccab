//! The document's sections (a model, its rules, groups, stages, grades, gate and next steps), each
//! read into its compiled form with every problem recorded under the field's path.

use super::conditions::parse_condition;
use super::{
    Band, Condition, Decay, Group, Model, Qualify, Rule, ScoreKind, Stage, StateCondition, Threshold, MAX_POINTS,
    MAX_RULES, MAX_TEXT,
};
use crate::error::{fail, Errors, Path};
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
    let name = read::required_string(entries, path, "name", MAX_TEXT, "the model's name", errors).unwrap_or_default();
    read::string_at(entries, path, "description", 2_000, errors);
    let version = read::string_at(entries, path, "version", MAX_TEXT, errors);

    let mut groups =
        read::field_at(entries, path, "groups").map(|(v, p)| parse_groups(v, &p, errors)).unwrap_or_default();
    let rules = read::required(entries, "rules", path, "a list of rules", errors)
        .map(|(v, p)| parse_rules(v, &p, &mut groups, errors))
        .unwrap_or_default();

    let (cap_fit, cap_engagement) =
        read::field_at(entries, path, "caps").map_or((None, None), |(v, p)| parse_caps(v, &p, errors));
    let (scale_min, scale_max) =
        read::field_at(entries, path, "scale").map_or((0, 10_000), |(v, p)| parse_scale(v, &p, errors));

    let stages = match read::field_at(entries, path, "stages") {
        None => default_stages(),
        Some((v, p)) => parse_stages(v, &p, errors),
    };

    let grades = read::field_at(entries, path, "grades");
    let grades = grades.as_ref().map(|(v, p)| (read::object(v, p, &["fit", "engagement"], errors).unwrap_or(&[]), p));
    let bands = |key: &str, names: [&str; 4], errors: &mut Errors| {
        grades
            .and_then(|(grades, p)| read::field_at(grades, p, key))
            .map(|(v, p)| parse_bands(v, &p, errors))
            .unwrap_or_else(|| default_grades(names))
    };
    let fit_grades = bands("fit", ["A", "B", "C", "D"], errors);
    let engagement_grades = bands("engagement", ["1", "2", "3", "4"], errors);

    let qualify = match read::field_at(entries, path, "qualify") {
        Some((v, p)) => parse_qualify(v, &p, &rules, &stages, errors),
        None => Qualify {
            // Without a gate, marketing-qualified means the "mql" stage or the top stage.
            stage: stages.iter().position(|s| s.name == "mql").or(stages.len().checked_sub(1)),
            ..Qualify::default()
        },
    };

    let next_steps = read::field_at(entries, path, "next_steps")
        .map(|(v, p)| parse_next_steps(v, &p, &stages, errors))
        .unwrap_or_default();

    // The website tag's build (none of these features) ignores the section: its card reports no value,
    // and the parser would cost the tag 2.5 KB gzip.
    #[cfg(any(feature = "api", feature = "calibrate", feature = "validator"))]
    let value = read::field_at(entries, path, "value").and_then(|(v, p)| crate::value_tiers::parse(v, &p, errors));
    #[cfg(not(any(feature = "api", feature = "calibrate", feature = "validator")))]
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

/// `caps`: the most points fit and engagement may each contribute (in hundredths), when capped.
fn parse_caps(value: &Value, path: &str, errors: &mut Errors) -> (Option<i64>, Option<i64>) {
    let caps = read::object(value, path, &["fit", "engagement"], errors).unwrap_or(&[]);
    (
        read::centi_at(caps, path, "fit", MAX_POINTS * 100.0, errors),
        read::centi_at(caps, path, "engagement", MAX_POINTS * 100.0, errors),
    )
}

/// `scale`: the score's range (in hundredths; default 0 to 100), min below max.
fn parse_scale(value: &Value, path: &str, errors: &mut Errors) -> (i64, i64) {
    let scale = read::object(value, path, &["min", "max"], errors).unwrap_or(&[]);
    let min = read::centi_at(scale, path, "min", 1e6, errors).unwrap_or(0);
    let max = read::centi_at(scale, path, "max", 1e6, errors).unwrap_or(10_000);
    if min >= max {
        fail!(errors, path, "min must be below max");
    }
    (min, max)
}

/// `next_steps`: a text per stage name, what sales should do with a lead at that stage.
fn parse_next_steps(value: &Value, path: &str, stages: &[Stage], errors: &mut Errors) -> Vec<(String, String)> {
    let mut next_steps = Vec::new();
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    if let Some(steps) = read::object(value, path, &names, errors) {
        for (stage, text) in steps {
            if let Some(text) = read::string_in(text, path, stage, 500, errors) {
                next_steps.push((stage.clone(), text));
            }
        }
    }
    next_steps
}

/// The list of rules at `path`; then each group learns the score its rules feed.
fn parse_rules(value: &Value, path: &str, groups: &mut [Group], errors: &mut Errors) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    if let Some(items) = read::array(value, path, errors) {
        if items.len() > MAX_RULES {
            fail!(errors, path, "at most {MAX_RULES} rules");
        }
        read::items(items, path, MAX_RULES, errors, &mut |item, at, _, errors| {
            if let Some(rule) = parse_rule(item, at, groups, errors) {
                if rules.iter().any(|r| r.id == rule.id) {
                    fail!(errors, &Path::join(at, "id"), "duplicate rule id \"{}\"", rule.id);
                }
                rules.push(rule);
            }
        });
    }
    check_group_kinds(groups, &rules, path, errors);
    rules
}

const RULE_KEYS: &[&str] =
    &["id", "label", "score", "points", "when", "group", "max", "per", "window", "decay", "disqualify", "description"];

fn parse_rule(value: &Value, path: &str, groups: &[Group], errors: &mut Errors) -> Option<Rule> {
    let entries = read::object(value, path, RULE_KEYS, errors)?;
    let before = errors.0.len();
    let id = read::required_string(entries, path, "id", MAX_TEXT, "a unique rule id", errors).unwrap_or_default();
    if id.is_empty() && errors.0.len() == before {
        fail!(errors, &Path::join(path, "id"), "must not be empty");
    }
    let label = read::string_at(entries, path, "label", MAX_TEXT, errors).unwrap_or_else(|| id.clone());
    read::string_at(entries, path, "description", 2_000, errors);
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
                fail!(errors, &Path::join(path, "score"), "expected \"fit\" or \"engagement\"");
                ScoreKind::Engagement
            }
        },
    };
    let group = read::string_at(entries, path, "group", MAX_TEXT, errors).and_then(|name| {
        let found = groups.iter().position(|g| g.id == name);
        if found.is_none() {
            fail!(errors, &Path::join(path, "group"), "no group with id \"{name}\" in groups");
        }
        found
    });
    let max = read::whole_at(entries, path, "max", 1.0, 1e6, errors);
    let per_ms = read::duration_at(entries, path, "per", errors);
    let window_ms = read::duration_at(entries, path, "window", errors);
    let decay = read::field_at(entries, path, "decay").and_then(|(v, p)| parse_decay(v, &p, errors));
    let disqualify = read::boolean_at(entries, path, "disqualify", errors).unwrap_or(false);

    if let Some(Condition::State(cond)) = &when {
        for key in ["max", "per", "window"] {
            if read::field(entries, key).is_some() {
                fail!(errors, &Path::join(path, key), "applies to occurrence conditions only (page_view, download, form_submit, click, event, campaign, referrer, email_click)");
            }
        }
        if decay.is_some() && !cond.has_time() {
            fail!(
                errors,
                &Path::join(path, "decay"),
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
        (Some(_), None, None) => read::duration_at(entries, path, "half_life", errors).map(|ms| Decay::HalfLife { ms }),
        (None, Some(_), Some(_)) => {
            let percent = read::number_at(entries, path, "percent", 0.0, 100.0, errors)?;
            let every_ms = read::duration_at(entries, path, "every", errors)?;
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
    read::objects(items, path, &["id", "max", "min", "decay", "label"], errors, &mut |entries, p, _, errors| {
        let Some(id) = read::required_string(entries, p, "id", MAX_TEXT, "the group's id", errors) else { return };
        if groups.iter().any(|g| g.id == id) {
            fail!(errors, &Path::join(p, "id"), "duplicate group id \"{id}\"");
        }
        let max = read::centi_at(entries, p, "max", MAX_POINTS * 100.0, errors);
        let min = read::centi_at(entries, p, "min", MAX_POINTS * 100.0, errors);
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                fail!(errors, p, "min must not exceed max");
            }
        }
        let decay = read::field_at(entries, p, "decay").and_then(|(v, at)| parse_decay(v, &at, errors));
        groups.push(Group { id, max, min, decay, score: None });
    });
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
                &Path::join(&Path::index(rules_path, i), "score"),
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
    read::objects(items, path, &["name", "min", "above"], errors, &mut |entries, p, i, errors| {
        let name = read::required_string(entries, p, "name", MAX_TEXT, "the stage's name", errors).unwrap_or_default();
        let min = read::centi_at(entries, p, "min", 1e6, errors);
        let above = read::centi_at(entries, p, "above", 1e6, errors);
        let threshold = match (min, above) {
            (Some(m), None) => Threshold::AtLeast(m),
            (None, Some(a)) => Threshold::Above(a),
            (None, None) => Threshold::None,
            (Some(_), Some(_)) => {
                fail!(errors, p, "give either min or above, not both");
                Threshold::None
            }
        };
        if i > 0
            && threshold == Threshold::None
            && read::field(entries, "min").is_none()
            && read::field(entries, "above").is_none()
        {
            fail!(errors, p, "every stage after the first needs a threshold (min or above)");
        }
        if let Some(prev) = stages.last() {
            if threshold != Threshold::None && prev.threshold.key() >= threshold.key() {
                fail!(errors, p, "stage thresholds must increase in order");
            }
        }
        if stages.iter().any(|s| s.name == name) {
            fail!(errors, &Path::join(p, "name"), "duplicate stage name \"{name}\"");
        }
        stages.push(Stage { name, threshold });
    });
    // The lowest stage applies to any score, whatever threshold it was given.
    if let Some(first) = stages.first_mut() {
        first.threshold = Threshold::None;
    }
    stages
}

fn default_grades(names: [&str; 4]) -> Vec<Band> {
    // A loop rather than zip/map/collect: that chain is a monomorphised copy of its own in the tag.
    let mut bands = Vec::with_capacity(4);
    for (grade, min) in names.into_iter().zip([4_000, 2_500, 1_000, i64::MIN]) {
        bands.push(Band { grade: grade.to_string(), min });
    }
    bands
}

fn parse_bands(value: &Value, path: &str, errors: &mut Errors) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    let Some(items) = read::array(value, path, errors) else { return bands };
    if items.is_empty() {
        fail!(errors, path, "must hold at least one grade");
    }
    read::objects(items, path, &["grade", "min"], errors, &mut |entries, p, _, errors| {
        let grade = read::required_string(entries, p, "grade", 20, "the grade's name", errors);
        let min = match read::field(entries, "min") {
            Some(_) => read::centi_at(entries, p, "min", 1e6, errors),
            None => Some(i64::MIN),
        };
        if let (Some(prev), Some(m)) = (bands.last(), min) {
            if prev.min <= m {
                fail!(errors, &Path::join(p, "min"), "grades must be listed from best (highest min) to worst");
            }
        }
        if let (Some(grade), Some(min)) = (grade, min) {
            bands.push(Band { grade, min });
        }
    });
    bands
}

fn parse_qualify(value: &Value, path: &str, rules: &[Rule], stages: &[Stage], errors: &mut Errors) -> Qualify {
    let Some(entries) =
        read::object(value, path, &["stage", "min_total", "min_fit", "min_engagement", "rules"], errors)
    else {
        return Qualify::default();
    };
    let stage = read::string_at(entries, path, "stage", MAX_TEXT, errors).and_then(|name| {
        let found = stages.iter().position(|s| s.name == name);
        if found.is_none() {
            let names = || stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
            fail!(errors, &Path::join(path, "stage"), "no stage named \"{name}\" (stages: {})", names());
        }
        found
    });
    let limit = 1e6;
    let min_total = read::centi_at(entries, path, "min_total", limit, errors);
    let min_fit = read::centi_at(entries, path, "min_fit", limit, errors);
    let min_engagement = read::centi_at(entries, path, "min_engagement", limit, errors);
    let mut required = Vec::new();
    if let Some((v, p)) = read::field_at(entries, path, "rules") {
        if let Some(items) = read::array(v, &p, errors) {
            read::strings(items, &p, usize::MAX, MAX_TEXT, errors, &mut |id, at, errors| match rules
                .iter()
                .position(|r| r.id == id)
            {
                Some(r) => required.push(r),
                None => fail!(errors, at, "no rule with id \"{id}\""),
            });
        }
    }
    Qualify { stage, min_total, min_fit, min_engagement, rules: required }
}
