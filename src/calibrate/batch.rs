//! Scoring a CSV of leads with a model document: each row's cells become the lead's traits, the
//! engine scores it, and one output row carries the score card's essentials. Calibration scores its
//! held-out rows through the same path, so the reported accuracy is the engine's own.

use super::columns::cell_key;
use super::options::ScoreCsvOptions;
use crate::csv::{self, Table};
use crate::engine::ScoreCard;
use crate::error::Errors;
use crate::model::{Condition, Model, ModelSet, StateCondition};
use crate::read::fmt_centi;
use crate::value::Value;

/// The output columns before any kept input columns.
pub const SCORE_COLUMNS: &[&str] = &["id", "score", "stage", "qualified", "fit", "engagement", "breakdown"];

/// The trait names a model's conditions read, in order of first use. `email` stands for
/// `email_domain`, which the engine derives from it.
pub fn model_traits(model: &Model) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut stack: Vec<&StateCondition> = model
        .rules
        .iter()
        .rev()
        .filter_map(|r| if let Condition::State(c) = &r.when { Some(c) } else { None })
        .collect();
    while let Some(condition) = stack.pop() {
        let name = match condition {
            StateCondition::Trait { field, .. } => Some(field.as_str()),
            StateCondition::EmailDomain { .. } => Some("email"),
            StateCondition::All(list) | StateCondition::Any(list) => {
                stack.extend(list.iter().rev());
                None
            }
            StateCondition::Not(inner) => {
                stack.push(inner);
                None
            }
            _ => None,
        };
        if let Some(name) = name.filter(|n| !names.iter().any(|m| m == n)) {
            names.push(name.to_string());
        }
    }
    names
}

/// The columns (index, name) of a table that feed a model's traits.
pub fn trait_columns(table: &Table, model: &Model) -> Vec<(usize, String)> {
    model_traits(model).into_iter().filter_map(|name| table.column(&name).map(|i| (i, name))).collect()
}

/// A row as a lead for `score_lead`: `{ "traits": { column: cell } }`, absent cells left out (the
/// engine cannot hold text longer than a trait may be, so such a cell counts as no answer).
pub fn row_lead(table: &Table, columns: &[(usize, String)], row: usize) -> Value {
    let traits = columns
        .iter()
        .filter_map(|(i, name)| {
            let cell = table.cell(row, *i);
            cell_key(cell).map(|_| (name.clone(), Value::String(cell.to_string())))
        })
        .collect();
    Value::Object(vec![("traits".to_string(), Value::Object(traits))])
}

/// Scores a row through the engine; an error names the row.
pub fn score_row(
    model: &Model,
    table: &Table,
    columns: &[(usize, String)],
    row: usize,
    now: i64,
) -> Result<ScoreCard, Errors> {
    crate::score_lead(model, &row_lead(table, columns, row), now)
        .map_err(|e| Errors::single("csv", format!("{}: {e}", table.row_name(row))))
}

/// `pricing:15;webinar:20`: each breakdown line's rule and points.
pub fn compact_breakdown(card: &ScoreCard) -> String {
    card.breakdown.iter().map(|line| format!("{}:{}", line.rule, fmt_centi(line.points))).collect::<Vec<_>>().join(";")
}

/// Scores every row of a CSV; returns CSV text with the columns `SCORE_COLUMNS`, then `keep`.
pub fn score_csv(doc: &Value, text: &str, options: &ScoreCsvOptions) -> Result<String, Errors> {
    let now = options.now.unwrap_or(0);
    let set = ModelSet::parse(doc)?;
    let model = set.select(options.model.as_deref())?;
    let table = csv::parse(text)?;
    let columns = trait_columns(&table, model);
    let wanted = model_traits(model);
    if columns.is_empty() && !wanted.is_empty() {
        return Err(Errors::single(
            "csv",
            format!(
                "none of the columns the model reads ({}) is in the CSV header (columns: {})",
                wanted.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "),
                table.column_list()
            ),
        ));
    }
    if columns.len() > crate::state::MAX_TRAITS {
        return Err(Errors::single(
            "model",
            format!("the model reads {} columns; a lead holds at most {}", columns.len(), crate::state::MAX_TRAITS),
        ));
    }
    let id_column = match &options.id {
        Some(name) => Some(table.require_column(name, "options.id")?),
        None => default_id_column(&table.header),
    };
    let mut errors = Errors::default();
    let keep: Vec<usize> = options
        .keep
        .iter()
        .filter_map(|name| table.require_column(name, "options.keep").map_err(|e| errors.0.extend(e.0)).ok())
        .collect();
    errors.into_result(())?;

    let mut out = String::with_capacity(table.rows.len() * 64);
    let header: Vec<&str> = SCORE_COLUMNS
        .iter()
        .copied()
        .chain(keep.iter().filter_map(|&k| table.header.get(k).map(String::as_str)))
        .collect();
    csv::write_row(&mut out, &header);
    for row in 0..table.rows.len() {
        let card = score_row(model, &table, &columns, row, now)?;
        let id = match id_column {
            Some(i) => table.cell(row, i).to_string(),
            None => (row + 1).to_string(),
        };
        let mut fields = vec![
            id,
            fmt_centi(card.total),
            card.stage.clone(),
            card.qualified.to_string(),
            fmt_centi(card.fit),
            fmt_centi(card.engagement),
            compact_breakdown(&card),
        ];
        fields.extend(keep.iter().map(|&k| table.cell(row, k).to_string()));
        csv::write_row(&mut out, &fields);
    }
    Ok(out)
}

/// A column named `id`, or ending in ` id` / `_id` (case-insensitive).
pub(super) fn default_id_column(header: &[String]) -> Option<usize> {
    header.iter().position(|h| {
        let lower = h.to_ascii_lowercase();
        lower == "id" || lower.ends_with(" id") || lower.ends_with("_id")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        let rule = |id: &str, points: f64, when: Value| {
            Value::object(vec![("id", Value::from(id)), ("points", Value::Number(points)), ("when", when)])
        };
        let equals = |t: &str, v: &str| Value::object(vec![("trait", Value::from(t)), ("equals", Value::from(v))]);
        let at_least = |t: &str, v: f64| Value::object(vec![("trait", Value::from(t)), ("at_least", Value::Number(v))]);
        Value::object(vec![
            ("name", Value::from("t")),
            (
                "rules",
                Value::Array(vec![
                    rule("origin_api", 30.0, equals("Lead Origin", "API")),
                    rule("visits", 25.0, at_least("Visits", 3.0)),
                    rule(
                        "both",
                        10.0,
                        Value::object(vec![(
                            "all",
                            Value::Array(vec![equals("Lead Origin", "API"), at_least("Visits", 5.0)]),
                        )]),
                    ),
                ]),
            ),
            (
                "stages",
                Value::Array(vec![
                    Value::object(vec![("name", Value::from("new"))]),
                    Value::object(vec![("name", Value::from("mql")), ("min", Value::Number(50.0))]),
                ]),
            ),
        ])
    }

    #[test]
    fn scores_rows_with_breakdown_and_kept_columns() {
        let csv = "Lead Id,Lead Origin,Visits,Unused,Converted\nA1,api,7,x,1\nA2,Form,3,y,0\nA3,,\"1,000\",z,0\n";
        let options = ScoreCsvOptions { keep: vec!["Converted".into()], ..Default::default() };
        let out = score_csv(&doc(), csv, &options).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "id,score,stage,qualified,fit,engagement,breakdown,Converted");
        // A breakdown with ';' is quoted, so the file is not read back as ';'-separated.
        assert_eq!(
            lines[1], "A1,65,mql,true,55,10,\"origin_api:30;visits:25;both:10\",1",
            "`all` counts as engagement"
        );
        assert_eq!(lines[2], "A2,25,new,false,25,0,visits:25,0");
        assert_eq!(lines[3], "A3,25,new,false,25,0,visits:25,0", "thousands commas read as the engine reads them");
    }

    #[test]
    fn names_missing_columns() {
        let e = score_csv(&doc(), "a,b\n1,2\n", &ScoreCsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("none of the columns the model reads (\"Lead Origin\", \"Visits\")"), "{e}");
        let options = ScoreCsvOptions { id: Some("nope".into()), ..Default::default() };
        let e = score_csv(&doc(), "Visits\n1\n", &options).unwrap_err().to_string();
        assert!(e.starts_with("options.id: no column \"nope\""), "{e}");
        let e = score_csv(&Value::Null, "Visits\n1\n", &options).unwrap_err().to_string();
        assert!(e.contains("expected an object"), "{e}");
    }

    #[test]
    fn the_row_number_is_the_id_without_an_id_column() {
        let out = score_csv(&doc(), "Visits\n4\n", &ScoreCsvOptions::default()).unwrap();
        assert_eq!(out.lines().nth(1).unwrap(), "1,25,new,false,25,0,visits:25");
    }
}
