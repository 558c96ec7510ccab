//! The options of `calibrate`, `scoreCsv` and `funnel`, read from a plain object (the JS options
//! argument, or what the CLI builds from its flags). Keys are camelCase like other JS options;
//! unknown keys are errors, since a misspelt option silently ignored gives a wrong model.

use crate::error::{join, Errors};
use crate::read;
use crate::value::Value;

/// Cells that mean "no answer" besides empty ones (compared trimmed and lower-cased).
pub const DEFAULT_PLACEHOLDERS: &[&str] =
    &["select", "n/a", "na", "null", "nan", "none selected", "-", "--", "?", "(blank)"];

/// How a stage's threshold is chosen on the learning rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The top share of leads (0..1) reach the stage.
    Top(f64),
    /// The lowest score at which the leads at or above it convert at least this often (0..1].
    Precision(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateOptions {
    /// The outcome column: 1/0, yes/no or true/false.
    pub label: String,
    /// The column identifying a lead; never learned from.
    pub id: Option<String>,
    pub exclude: Vec<String>,
    /// Columns forced to count as behaviour (engagement) or as traits (fit).
    pub behaviour: Vec<String>,
    pub fit: Vec<String>,
    pub mql: Target,
    /// None: a quarter of the MQL share, so SQL is always a stricter stage than MQL.
    pub sql: Option<Target>,
    pub folds: usize,
    /// Most bins per numeric column.
    pub bins: usize,
    /// Answers seen on fewer learning rows than this get no rule of their own.
    pub min_level_rows: usize,
    /// Ridge penalty of the logistic regression (sum of log-losses + penalty/2 · |w|²).
    pub regularization: f64,
    /// Penalty on the squared difference between neighbouring bins of a numeric column.
    pub smoothing: f64,
    /// A column stays in the model when its link to the outcome is significant at this level
    /// (0.001, 0.01 or 0.05; a chi-square test of its levels against the outcome).
    pub significance: f64,
    pub seed: u64,
    /// Most pairwise interactions learned (each one rule: `all` of two conditions); 0 = additive.
    pub interactions: usize,
    /// A column of deal amounts (what a converted lead brought): learns value tiers.
    pub value: Option<String>,
    /// A column whose answers set the expected amount (e.g. the product line), with `value`.
    pub value_by: Option<String>,
    /// Placeholders read as missing, lower-case.
    pub missing: Vec<String>,
    pub name: String,
}

impl CalibrateOptions {
    pub fn new(label: &str) -> CalibrateOptions {
        CalibrateOptions {
            label: label.to_string(),
            id: None,
            exclude: Vec::new(),
            behaviour: Vec::new(),
            fit: Vec::new(),
            mql: DEFAULT_MQL,
            sql: None,
            folds: 5,
            bins: 40,
            min_level_rows: 10,
            regularization: 2.0,
            smoothing: 5.0,
            significance: 0.01,
            seed: 1,
            interactions: 5,
            value: None,
            value_by: None,
            missing: DEFAULT_PLACEHOLDERS.iter().map(|s| (*s).to_string()).collect(),
            name: "calibrated".to_string(),
        }
    }

    pub fn from_value(value: &Value) -> Result<CalibrateOptions, Errors> {
        const KEYS: &[&str] = &[
            "label",
            "id",
            "exclude",
            "behaviour",
            "fit",
            "mqlTop",
            "mqlPrecision",
            "sqlTop",
            "minPrecision",
            "folds",
            "bins",
            "minLevelRows",
            "regularization",
            "smoothing",
            "significance",
            "seed",
            "interactions",
            "value",
            "valueBy",
            "missing",
            "name",
        ];
        let mut errors = Errors::default();
        let entries = read::object(value, "options", KEYS, &mut errors).unwrap_or(&[]);
        let Some(label) = text(entries, "label", &mut errors) else {
            if read::field(entries, "label").is_none() {
                errors.push("options.label", "required: the column holding the outcome (1 = converted, 0 = not)");
            }
            return Err(errors);
        };
        let mut options = CalibrateOptions::new(&label);
        options.id = text(entries, "id", &mut errors);
        options.exclude = names(entries, "exclude", &mut errors);
        options.behaviour = names(entries, "behaviour", &mut errors);
        options.fit = names(entries, "fit", &mut errors);
        (options.mql, options.sql) = stage_targets(entries, &mut errors);
        options.read_settings(entries, &mut errors);
        options.value = text(entries, "value", &mut errors);
        options.value_by = text(entries, "valueBy", &mut errors);
        if options.value_by.is_some() && options.value.is_none() {
            errors.push("options.valueBy", "needs options.value: the column of deal amounts");
        }
        if read::field(entries, "missing").is_some() {
            options.missing =
                names(entries, "missing", &mut errors).iter().map(|s| s.trim().to_ascii_lowercase()).collect();
        }
        if let Some(name) = text(entries, "name", &mut errors) {
            options.name = name;
        }
        errors.into_result(options)
    }

    /// The numeric settings (folds, bins, minLevelRows, regularization, smoothing, significance, seed,
    /// interactions), each kept at its default when absent or out of range (with an error naming it).
    fn read_settings(&mut self, entries: &[(String, Value)], errors: &mut Errors) {
        if let Some(v) = read::field(entries, "folds") {
            self.folds = read::whole(v, "options.folds", 2.0, 20.0, errors).map_or(self.folds, |n| n as usize);
        }
        if let Some(v) = read::field(entries, "bins") {
            self.bins = read::whole(v, "options.bins", 2.0, 50.0, errors).map_or(self.bins, |n| n as usize);
        }
        if let Some(v) = read::field(entries, "minLevelRows") {
            self.min_level_rows =
                read::whole(v, "options.minLevelRows", 1.0, 1e6, errors).map_or(self.min_level_rows, |n| n as usize);
        }
        if let Some(v) = read::field(entries, "regularization") {
            self.regularization =
                read::number(v, "options.regularization", 1e-3, 1e4, errors).unwrap_or(self.regularization);
        }
        if let Some(v) = read::field(entries, "smoothing") {
            self.smoothing = read::number(v, "options.smoothing", 0.0, 1e5, errors).unwrap_or(self.smoothing);
        }
        if let Some(v) = read::field(entries, "significance") {
            match v.as_f64() {
                Some(level) if [0.001, 0.01, 0.05].contains(&level) => self.significance = level,
                _ => errors.push("options.significance", "expected 0.001, 0.01 or 0.05"),
            }
        }
        if let Some(v) = read::field(entries, "seed") {
            self.seed = read::whole(v, "options.seed", 0.0, 4e9, errors).map_or(self.seed, u64::from);
        }
        if let Some(v) = read::field(entries, "interactions") {
            self.interactions =
                read::whole(v, "options.interactions", 0.0, 50.0, errors).map_or(self.interactions, |n| n as usize);
        }
    }
}

/// MQL by default: the top 20 % of scores.
const DEFAULT_MQL: Target = Target::Top(0.2);

/// The MQL target (mqlTop or mqlPrecision; default [`DEFAULT_MQL`]) and the optional SQL target (sqlTop or
/// minPrecision), which must be the stricter of the two.
fn stage_targets(entries: &[(String, Value)], errors: &mut Errors) -> (Target, Option<Target>) {
    let mql = target(entries, "mqlTop", "mqlPrecision", errors).unwrap_or(DEFAULT_MQL);
    let sql = target(entries, "sqlTop", "minPrecision", errors);
    if let (Target::Top(mql_top), Some(Target::Top(sql_top))) = (mql, sql) {
        if sql_top >= mql_top {
            errors.push("options.sqlTop", "must be a smaller share than mqlTop: SQL is the stricter stage");
        }
    }
    (mql, sql)
}

/// A stage's target given as a share of the top scores (`top_key`) or as a precision (`precision_key`), not
/// both; None when neither is given (or both are, with an error).
fn target(entries: &[(String, Value)], top_key: &str, precision_key: &str, errors: &mut Errors) -> Option<Target> {
    match (share(entries, top_key, false, errors), share(entries, precision_key, true, errors)) {
        (Some(_), Some(_)) => {
            errors.push("options", format!("give {top_key} or {precision_key}, not both"));
            None
        }
        (Some(top), None) => Some(Target::Top(top)),
        (None, Some(precision)) => Some(Target::Precision(precision)),
        (None, None) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreCsvOptions {
    /// The column copied into the `id` column; default: a column named `id` (or ending in ` id` /
    /// `_id`), else the row number.
    pub id: Option<String>,
    /// Input columns copied after the score columns (e.g. the outcome, for `funnel`).
    pub keep: Vec<String>,
    /// Which model of a multi-model document.
    pub model: Option<String>,
    /// The time scored at (ms since the epoch); the JS boundary defaults it to the current time.
    pub now: Option<i64>,
}

impl ScoreCsvOptions {
    pub fn from_value(value: &Value) -> Result<ScoreCsvOptions, Errors> {
        if *value == Value::Null {
            return Ok(ScoreCsvOptions::default());
        }
        let mut errors = Errors::default();
        let entries = read::object(value, "options", &["id", "keep", "model", "now"], &mut errors).unwrap_or(&[]);
        let options = ScoreCsvOptions {
            id: text(entries, "id", &mut errors),
            keep: names(entries, "keep", &mut errors),
            model: text(entries, "model", &mut errors),
            now: read::field(entries, "now")
                .filter(|v| **v != Value::Null)
                .and_then(|v| read::number(v, "options.now", -8.64e15, 8.64e15, &mut errors))
                .map(|n| n as i64),
        };
        errors.into_result(options)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelOptions {
    pub label: String,
    pub stage: String,
    pub score: String,
    pub cost: Option<String>,
    /// Columns naming the campaign (or source, medium) that brought each lead, e.g. first and
    /// last touch: one credit table per column.
    pub by: Vec<String>,
    /// The column saying whether the lead qualified (`score`'s output).
    pub qualified: String,
    /// What each campaign cost: a CSV of two columns, campaign then cost.
    pub costs: Option<String>,
    /// A column of visitor states (the `leadscore_state` form field): first- and last-touch tables.
    pub touches: Option<String>,
}

impl FunnelOptions {
    pub fn new(label: &str) -> FunnelOptions {
        FunnelOptions {
            label: label.to_string(),
            stage: "stage".into(),
            score: "score".into(),
            cost: None,
            by: Vec::new(),
            qualified: "qualified".into(),
            costs: None,
            touches: None,
        }
    }

    pub fn from_value(value: &Value) -> Result<FunnelOptions, Errors> {
        let mut errors = Errors::default();
        let entries = read::object(
            value,
            "options",
            &["label", "stage", "score", "cost", "by", "qualified", "costs", "touches"],
            &mut errors,
        )
        .unwrap_or(&[]);
        let Some(label) = text(entries, "label", &mut errors) else {
            if read::field(entries, "label").is_none() {
                errors.push("options.label", "required: the column holding the outcome (1 = converted, 0 = not)");
            }
            return Err(errors);
        };
        let mut options = FunnelOptions::new(&label);
        if let Some(stage) = text(entries, "stage", &mut errors) {
            options.stage = stage;
        }
        if let Some(score) = text(entries, "score", &mut errors) {
            options.score = score;
        }
        options.cost = text(entries, "cost", &mut errors);
        options.by = names(entries, "by", &mut errors);
        if let Some(qualified) = text(entries, "qualified", &mut errors) {
            options.qualified = qualified;
        }
        options.touches = text(entries, "touches", &mut errors);
        options.costs = read::field(entries, "costs")
            .filter(|v| **v != Value::Null)
            .and_then(|v| read::string(v, "options.costs", 16 * 1024 * 1024, &mut errors));
        errors.into_result(options)
    }
}

fn text(entries: &[(String, Value)], key: &str, errors: &mut Errors) -> Option<String> {
    read::field(entries, key)
        .filter(|v| **v != Value::Null)
        .and_then(|v| read::string(v, &join("options", key), 200, errors))
}

/// A list of column names; a single name is accepted as a list of one.
fn names(entries: &[(String, Value)], key: &str, errors: &mut Errors) -> Vec<String> {
    let path = join("options", key);
    match read::field(entries, key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(v) => read::array(v, &path, errors)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| read::string(item, &crate::error::index(&path, i), 200, errors))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A share between 0 and 1 (exclusive; a precision may be 1).
fn share(entries: &[(String, Value)], key: &str, allow_one: bool, errors: &mut Errors) -> Option<f64> {
    let path = join("options", key);
    let n = read::number(read::field(entries, key).filter(|v| **v != Value::Null)?, &path, 0.0, 1.0, errors)?;
    if n <= 0.0 || (n >= 1.0 && !allow_one) {
        errors.push(&path, "expected a share between 0 and 1, e.g. 0.2 for 20 %");
        return None;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> Result<CalibrateOptions, Errors> {
        CalibrateOptions::from_value(&crate::json::parse(json).unwrap())
    }

    fn messages(json: &str) -> Vec<(String, String)> {
        options(json).unwrap_err().0.into_iter().map(|e| (e.path, e.message)).collect()
    }

    #[test]
    fn stage_targets_default_to_the_top_fifth_and_take_a_share_or_a_precision() {
        let plain = options(r#"{"label":"Converted"}"#).unwrap();
        assert_eq!((plain.mql, plain.sql), (Target::Top(0.2), None));
        let given = options(r#"{"label":"Converted","mqlPrecision":0.5,"sqlTop":0.05}"#).unwrap();
        assert_eq!((given.mql, given.sql), (Target::Precision(0.5), Some(Target::Top(0.05))));
    }

    #[test]
    fn a_stage_target_given_both_ways_or_an_sql_share_not_stricter_is_refused() {
        let both = messages(r#"{"label":"Converted","mqlTop":0.2,"mqlPrecision":0.5,"sqlTop":0.1,"minPrecision":0.9}"#);
        assert_eq!(
            both,
            [
                ("options".to_string(), "give mqlTop or mqlPrecision, not both".to_string()),
                ("options".to_string(), "give sqlTop or minPrecision, not both".to_string()),
            ]
        );
        let loose = messages(r#"{"label":"Converted","mqlTop":0.1,"sqlTop":0.3}"#);
        assert_eq!(loose.first().map(|(path, _)| path.as_str()), Some("options.sqlTop"));
    }
}
