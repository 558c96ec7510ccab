//! Funnel metrics from a CSV of scored leads with their outcomes (e.g. `leadscore score --keep
//! Converted` joined later with what sales recorded): how many leads reach each stage, how often
//! each stage converts, MQL→SQL, and cost per lead, per MQL, per SQL and per conversion.

use super::columns::{cell_key, cell_number, read_outcome};
use super::options::FunnelOptions;
use super::touches;
use crate::csv::{self, Table};
use crate::error::Errors;
use crate::value::Value;

/// The engine's default stage names in funnel order, used when there is no score to order by.
const KNOWN_ORDER: &[&str] = &["new", "warm", "mql", "sql"];
pub(super) const MAX_LISTED: usize = 5;

struct StageRow {
    name: String,
    leads: usize,
    converted: usize,
    score_sum: f64,
    cost: f64,
}

pub fn funnel(text: &str, options: &FunnelOptions) -> Result<Value, Errors> {
    let table = csv::parse(text)?;
    let outcome = read_outcome(&table, table.require_column(&options.label, "options.label")?)?;
    let stage_column = table.require_column(&options.stage, "options.stage")?;
    let score_column = table.column(&options.score);
    let costs = match &options.cost {
        Some(name) => Some(read_costs(&table, table.require_column(name, "options.cost")?)?),
        None => None,
    };
    let mut stages: Vec<StageRow> = Vec::new();
    for (row, &converted) in outcome.iter().enumerate() {
        let name = table.cell(row, stage_column).trim().to_string();
        let index = match stages.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                stages.push(StageRow { name, leads: 0, converted: 0, score_sum: 0.0, cost: 0.0 });
                stages.len() - 1
            }
        };
        if let Some(stage) = stages.get_mut(index) {
            stage.leads += 1;
            stage.converted += usize::from(converted);
            stage.score_sum += score_column.and_then(|c| cell_number(table.cell(row, c))).unwrap_or(0.0);
            stage.cost += costs.as_ref().and_then(|c| c.get(row)).copied().unwrap_or(0.0);
        }
    }
    order_stages(&mut stages, score_column.is_some());

    let leads = outcome.len();
    let converted = outcome.iter().filter(|&&y| y).count();
    let rate = |a: usize, b: usize| if b > 0 { Value::Number(a as f64 / b as f64) } else { Value::Null };
    let mut reached = 0usize;
    let mut reached_converted = 0usize;
    let mut reached_by_stage: Vec<(String, usize)> = Vec::new();
    let mut stage_values = Vec::new();
    // Walk from the top stage down: "reached" a stage means at it or above.
    for stage in stages.iter().rev() {
        reached += stage.leads;
        reached_converted += stage.converted;
        reached_by_stage.push((stage.name.to_ascii_lowercase(), reached));
        let mut entries = vec![
            ("stage", Value::String(stage.name.clone())),
            ("leads", count(stage.leads)),
            ("share", rate(stage.leads, leads)),
            ("converted", count(stage.converted)),
            ("conversion_rate", rate(stage.converted, stage.leads)),
            ("reached", count(reached)),
            ("reached_conversion_rate", rate(reached_converted, reached)),
        ];
        if costs.is_some() {
            entries.push(("cost", Value::Number(stage.cost)));
        }
        stage_values.push(Value::object(entries));
    }
    stage_values.reverse();
    let reached_of = |name: &str| reached_by_stage.iter().find(|(n, _)| n == name).map(|(_, r)| *r);
    let (mql, sql) = (reached_of("mql"), reached_of("sql"));
    let mql_to_sql = match (mql, sql) {
        (Some(m), Some(s)) => rate(s, m),
        _ => Value::Null,
    };
    let mut entries = vec![
        ("leads", count(leads)),
        ("converted", count(converted)),
        ("conversion_rate", rate(converted, leads)),
        ("stages", Value::Array(stage_values)),
        ("mql_to_sql_rate", mql_to_sql),
    ];
    if !options.by.is_empty() || options.touches.is_some() {
        let order: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
        entries.push(("campaigns", campaign_credit(&table, &outcome, options, stage_column, &order)?));
    }
    if let Some(costs) = &costs {
        let total: f64 = costs.iter().sum();
        let per = |n: Option<usize>| match n {
            Some(n) if n > 0 => Value::Number(total / n as f64),
            _ => Value::Null,
        };
        entries.push((
            "cost",
            Value::object(vec![
                ("total", Value::Number(total)),
                ("per_lead", per(Some(leads))),
                ("per_mql", per(mql)),
                ("per_sql", per(sql)),
                ("per_conversion", per(Some(converted))),
            ]),
        ));
    }
    Ok(Value::object(entries))
}

/// A campaign's leads under one touch model.
#[derive(Default)]
struct Credit {
    leads: usize,
    qualified: usize,
    mql: usize,
    sql: usize,
    converted: usize,
}

/// Name for leads without a campaign.
const NO_CAMPAIGN: &str = "(none)";

/// One table per `by` column, and a first-touch and a last-touch table from the `touches`
/// column's visitor states: per campaign, leads, qualified leads, leads reaching MQL and SQL,
/// conversions and, with a cost table, cost per lead and per qualified lead. Campaigns are
/// compared as the engine compares text (trimmed, ASCII case ignored); the first spelling seen is shown.
fn campaign_credit(table: &Table, outcome: &[bool], options: &FunnelOptions, stage_column: usize, order: &[String]) -> Result<Value, Errors> {
    let qualified_column = table.column(&options.qualified);
    let costs = match &options.costs {
        Some(text) => Some(read_cost_table(text)?),
        None => None,
    };
    // (table name, each row's campaign; None: no campaign)
    let mut sources: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for by in &options.by {
        let column = table.require_column(by, "options.by")?;
        let names = (0..table.rows.len()).map(|row| Some(table.cell(row, column).trim()).filter(|c| cell_key(c).is_some()).map(String::from)).collect();
        sources.push((by.clone(), names));
    }
    if let Some(name) = &options.touches {
        let read = touches::read_column(table, table.require_column(name, "options.touches")?)?;
        let (first, last) = read.into_iter().map(|t| t.map(|t| (Some(t.first), Some(t.last))).unwrap_or_default()).unzip();
        sources.push((format!("first touch ({name})"), first));
        sources.push((format!("last touch ({name})"), last));
    }
    let rank = |name: &str| order.iter().position(|s| s == name);
    let (mql, sql) = (order.iter().position(|s| s.eq_ignore_ascii_case("mql")), order.iter().position(|s| s.eq_ignore_ascii_case("sql")));
    let mut tables = Vec::new();
    for (by, names) in &sources {
        let mut credits: Vec<(String, String, Credit)> = Vec::new();
        for ((row, &converted), name) in outcome.iter().enumerate().zip(names) {
            let name = name.as_deref().unwrap_or(NO_CAMPAIGN);
            let key = cell_key(name).unwrap_or_else(|| NO_CAMPAIGN.to_string());
            let index = match credits.iter().position(|(k, _, _)| *k == key) {
                Some(i) => i,
                None => {
                    credits.push((key, name.to_string(), Credit::default()));
                    credits.len() - 1
                }
            };
            let Some((_, _, credit)) = credits.get_mut(index) else { continue };
            let stage = rank(table.cell(row, stage_column).trim());
            credit.leads += 1;
            credit.converted += usize::from(converted);
            credit.qualified += usize::from(qualified_column.is_some_and(|c| cell_key(table.cell(row, c)).as_deref() == Some("true")));
            credit.mql += usize::from(mql.is_some_and(|m| stage >= Some(m)));
            credit.sql += usize::from(sql.is_some_and(|s| stage >= Some(s)));
        }
        credits.sort_by(|a, b| b.2.leads.cmp(&a.2.leads).then_with(|| a.1.cmp(&b.1)));
        let rows = credits
            .iter()
            .map(|(key, name, c)| {
                let ratio = |a: usize, b: usize| if b > 0 { Value::Number(a as f64 / b as f64) } else { Value::Null };
                let mut entries = vec![
                    ("campaign", Value::from(name.as_str())),
                    ("leads", count(c.leads)),
                    ("qualified", if qualified_column.is_some() { count(c.qualified) } else { Value::Null }),
                    ("mql", count(c.mql)),
                    ("sql", count(c.sql)),
                    ("mql_to_sql_rate", ratio(c.sql, c.mql)),
                    ("converted", count(c.converted)),
                    ("conversion_rate", ratio(c.converted, c.leads)),
                ];
                if let Some(costs) = &costs {
                    let cost = costs.iter().find(|(k, _)| k == key).map(|(_, c)| *c);
                    let per = |n: usize| match cost {
                        Some(cost) if n > 0 => Value::Number(cost / n as f64),
                        _ => Value::Null,
                    };
                    entries.push(("cost", cost.map_or(Value::Null, Value::Number)));
                    entries.push(("cost_per_lead", per(c.leads)));
                    entries.push(("cost_per_qualified_lead", per(if qualified_column.is_some() { c.qualified } else { 0 })));
                }
                Value::object(entries)
            })
            .collect();
        tables.push(Value::object(vec![("by", Value::String(by.clone())), ("campaigns", Value::Array(rows))]));
    }
    Ok(Value::Array(tables))
}

/// A cost table: campaign, cost (the first two columns, a header row first). Costs of a
/// campaign listed twice add up.
fn read_cost_table(text: &str) -> Result<Vec<(String, f64)>, Errors> {
    let table = csv::parse(text).map_err(|e| Errors::single("options.costs", e.to_string()))?;
    if table.header.len() < 2 {
        return Err(Errors::single("options.costs", "the cost table needs two columns: campaign, cost"));
    }
    let costs = read_costs(&table, 1).map_err(|e| Errors::single("options.costs", e.to_string()))?;
    let mut out: Vec<(String, f64)> = Vec::new();
    for (row, cost) in costs.into_iter().enumerate() {
        let key = cell_key(table.cell(row, 0)).unwrap_or_else(|| NO_CAMPAIGN.to_string());
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 += cost,
            None => out.push((key, cost)),
        }
    }
    Ok(out)
}

fn count(n: usize) -> Value {
    Value::Number(n as f64)
}

/// Lowest stage first: by mean score when scores are there, else new, warm, mql, sql, then the
/// others in order of appearance.
fn order_stages(stages: &mut [StageRow], by_score: bool) {
    if by_score {
        stages.sort_by(|a, b| (a.score_sum / a.leads.max(1) as f64).total_cmp(&(b.score_sum / b.leads.max(1) as f64)));
    } else {
        let rank = |s: &StageRow| KNOWN_ORDER.iter().position(|k| s.name.eq_ignore_ascii_case(k)).unwrap_or(KNOWN_ORDER.len());
        stages.sort_by_key(rank);
    }
}

/// The cost of each row; empty is 0, anything else that is not a number is an error naming the row.
fn read_costs(table: &Table, column: usize) -> Result<Vec<f64>, Errors> {
    let name = table.header.get(column).cloned().unwrap_or_default();
    let mut errors = Errors::default();
    let mut bad = 0usize;
    let costs = (0..table.rows.len())
        .map(|row| {
            let cell = table.cell(row, column);
            match (cell_key(cell), cell_number(cell.trim().trim_start_matches(['$', '€', '£']))) {
                (None, _) => 0.0,
                (Some(_), Some(n)) => n,
                (Some(_), None) => {
                    bad += 1;
                    if bad <= MAX_LISTED {
                        errors.push("csv", format!("{}: \"{name}\" is \"{}\", not a number", table.row_name(row), cell.trim()));
                    }
                    0.0
                }
            }
        })
        .collect();
    if bad > MAX_LISTED {
        errors.push("csv", format!("and {} more rows whose cost is not a number", bad - MAX_LISTED));
    }
    errors.into_result(costs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn as_json(value: &Value) -> serde_json::Value {
        serde_json::to_value(value).unwrap()
    }

    const SCORED: &str = "id,score,stage,Converted,Cost\n\
        1,10,new,0,5\n2,15,new,0,5\n3,22,warm,1,5\n4,30,warm,0,5\n\
        5,55,mql,1,10\n6,60,mql,0,10\n7,85,sql,1,10\n8,90,sql,1,$10\n";

    #[test]
    fn conversion_per_stage_mql_to_sql_and_cost() {
        let mut options = FunnelOptions::new("Converted");
        options.cost = Some("Cost".into());
        let report = as_json(&funnel(SCORED, &options).unwrap());
        assert_eq!(report["leads"], json!(8.0));
        assert_eq!(report["conversion_rate"], json!(0.5));
        let stages = report["stages"].as_array().unwrap();
        let names: Vec<&str> = stages.iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert_eq!(names, ["new", "warm", "mql", "sql"]);
        assert_eq!(stages[2]["conversion_rate"], json!(0.5));
        assert_eq!(stages[2]["reached"], json!(4.0));
        assert_eq!(stages[3]["conversion_rate"], json!(1.0));
        assert_eq!(report["mql_to_sql_rate"], json!(0.5));
        assert_eq!(report["cost"]["total"], json!(60.0));
        assert_eq!(report["cost"]["per_lead"], json!(7.5));
        assert_eq!(report["cost"]["per_mql"], json!(15.0));
        assert_eq!(report["cost"]["per_sql"], json!(30.0));
        assert_eq!(report["cost"]["per_conversion"], json!(15.0));
    }

    #[test]
    fn bad_outcomes_and_costs_are_named() {
        let options = FunnelOptions::new("Converted");
        let e = funnel("stage,Converted\nnew,maybe\nmql,\n", &options).unwrap_err().to_string();
        assert!(e.contains("row 2: \"Converted\" is \"maybe\"; expected 1/0"), "{e}");
        assert!(e.contains("row 3: \"Converted\" is empty"), "{e}");
        let mut options = FunnelOptions::new("Converted");
        options.cost = Some("Cost".into());
        let e = funnel("stage,Converted,Cost\nnew,1,ten\n", &options).unwrap_err().to_string();
        assert!(e.contains("row 2: \"Cost\" is \"ten\", not a number"), "{e}");
        let e = funnel("Converted\n1\n", &options).unwrap_err().to_string();
        assert!(e.starts_with("options.stage: no column \"stage\""), "{e}");
    }

    #[test]
    fn campaigns_get_credit_for_leads_qualified_leads_and_cost() {
        let scored = "id,score,stage,qualified,Converted,First Campaign,Last Campaign\n\
            1,10,new,false,0,spring,webinar\n2,55,mql,true,0,Spring,webinar\n3,85,sql,true,1,spring,\n\
            4,20,warm,false,0,brand,spring\n5,90,sql,true,1,,spring\n";
        let mut options = FunnelOptions::new("Converted");
        options.by = vec!["First Campaign".into(), "Last Campaign".into()];
        options.costs = Some("campaign;cost\nspring;300\nbrand;50\nSPRING;30\n".into());
        let report = as_json(&funnel(scored, &options).unwrap());
        let first = &report["campaigns"][0];
        assert_eq!(first["by"], "First Campaign");
        let spring = &first["campaigns"][0];
        assert_eq!(spring["campaign"], "spring");
        assert_eq!((spring["leads"].as_f64(), spring["qualified"].as_f64(), spring["mql"].as_f64(), spring["sql"].as_f64()), (Some(3.0), Some(2.0), Some(2.0), Some(1.0)));
        assert_eq!(spring["mql_to_sql_rate"], json!(0.5));
        assert_eq!(spring["cost"], json!(330.0));
        assert_eq!(spring["cost_per_lead"], json!(110.0));
        assert_eq!(spring["cost_per_qualified_lead"], json!(165.0));
        let none = first["campaigns"].as_array().unwrap().iter().find(|c| c["campaign"] == "(none)").unwrap();
        assert_eq!(none["cost"], json!(null));
        let last = &report["campaigns"][1]["campaigns"];
        assert_eq!(last[0]["campaign"], "spring");
        assert_eq!(last[0]["converted"], json!(1.0));
        assert_eq!(last[0]["cost_per_qualified_lead"], json!(330.0));
        options.by = vec!["Campaign".into()];
        let e = funnel(scored, &options).unwrap_err().to_string();
        assert!(e.starts_with("options.by: no column \"Campaign\""), "{e}");
    }

    /// A visitor state as the `leadscore_state` form field carries it, quoted as a CSV cell.
    fn state_cell(visits: &[crate::state::TimedEvent]) -> String {
        let mut state = crate::state::VisitorState::default();
        for event in visits {
            state.ingest(event);
        }
        format!("\"{}\"", crate::json::write(&state.to_value()).replace('"', "\"\""))
    }

    #[test]
    fn first_and_last_touch_come_from_the_visitor_state() {
        use crate::calibrate::touches::tests::visit;
        let spring = Some(["google", "cpc", "spring"]);
        let news = Some(["newsletter", "email", "nov"]);
        let rows = [
            ("1", "new", "false", "0", state_cell(&[visit(0, None, spring), visit(90, None, news)])),
            ("2", "sql", "true", "1", state_cell(&[visit(0, None, spring), visit(90, None, news)])),
            ("3", "mql", "true", "0", state_cell(&[visit(0, Some("blog.example"), None), visit(10, Some("google.com"), spring)])),
            ("4", "sql", "true", "1", state_cell(&[visit(0, None, news)])),
            ("5", "new", "false", "0", state_cell(&[])),
            ("6", "warm", "false", "0", String::new()),
        ];
        let mut scored = String::from("id,stage,qualified,Converted,leadscore_state\n");
        for (id, stage, qualified, converted, state) in &rows {
            scored.push_str(&format!("{id},{stage},{qualified},{converted},{state}\n"));
        }
        let mut options = FunnelOptions::new("Converted");
        options.touches = Some("leadscore_state".into());
        options.costs = Some("campaign,cost\nspring,400\nnov,90\n".into());
        let report = as_json(&funnel(&scored, &options).unwrap());
        let table = |i: usize| report["campaigns"][i].clone();
        let row = |i: usize, name: &str| table(i)["campaigns"].as_array().unwrap().iter().find(|c| c["campaign"] == name).cloned().unwrap();
        assert_eq!(table(0)["by"], "first touch (leadscore_state)");
        assert_eq!(table(1)["by"], "last touch (leadscore_state)");
        let first_spring = row(0, "spring");
        assert_eq!((first_spring["leads"].as_f64(), first_spring["qualified"].as_f64(), first_spring["sql"].as_f64()), (Some(2.0), Some(1.0), Some(1.0)));
        assert_eq!(first_spring["cost_per_lead"], json!(200.0));
        assert_eq!(first_spring["cost_per_qualified_lead"], json!(400.0));
        assert_eq!(row(0, "referral: blog.example")["leads"], json!(1.0));
        assert_eq!(row(0, "nov")["cost_per_qualified_lead"], json!(90.0));
        assert_eq!(row(0, "(direct)")["leads"], json!(1.0), "a state without campaigns or referrers");
        assert_eq!(row(0, "(none)")["leads"], json!(1.0), "no state at all");
        // Last touch: the newsletter brought leads 1, 2 and 4 back; spring only lead 3.
        let last_nov = row(1, "nov");
        assert_eq!((last_nov["leads"].as_f64(), last_nov["qualified"].as_f64()), (Some(3.0), Some(2.0)));
        assert_eq!(last_nov["cost_per_qualified_lead"], json!(45.0));
        assert_eq!(row(1, "spring")["cost_per_qualified_lead"], json!(400.0));

        let broken = "id,stage,Converted,leadscore_state\n1,new,0,{\"v\":1}\n2,new,0,not json\n";
        let e = funnel(broken, &options).unwrap_err().to_string();
        assert!(e.contains("row 2: \"leadscore_state\" is not a visitor state (state.first: required)"), "{e}");
        assert!(e.contains("row 3: \"leadscore_state\" is not a visitor state (not JSON)"), "{e}");
        options.touches = Some("state".into());
        let e = funnel(&scored, &options).unwrap_err().to_string();
        assert!(e.starts_with("options.touches: no column \"state\""), "{e}");
    }

    #[test]
    fn known_stage_order_without_scores() {
        let report = as_json(&funnel("stage,Converted\nsql,1\nnew,0\nmql,1\n", &FunnelOptions::new("Converted")).unwrap());
        let names: Vec<&str> = report["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert_eq!(names, ["new", "mql", "sql"]);
        assert!(report.get("cost").is_none());
    }
}
