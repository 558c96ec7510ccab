//! The model a marketer writes, validated and compiled into the form the engine runs.
//! See docs/api.md for the document format.

use crate::error::{fail, index, join, Errors};
use crate::pattern::Pattern;
use crate::read;
use crate::value::Value;

pub const MAX_POINTS: f64 = 1_000.0;
const MAX_RULES: usize = 500;
const MAX_TEXT: usize = 200;
const MAX_LIST: usize = 500;
const MAX_CONDITION_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    Fit,
    Engagement,
}

impl ScoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreKind::Fit => "fit",
            ScoreKind::Engagement => "engagement",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub version: Option<String>,
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
    /// Upper caps on the fit and engagement scores, in hundredths.
    pub cap_fit: Option<i64>,
    pub cap_engagement: Option<i64>,
    pub scale_min: i64,
    pub scale_max: i64,
    /// Ascending; the first has no threshold.
    pub stages: Vec<Stage>,
    /// Descending by `min`; a value below every band gets the last grade.
    pub fit_grades: Vec<Band>,
    pub engagement_grades: Vec<Band>,
    pub qualify: Qualify,
    pub next_steps: Vec<(String, String)>,
    /// Expected value and value tier per lead (the optional `value` section).
    pub value: Option<crate::value_tiers::ValueTiers>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub label: String,
    pub score: ScoreKind,
    /// Hundredths of a point.
    pub points: i64,
    pub when: Condition,
    pub group: Option<usize>,
    pub max: Option<u32>,
    pub per_ms: Option<i64>,
    pub window_ms: Option<i64>,
    pub decay: Option<Decay>,
    pub disqualify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decay {
    HalfLife {
        ms: i64,
    },
    /// Keep `keep` (0..1) of the points for each full `every_ms` elapsed.
    Step {
        keep: f64,
        every_ms: i64,
    },
}

impl Decay {
    /// The share of points left after `age_ms`; 1 for no age, never above 1.
    pub fn factor(self, age_ms: i64) -> f64 {
        let age = age_ms.max(0) as f64;
        match self {
            Decay::HalfLife { ms } => (-(age / ms as f64) * std::f64::consts::LN_2).exp(),
            Decay::Step { keep, every_ms } => keep.powi((age / every_ms as f64).floor().min(1e6) as i32),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub max: Option<i64>,
    pub min: Option<i64>,
    pub decay: Option<Decay>,
    pub score: Option<ScoreKind>,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    /// Reached when the total is at least `min` (hundredths), or above `above`.
    pub threshold: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    None,
    AtLeast(i64),
    Above(i64),
}

impl Threshold {
    pub fn reached(self, total: i64) -> bool {
        match self {
            Threshold::None => true,
            Threshold::AtLeast(min) => total >= min,
            Threshold::Above(min) => total > min,
        }
    }
    fn key(self) -> (i64, i64) {
        match self {
            Threshold::None => (i64::MIN, 0),
            Threshold::AtLeast(m) => (m, 0),
            Threshold::Above(m) => (m, 1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Band {
    pub grade: String,
    pub min: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Qualify {
    pub stage: Option<usize>,
    pub min_total: Option<i64>,
    pub min_fit: Option<i64>,
    pub min_engagement: Option<i64>,
    pub rules: Vec<usize>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    Occurrence(Occurrence),
    State(StateCondition),
}

/// Conditions that count occurrences; `max`, `per`, `window` and `decay` apply to them.
#[derive(Debug, Clone)]
pub enum Occurrence {
    PageView { path: Pattern },
    Download { url: Pattern, types: Vec<String> },
    FormSubmit { form: Pattern },
    Click { name: Pattern },
    Event { name: Pattern },
    Campaign { source: Pattern, medium: Pattern, campaign: Pattern },
    Referrer { host: Pattern },
    EmailClick { campaign: Pattern },
}

/// Conditions that are true or false of the visitor as a whole; they count once.
#[derive(Debug, Clone)]
pub enum StateCondition {
    Engaged { path: Pattern, seconds: f64 },
    Visits { at_least: u32 },
    Scroll { path: Pattern, depth: f64 },
    Inactive { for_ms: i64 },
    Trait { field: String, tests: Vec<TraitTest> },
    EmailDomain { free: Option<bool>, domains: Vec<Pattern> },
    All(Vec<StateCondition>),
    Any(Vec<StateCondition>),
    Not(Box<StateCondition>),
}

#[derive(Debug, Clone)]
pub enum TraitTest {
    Equals(Scalar),
    OneOf(Vec<Scalar>),
    Contains(Vec<String>),
    Between(f64, f64),
    AtLeast(f64),
    AtMost(f64),
    Below(f64),
    Above(f64),
    Exists(bool),
    IsTrue(bool),
}

/// A trait value. Text is compared case-insensitively, so model text is stored lower-cased.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Scalar {
    pub fn from_value(value: &Value) -> Option<Scalar> {
        match value {
            Value::String(s) => Some(Scalar::Text(s.clone())),
            Value::Number(n) if n.is_finite() => Some(Scalar::Number(*n)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Text(s) => Value::String(s.clone()),
            Scalar::Number(n) => Value::Number(*n),
            Scalar::Bool(b) => Value::Bool(*b),
        }
    }
}

/// A validated document: one or more models, each scored on its own.
#[derive(Debug, Clone)]
pub struct ModelSet {
    pub models: Vec<Model>,
}

impl ModelSet {
    pub fn parse(doc: &Value) -> Result<ModelSet, Errors> {
        let mut errors = Errors::default();
        let mut models = Vec::new();
        if doc.get("rules").is_some() {
            // A single model at the top level.
            if let Some(model) = parse_model(doc, "", &mut errors) {
                models.push(model);
            }
        } else {
            let Some(entries) = read::object(doc, "", &["$schema", "models"], &mut errors) else {
                return Err(errors);
            };
            match read::field(entries, "models") {
                None => fail!(errors, "models", "required: a list of models (or a single model with \"rules\")"),
                Some(list) => {
                    if let Some(items) = read::array(list, "models", &mut errors) {
                        if items.is_empty() {
                            fail!(errors, "models", "must hold at least one model");
                        }
                        for (i, item) in items.iter().enumerate() {
                            if let Some(model) = parse_model(item, &index("models", i), &mut errors) {
                                models.push(model);
                            }
                        }
                    }
                }
            }
            for (i, model) in models.iter().enumerate() {
                if models.iter().take(i).any(|m| m.name == model.name) {
                    fail!(errors, &join(&index("models", i), "name"), "duplicate model name \"{}\"", model.name);
                }
            }
        }
        errors.into_result(ModelSet { models })
    }

    /// The named model, or the first when no name is given.
    pub fn select(&self, name: Option<&str>) -> Result<&Model, Errors> {
        let index = self.select_index(name)?;
        self.models.get(index).ok_or_else(|| Errors::single("models", "no model in the document"))
    }

    /// The position of the named model, or of the first when no name is given.
    pub fn select_index(&self, name: Option<&str>) -> Result<usize, Errors> {
        match name {
            None if self.models.is_empty() => Err(Errors::single("models", "no model in the document")),
            None => Ok(0),
            Some(name) => self.models.iter().position(|m| m.name == name).ok_or_else(|| {
                let names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
                Errors::single("model", format!("no model named \"{name}\" (the document has: {})", names.join(", ")))
            }),
        }
    }
}

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

fn parse_model(value: &Value, path: &str, errors: &mut Errors) -> Option<Model> {
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

const OCCURRENCE_KEYS: &[&str] =
    &["page_view", "download", "form_submit", "click", "event", "campaign", "referrer", "email_click"];
const STATE_KEYS: &[&str] = &["engaged", "visits", "scroll", "inactive", "trait", "email_domain", "all", "any", "not"];

fn parse_condition(value: &Value, path: &str, errors: &mut Errors) -> Option<Condition> {
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected a condition object, got {}", value.kind());
        return None;
    };
    let Some((key, body)) = entries.first() else {
        fail!(errors, path, "{}", condition_hint());
        return None;
    };
    if OCCURRENCE_KEYS.contains(&key.as_str()) {
        if entries.len() > 1 {
            fail!(errors, path, "a condition has exactly one kind; found {}", entry_names(entries));
            return None;
        }
        parse_occurrence(key, body, &join(path, key), errors).map(Condition::Occurrence)
    } else {
        parse_state(value, path, 0, errors).map(Condition::State)
    }
}

fn entry_names(entries: &[(String, Value)]) -> String {
    entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
}

fn condition_hint() -> String {
    format!("expected one of: {}, {}", OCCURRENCE_KEYS.join(", "), STATE_KEYS.join(", "))
}

fn pattern(entries: &[(String, Value)], key: &str, path: &str, errors: &mut Errors) -> Pattern {
    match read::field(entries, key) {
        None => Pattern::Any,
        Some(v) => match v.as_str() {
            Some(s) if s.chars().count() <= 500 => Pattern::new(s),
            _ => {
                fail!(
                    errors,
                    &join(path, key),
                    "expected a pattern string (at most 500 characters; * and ? are wildcards)"
                );
                Pattern::Any
            }
        },
    }
}

fn parse_occurrence(kind: &str, body: &Value, path: &str, errors: &mut Errors) -> Option<Occurrence> {
    let before = errors.0.len();
    let keys: &[&str] = match kind {
        "page_view" => &["path"],
        "download" => &["url", "type"],
        "form_submit" => &["form"],
        "click" | "event" => &["name"],
        "campaign" => &["source", "medium", "campaign"],
        "referrer" => &["host"],
        _ => &["campaign"],
    };
    let entries = read::object(body, path, keys, errors)?;
    let occurrence = match kind {
        "page_view" => Occurrence::PageView { path: pattern(entries, "path", path, errors) },
        "download" => {
            let mut types = Vec::new();
            if let Some(v) = read::field(entries, "type") {
                let p = join(path, "type");
                match v {
                    Value::String(s) => types.push(s.trim_start_matches('.').to_ascii_lowercase()),
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(s) = read::string(item, &index(&p, i), 20, errors) {
                                types.push(s.trim_start_matches('.').to_ascii_lowercase());
                            }
                        }
                    }
                    other => fail!(errors, &p, "expected a file type or a list of them, got {}", other.kind()),
                }
            }
            Occurrence::Download { url: pattern(entries, "url", path, errors), types }
        }
        "form_submit" => Occurrence::FormSubmit { form: pattern(entries, "form", path, errors) },
        "click" => Occurrence::Click { name: pattern(entries, "name", path, errors) },
        "event" => Occurrence::Event { name: pattern(entries, "name", path, errors) },
        "campaign" => Occurrence::Campaign {
            source: pattern(entries, "source", path, errors),
            medium: pattern(entries, "medium", path, errors),
            campaign: pattern(entries, "campaign", path, errors),
        },
        "referrer" => Occurrence::Referrer { host: pattern(entries, "host", path, errors) },
        _ => Occurrence::EmailClick { campaign: pattern(entries, "campaign", path, errors) },
    };
    (errors.0.len() == before).then_some(occurrence)
}

/// The field `key` with its path, or an error saying it is required and what it is for.
fn required<'a>(
    entries: &'a [(String, Value)],
    key: &str,
    path: &str,
    what: &str,
    errors: &mut Errors,
) -> Option<(&'a Value, String)> {
    let at = join(path, key);
    let found = read::field(entries, key);
    if found.is_none() {
        fail!(errors, &at, "required: {what}");
    }
    found.map(|v| (v, at))
}

const TRAIT_TESTS: &[&str] =
    &["trait", "equals", "one_of", "contains", "between", "at_least", "at_most", "below", "above", "exists", "is_true"];

fn parse_state(value: &Value, path: &str, depth: usize, errors: &mut Errors) -> Option<StateCondition> {
    if depth > MAX_CONDITION_DEPTH {
        fail!(errors, path, "conditions nest at most {MAX_CONDITION_DEPTH} deep");
        return None;
    }
    let Some(entries) = value.as_object() else {
        fail!(errors, path, "expected a condition object, got {}", value.kind());
        return None;
    };
    if read::field(entries, "trait").is_some() {
        return parse_trait(entries, path, errors);
    }
    let [(key, body)] = entries else {
        if entries.is_empty() {
            fail!(errors, path, "{}", condition_hint());
        } else {
            fail!(errors, path, "a condition has exactly one kind; found {}", entry_names(entries));
        }
        return None;
    };
    let p = join(path, key);
    let before = errors.0.len();
    let condition = match key.as_str() {
        "engaged" => {
            let e = read::object(body, &p, &["path", "seconds"], errors)?;
            let seconds = required(e, "seconds", &p, "the engaged seconds to reach", errors)
                .and_then(|(v, at)| read::number(v, &at, 0.0, 86_400.0 * 365.0, errors));
            StateCondition::Engaged { path: pattern(e, "path", &p, errors), seconds: seconds.unwrap_or(0.0) }
        }
        "visits" => {
            let e = read::object(body, &p, &["at_least"], errors)?;
            let at_least = required(e, "at_least", &p, "the number of visits to reach", errors)
                .and_then(|(v, at)| read::whole(v, &at, 1.0, 1e6, errors));
            StateCondition::Visits { at_least: at_least.unwrap_or(1) }
        }
        "scroll" => {
            let e = read::object(body, &p, &["path", "depth"], errors)?;
            let depth = required(e, "depth", &p, "the scroll depth in percent", errors)
                .and_then(|(v, at)| read::number(v, &at, 0.0, 100.0, errors));
            StateCondition::Scroll { path: pattern(e, "path", &p, errors), depth: depth.unwrap_or(0.0) }
        }
        "inactive" => {
            let e = read::object(body, &p, &["for"], errors)?;
            let for_ms = required(e, "for", &p, "how long without activity, e.g. \"90d\"", errors)
                .and_then(|(v, at)| read::duration(v, &at, errors));
            StateCondition::Inactive { for_ms: for_ms.unwrap_or(1) }
        }
        "email_domain" => {
            let e = read::object(body, &p, &["free", "in"], errors)?;
            let free = read::field(e, "free").and_then(|v| read::boolean(v, &join(&p, "free"), errors));
            let mut domains = Vec::new();
            if let Some(v) = read::field(e, "in") {
                let lp = join(&p, "in");
                if let Some(items) = read::array(v, &lp, errors) {
                    for (i, item) in items.iter().take(MAX_LIST).enumerate() {
                        if let Some(s) = read::string(item, &index(&lp, i), 253, errors) {
                            domains.push(Pattern::new(s.trim().trim_start_matches('@')));
                        }
                    }
                }
            }
            if free.is_none() && read::field(e, "in").is_none() {
                fail!(errors, &p, "expected {{\"free\": true}} or {{\"in\": [\"domain.com\", ...]}}");
            }
            StateCondition::EmailDomain { free, domains }
        }
        "all" | "any" => {
            let items = read::array(body, &p, errors)?;
            if items.is_empty() {
                fail!(errors, &p, "expected at least one condition");
            }
            let list: Vec<StateCondition> = items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| parse_state(item, &index(&p, i), depth + 1, errors))
                .collect();
            if key == "all" {
                StateCondition::All(list)
            } else {
                StateCondition::Any(list)
            }
        }
        "not" => StateCondition::Not(Box::new(parse_state(body, &p, depth + 1, errors)?)),
        other if OCCURRENCE_KEYS.contains(&other) => {
            fail!(
                errors,
                &p,
                "occurrence conditions cannot be combined with all/any/not; use separate rules or the qualify gate"
            );
            return None;
        }
        _ => {
            fail!(errors, path, "unknown condition \"{key}\"; {}", condition_hint());
            return None;
        }
    };
    (errors.0.len() == before).then_some(condition)
}

fn parse_trait(entries: &[(String, Value)], path: &str, errors: &mut Errors) -> Option<StateCondition> {
    let before = errors.0.len();
    for (key, _) in entries {
        if !TRAIT_TESTS.contains(&key.as_str()) {
            fail!(errors, &join(path, key), "unknown trait test (expected one of: {})", TRAIT_TESTS.join(", "));
        }
    }
    let field = read::field(entries, "trait").and_then(|v| read::string(v, &join(path, "trait"), MAX_TEXT, errors))?;
    let mut tests = Vec::new();
    for (key, v) in entries.iter().filter(|(k, _)| k != "trait") {
        let p = join(path, key);
        let number = |v: &Value, p: &str, errors: &mut Errors| read::number(v, p, -1e15, 1e15, errors);
        let test = match key.as_str() {
            "equals" => scalar(v, &p, errors).map(TraitTest::Equals),
            "one_of" => read::array(v, &p, errors).map(|items| {
                TraitTest::OneOf(
                    items
                        .iter()
                        .take(MAX_LIST)
                        .enumerate()
                        .filter_map(|(i, x)| scalar(x, &index(&p, i), errors))
                        .collect(),
                )
            }),
            "contains" => match v {
                Value::String(s) => Some(TraitTest::Contains(vec![s.to_ascii_lowercase()])),
                Value::Array(items) => Some(TraitTest::Contains(
                    items
                        .iter()
                        .take(MAX_LIST)
                        .enumerate()
                        .filter_map(|(i, x)| {
                            read::string(x, &index(&p, i), MAX_TEXT, errors).map(|s| s.to_ascii_lowercase())
                        })
                        .collect(),
                )),
                other => {
                    fail!(errors, &p, "expected a string or a list of strings, got {}", other.kind());
                    None
                }
            },
            "between" => match v.as_array() {
                Some([lo, hi]) => {
                    let lo = number(lo, &index(&p, 0), errors);
                    let hi = number(hi, &index(&p, 1), errors);
                    match (lo, hi) {
                        (Some(lo), Some(hi)) if lo <= hi => Some(TraitTest::Between(lo, hi)),
                        (Some(_), Some(_)) => {
                            fail!(errors, &p, "expected [low, high] with low ≤ high");
                            None
                        }
                        _ => None,
                    }
                }
                _ => {
                    fail!(errors, &p, "expected [low, high]");
                    None
                }
            },
            "at_least" => number(v, &p, errors).map(TraitTest::AtLeast),
            "at_most" => number(v, &p, errors).map(TraitTest::AtMost),
            "below" => number(v, &p, errors).map(TraitTest::Below),
            "above" => number(v, &p, errors).map(TraitTest::Above),
            "exists" => read::boolean(v, &p, errors).map(TraitTest::Exists),
            "is_true" => read::boolean(v, &p, errors).map(TraitTest::IsTrue),
            _ => None,
        };
        if let Some(test) = test {
            tests.push(test);
        }
    }
    if tests.is_empty() && errors.0.len() == before {
        fail!(
            errors,
            path,
            "a trait condition needs a test: one of {}",
            TRAIT_TESTS.get(1..).unwrap_or(&[]).join(", ")
        );
    }
    (errors.0.len() == before).then_some(StateCondition::Trait { field, tests })
}

fn scalar(value: &Value, path: &str, errors: &mut Errors) -> Option<Scalar> {
    match Scalar::from_value(value) {
        Some(Scalar::Text(s)) => Some(Scalar::Text(s.to_ascii_lowercase())),
        Some(other) => Some(other),
        None => {
            fail!(errors, path, "expected a string, number or boolean, got {}", value.kind());
            None
        }
    }
}

impl StateCondition {
    /// Whether the condition is tied to a moment that decay can count from.
    fn has_time(&self) -> bool {
        matches!(self, StateCondition::Engaged { .. } | StateCondition::Visits { .. } | StateCondition::Scroll { .. })
    }
}
