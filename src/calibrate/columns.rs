//! What each CSV column is: its type (numeric, categorical, yes/no), whether it describes behaviour
//! (engagement) or the lead itself (fit), and which columns are left out and why.
//!
//! Cells are read exactly as the engine will read them as trait values, so that what is learned is
//! what gets scored: text is compared trimmed and lower-cased, numbers are parsed the engine's way,
//! and a cell longer than a trait may be is treated as absent (the batch scorer drops it too).

use super::options::CalibrateOptions;
use crate::csv::Table;
use crate::error::Errors;

/// Longest trait text the engine accepts (state::parse_traits).
pub const MAX_CELL_CHARS: usize = 512;
/// Longest trait name the engine accepts.
const MAX_NAME_CHARS: usize = 64;
/// Most traits a lead may carry: the most columns one model can use.
pub const MAX_MODEL_COLUMNS: usize = crate::state::MAX_TRAITS;

const TRUTHY: &[&str] = &["yes", "true", "y", "1", "on"];
const FALSY: &[&str] = &["no", "false", "n", "0", "off"];

/// Column-name fragments that mark behaviour (engagement); everything else is a trait (fit).
/// "do not …" columns are consent flags, so traits, whatever else they mention.
const BEHAVIOUR_WORDS: &[&str] = &[
    "visit",
    "view",
    "page",
    "time",
    "spent",
    "session",
    "click",
    "open",
    "download",
    "activity",
    "webinar",
    "event",
    "engag",
    "scroll",
    "chat",
    "watch",
    "attend",
    "trial",
    "demo",
    "last",
    "recent",
    "free copy",
    "seconds",
    "minutes",
    "duration",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Numeric,
    Categorical,
    YesNo,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Categorical => "categorical",
            Kind::YesNo => "yes/no",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Fit,
    Engagement,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Engagement => "engagement",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Position in the CSV header.
    pub index: usize,
    pub name: String,
    pub kind: Kind,
    pub role: Role,
    /// True when the role was set by an option rather than inferred from the name.
    pub role_set: bool,
    /// Rows without an answer (empty, placeholder, or not a number in a numeric column).
    pub missing: usize,
    /// Distinct answers (lower-cased).
    pub distinct: usize,
}

/// A column that is not learned from, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// The cell as the engine sees a text trait: None when absent (empty, blank, or too long to be a
/// trait), else the trimmed text, ASCII letters lower-cased (the engine's case folding).
pub fn cell_key(cell: &str) -> Option<String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() || cell.chars().count() > MAX_CELL_CHARS {
        return None;
    }
    Some(trimmed.to_ascii_lowercase())
}

/// The cell as the engine reads a number from text (engine::as_number): thousands commas dropped.
pub fn cell_number(cell: &str) -> Option<f64> {
    if cell.chars().count() > MAX_CELL_CHARS {
        return None;
    }
    crate::read::parse_decimal(cell)
}

/// The engine's reading of a yes/no answer (engine::is_truthy on text).
pub fn is_truthy(key: &str) -> bool {
    TRUTHY.contains(&key)
}

/// Rows whose outcome could not be read, listed in one error before the rest are only counted.
const MAX_LISTED: usize = 5;

/// An outcome cell (as `cell_key` gives it) as converted or not: 1/0, yes/no, true/false, y/n.
pub fn outcome_of_key(key: &str) -> Option<bool> {
    match key {
        k if is_truthy(k) => Some(true),
        k if FALSY.contains(&k) => Some(false),
        k => match cell_number(k) {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
    }
}

/// The outcome column as converted (true) or not: 1/0, yes/no, true/false, y/n. Every row needs
/// one; the error names the first rows that do not have one.
pub fn read_outcome(table: &Table, column: usize) -> Result<Vec<bool>, Errors> {
    let name = table.header.get(column).cloned().unwrap_or_default();
    let mut outcome = Vec::with_capacity(table.rows.len());
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    for row in 0..table.rows.len() {
        let cell = table.cell(row, column);
        let key = cell_key(cell);
        match key.as_deref().and_then(outcome_of_key) {
            Some(v) => outcome.push(v),
            None => {
                bad_count += 1;
                if bad.len() < MAX_LISTED {
                    bad.push(match key {
                        None => format!(
                            "{}: \"{name}\" is empty; every row needs an outcome (1 = converted, 0 = not)",
                            table.row_name(row)
                        ),
                        Some(_) => format!(
                            "{}: \"{name}\" is \"{}\"; expected 1/0, yes/no or true/false",
                            table.row_name(row),
                            cell.trim().chars().take(40).collect::<String>()
                        ),
                    });
                }
            }
        }
    }
    if bad_count == 0 {
        return Ok(outcome);
    }
    let mut errors = Errors::default();
    for message in bad {
        errors.push("csv", message);
    }
    if bad_count > MAX_LISTED {
        errors.push("csv", format!("and {} more rows without a readable outcome", bad_count - MAX_LISTED));
    }
    Err(errors)
}

/// Types every column of the table and decides which ones are learned from.
pub fn infer(table: &Table, options: &CalibrateOptions) -> Result<(Vec<Column>, Vec<Skipped>), Errors> {
    let mut errors = Errors::default();
    for (option, list) in [("exclude", &options.exclude), ("behaviour", &options.behaviour), ("fit", &options.fit)] {
        for name in list.iter() {
            if table.column(name).is_none() {
                errors.push(
                    &format!("options.{option}"),
                    format!("no column \"{name}\" in the CSV header (columns: {})", table.column_list()),
                );
            }
        }
    }
    for name in options.behaviour.iter().filter(|n| options.fit.contains(n)) {
        errors.push("options", format!("column \"{name}\" is listed both as behaviour and as fit"));
    }
    if let Some(id) = &options.id {
        if let Err(e) = table.require_column(id, "options.id") {
            errors.0.extend(e.0);
        }
    }
    errors.into_result(())?;

    let mut columns = Vec::new();
    let mut skipped = Vec::new();
    for (index, name) in table.header.iter().enumerate() {
        let skip = |reason: &str| Skipped { name: name.clone(), reason: reason.to_string() };
        if *name == options.label {
            skipped.push(skip("the outcome (label)"));
        } else if options.id.as_deref() == Some(name.as_str()) {
            skipped.push(skip("the lead id"));
        } else if options.exclude.contains(name) {
            skipped.push(skip("excluded by option"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            skipped.push(skip("the name is longer than 64 characters, the most a trait name may have"));
        } else {
            match type_column(table, index, options) {
                Ok(column) => columns.push(column),
                Err(reason) => skipped.push(skip(&reason)),
            }
        }
    }
    Ok((columns, skipped))
}

fn type_column(table: &Table, index: usize, options: &CalibrateOptions) -> Result<Column, String> {
    let rows = table.rows.len();
    let mut keys: Vec<String> = Vec::with_capacity(rows);
    let mut numbers = 0usize;
    for row in 0..rows {
        let Some(key) = cell_key(table.cell(row, index)) else { continue };
        if options.missing.contains(&key) {
            continue;
        }
        if cell_number(&key).is_some() {
            numbers += 1;
        }
        keys.push(key);
    }
    keys.sort_unstable();
    keys.dedup();
    let answered = rows.saturating_sub(count_missing(table, index, options));
    let distinct = keys.len();
    if answered == 0 {
        return Err("always empty".into());
    }
    if distinct == 1 && answered == rows {
        return Err("the same answer on every row".into());
    }
    let yes_no = keys.iter().all(|k| is_truthy(k) || FALSY.contains(&k.as_str()));
    let numeric = numbers * 100 >= answered * 98 && distinct > 2;
    let kind = if yes_no {
        Kind::YesNo
    } else if numeric {
        Kind::Numeric
    } else {
        Kind::Categorical
    };
    if kind == Kind::Categorical && distinct > 100 && distinct * 2 > answered {
        return Err(format!("looks like an identifier or free text ({distinct} different answers)"));
    }
    let name = table.header.get(index).cloned().unwrap_or_default();
    let (role, role_set) = if options.behaviour.contains(&name) {
        (Role::Engagement, true)
    } else if options.fit.contains(&name) {
        (Role::Fit, true)
    } else {
        (inferred_role(&name), false)
    };
    let missing = if kind == Kind::Numeric {
        (0..rows).filter(|&r| cell_number(table.cell(r, index)).is_none()).count()
    } else {
        rows - answered
    };
    Ok(Column { index, name, kind, role, role_set, missing, distinct })
}

fn count_missing(table: &Table, index: usize, options: &CalibrateOptions) -> usize {
    (0..table.rows.len())
        .filter(|&r| cell_key(table.cell(r, index)).is_none_or(|k| options.missing.contains(&k)))
        .count()
}

fn inferred_role(name: &str) -> Role {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("do not") || lower.starts_with("dont") || lower.starts_with("don't") {
        return Role::Fit;
    }
    if BEHAVIOUR_WORDS.iter().any(|w| lower.contains(w)) {
        Role::Engagement
    } else {
        Role::Fit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::parse;

    fn typed(csv: &str, options: &CalibrateOptions) -> (Vec<Column>, Vec<Skipped>) {
        infer(&parse(csv).unwrap(), options).unwrap()
    }

    #[test]
    fn types_roles_and_skips() {
        let mut csv = String::from("Lead ID,Converted,Total Visits,Industry,Newsletter,Constant,Empty,Do Not Email\n");
        for i in 0..300 {
            let industry = ["Retail", "select", "Banking", ""][i % 4];
            csv += &format!(
                "L{i},{},{},{industry},{},x,,{}\n",
                i % 2,
                i % 17,
                ["Yes", "no", ""][i % 3],
                ["Yes", "No"][i % 2]
            );
        }
        let mut options = CalibrateOptions::new("Converted");
        options.id = Some("Lead ID".into());
        let (columns, skipped) = typed(&csv, &options);
        let find = |n: &str| columns.iter().find(|c| c.name == n).unwrap();
        assert_eq!(find("Total Visits").kind, Kind::Numeric);
        assert_eq!(find("Total Visits").role, Role::Engagement);
        assert_eq!(find("Industry").kind, Kind::Categorical);
        assert_eq!(find("Industry").role, Role::Fit);
        assert_eq!(find("Industry").missing, 150, "empty and 'select' are both missing");
        assert_eq!(find("Newsletter").kind, Kind::YesNo);
        assert_eq!(find("Do Not Email").role, Role::Fit);
        let reasons: Vec<(&str, &str)> = skipped.iter().map(|s| (s.name.as_str(), s.reason.as_str())).collect();
        assert!(reasons.contains(&("Converted", "the outcome (label)")));
        assert!(reasons.contains(&("Lead ID", "the lead id")));
        assert!(reasons.contains(&("Constant", "the same answer on every row")));
        assert!(reasons.contains(&("Empty", "always empty")));
    }

    #[test]
    fn roles_can_be_overridden_and_columns_excluded() {
        let csv = "Converted,Total Visits,Industry,Notes\n1,3,Retail,a\n0,4,Banking,b\n1,5,Retail,c\n";
        let mut options = CalibrateOptions::new("Converted");
        options.fit = vec!["Total Visits".into()];
        options.behaviour = vec!["Industry".into()];
        options.exclude = vec!["Notes".into()];
        let (columns, skipped) = typed(csv, &options);
        assert_eq!((columns[0].role, columns[0].role_set), (Role::Fit, true));
        assert_eq!(columns[1].role, Role::Engagement);
        assert!(skipped.iter().any(|s| s.name == "Notes" && s.reason == "excluded by option"));
    }

    #[test]
    fn identifiers_are_skipped_and_unknown_option_columns_named() {
        let mut csv = String::from("Converted,Email\n");
        for i in 0..300 {
            csv += &format!("{},user{i}@example.com\n", i % 2);
        }
        let (columns, skipped) = typed(&csv, &CalibrateOptions::new("Converted"));
        assert!(columns.is_empty());
        assert!(skipped[1].reason.contains("identifier"), "{:?}", skipped);
        let mut options = CalibrateOptions::new("Converted");
        options.exclude = vec!["Nope".into()];
        let e = infer(&parse(&csv).unwrap(), &options).unwrap_err().to_string();
        assert!(e.starts_with("options.exclude: no column \"Nope\""), "{e}");
    }

    #[test]
    fn cells_read_like_engine_traits() {
        assert_eq!(cell_key("  Retail "), Some("retail".into()));
        assert_eq!(cell_key("ÉCOLE"), Some("École".into()), "only ASCII letters fold, as in the engine");
        assert_eq!(cell_key("   "), None);
        assert_eq!(cell_key(&"x".repeat(513)), None);
        assert_eq!(cell_number(" 1,234.5 "), Some(1234.5));
        assert_eq!(cell_number("inf"), None);
        assert!(is_truthy("on") && !is_truthy("no"));
    }
}
