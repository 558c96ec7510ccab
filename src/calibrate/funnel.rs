//! Funnel metrics from a CSV of scored leads with their outcomes (e.g. `leadscore score --keep
//! Converted` joined later with what sales recorded): how many leads reach each stage, how often
//! each stage converts, MQL→SQL, and cost per lead, per MQL, per SQL and per conversion.

use super::columns::{cell_key, cell_number, outcome_of_key, read_outcome};
use super::options::FunnelOptions;
use super::stream::{RowStream, StreamOptions, Streamed};
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

/// A campaign's leads under one touch model, per stage they reached (the stages' order, which
/// says what reaching MQL means, is only known at the end: by mean score).
struct CampaignRow {
    /// Compared as the engine compares text; `name` is the first spelling seen.
    key: String,
    name: String,
    /// (stage, leads, qualified, converted)
    by_stage: Vec<(String, usize, usize, usize)>,
}

/// What `funnel` counts, one row at a time: memory grows with the stages and campaigns, not
/// the rows, so a file of any size can be streamed through it.
#[derive(Default)]
struct Tally {
    leads: usize,
    converted: usize,
    cost: f64,
    stages: Vec<StageRow>,
    /// One list per `by` column, then (with `touches`) one for the first touch and one for the last.
    campaigns: Vec<Vec<CampaignRow>>,
}

/// One row as the funnel reads it.
struct FunnelRow<'a> {
    converted: bool,
    stage: &'a str,
    score: Option<f64>,
    cost: f64,
    qualified: bool,
}

impl Tally {
    fn new(by: usize) -> Tally {
        Tally { campaigns: (0..by).map(|_| Vec::new()).collect(), ..Tally::default() }
    }

    /// Counts one row; `campaigns` are its cells of the `by` columns, in order.
    fn add<'a>(&mut self, row: &FunnelRow, campaigns: impl Iterator<Item = &'a str>) {
        let stage_name = row.stage.trim();
        self.leads += 1;
        self.converted += usize::from(row.converted);
        self.cost += row.cost;
        let index = match self.stages.iter().position(|s| s.name == stage_name) {
            Some(i) => i,
            None => {
                self.stages.push(StageRow {
                    name: stage_name.to_string(),
                    leads: 0,
                    converted: 0,
                    score_sum: 0.0,
                    cost: 0.0,
                });
                self.stages.len() - 1
            }
        };
        if let Some(stage) = self.stages.get_mut(index) {
            stage.leads += 1;
            stage.converted += usize::from(row.converted);
            stage.score_sum += row.score.unwrap_or(0.0);
            stage.cost += row.cost;
        }
        for (credits, cell) in self.campaigns.iter_mut().zip(campaigns) {
            let cell = cell.trim();
            let key = cell_key(cell).unwrap_or_else(|| NO_CAMPAIGN.to_string());
            let index = match credits.iter().position(|c| c.key == key) {
                Some(i) => i,
                None => {
                    let name = if cell.is_empty() { NO_CAMPAIGN.to_string() } else { cell.to_string() };
                    credits.push(CampaignRow { key, name, by_stage: Vec::new() });
                    credits.len() - 1
                }
            };
            let Some(credit) = credits.get_mut(index) else { continue };
            let at = match credit.by_stage.iter().position(|(s, ..)| s == stage_name) {
                Some(i) => i,
                None => {
                    credit.by_stage.push((stage_name.to_string(), 0, 0, 0));
                    credit.by_stage.len() - 1
                }
            };
            if let Some((_, leads, qualified, converted)) = credit.by_stage.get_mut(at) {
                *leads += 1;
                *qualified += usize::from(row.qualified);
                *converted += usize::from(row.converted);
            }
        }
    }

    /// The report. `by_score`: stages are ordered by mean score; `with_cost`: a cost column was
    /// read; `with_qualified`: the `qualified` column was there.
    fn report(
        mut self,
        options: &FunnelOptions,
        by_score: bool,
        with_cost: bool,
        with_qualified: bool,
    ) -> Result<Value, Errors> {
        order_stages(&mut self.stages, by_score);
        let stages = &self.stages;
        let (leads, converted) = (self.leads, self.converted);
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
            if with_cost {
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
            entries.push((
                "campaigns",
                campaign_credit(std::mem::take(&mut self.campaigns), options, &order, with_qualified)?,
            ));
        }
        if with_cost {
            let total = self.cost;
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
}

pub fn funnel(text: &str, options: &FunnelOptions) -> Result<Value, Errors> {
    let table = csv::parse(text)?;
    let outcome = read_outcome(&table, table.require_column(&options.label, "options.label")?)?;
    let stage_column = table.require_column(&options.stage, "options.stage")?;
    let score_column = table.column(&options.score);
    let qualified_column = table.column(&options.qualified);
    let costs = match &options.cost {
        Some(name) => Some(read_costs(&table, table.require_column(name, "options.cost")?)?),
        None => None,
    };
    let by: Vec<usize> =
        options.by.iter().map(|name| table.require_column(name, "options.by")).collect::<Result<_, _>>()?;
    let touched = match &options.touches {
        Some(name) => Some(touches::read_column(&table, table.require_column(name, "options.touches")?)?),
        None => None,
    };
    let mut tally = Tally::new(campaign_tables(options));
    for (row, &converted) in outcome.iter().enumerate() {
        let funnel_row = FunnelRow {
            converted,
            stage: table.cell(row, stage_column),
            score: score_column.and_then(|c| cell_number(table.cell(row, c))),
            cost: costs.as_ref().and_then(|c| c.get(row)).copied().unwrap_or(0.0),
            qualified: qualified_column.is_some_and(|c| is_qualified(table.cell(row, c))),
        };
        let touch = touched.as_ref().map(|t| t.get(row).and_then(Option::as_ref));
        tally.add(&funnel_row, by.iter().map(|&c| table.cell(row, c)).chain(touch_names(touch)));
    }
    tally.report(options, score_column.is_some(), costs.is_some(), qualified_column.is_some())
}

/// How many campaign tables the options ask for: one per `by` column, two with `touches`.
fn campaign_tables(options: &FunnelOptions) -> usize {
    options.by.len() + if options.touches.is_some() { 2 } else { 0 }
}

/// The first-touch and last-touch campaigns of a row: nothing without `touches`; "(none)" twice for a row
/// without a state. An array, not a Vec: the streamed funnel calls this for every row.
fn touch_names(touch: Option<Option<&touches::Touches>>) -> impl Iterator<Item = &str> {
    let names = match touch {
        None => None,
        Some(Some(t)) => Some([t.first.as_str(), t.last.as_str()]),
        Some(None) => Some([NO_CAMPAIGN, NO_CAMPAIGN]),
    };
    names.into_iter().flatten()
}

fn is_qualified(cell: &str) -> bool {
    cell_key(cell).as_deref() == Some("true")
}

/// Name for leads without a campaign.
const NO_CAMPAIGN: &str = "(none)";

/// One table per `by` column, and a first-touch and a last-touch table from the `touches`
/// column's visitor states: per campaign, leads, qualified leads, leads reaching MQL and SQL,
/// conversions and, with a cost table, cost per lead and per qualified lead. Campaigns are
/// compared as the engine compares text (trimmed, ASCII case ignored); the first spelling seen is shown.
fn campaign_credit(
    campaigns: Vec<Vec<CampaignRow>>,
    options: &FunnelOptions,
    order: &[String],
    with_qualified: bool,
) -> Result<Value, Errors> {
    let costs = match &options.costs {
        Some(text) => Some(read_cost_table(text)?),
        None => None,
    };
    let rank = |name: &str| order.iter().position(|s| s == name);
    let (mql, sql) = (
        order.iter().position(|s| s.eq_ignore_ascii_case("mql")),
        order.iter().position(|s| s.eq_ignore_ascii_case("sql")),
    );
    let mut tables = Vec::new();
    let mut names: Vec<String> = options.by.clone();
    if let Some(name) = &options.touches {
        names.push(format!("first touch ({name})"));
        names.push(format!("last touch ({name})"));
    }
    for (by, credits) in names.iter().zip(campaigns) {
        let mut credits: Vec<(String, String, Credit)> = credits
            .into_iter()
            .map(|campaign| {
                let mut credit = Credit::default();
                for (stage, leads, qualified, converted) in &campaign.by_stage {
                    let stage = rank(stage);
                    credit.leads += leads;
                    credit.qualified += qualified;
                    credit.converted += converted;
                    credit.mql += if mql.is_some_and(|m| stage >= Some(m)) { *leads } else { 0 };
                    credit.sql += if sql.is_some_and(|s| stage >= Some(s)) { *leads } else { 0 };
                }
                (campaign.key, campaign.name, credit)
            })
            .collect();
        credits.sort_by(|a, b| b.2.leads.cmp(&a.2.leads).then_with(|| a.1.cmp(&b.1)));
        let rows = credits
            .iter()
            .map(|(key, name, c)| {
                let ratio = |a: usize, b: usize| if b > 0 { Value::Number(a as f64 / b as f64) } else { Value::Null };
                let mut entries = vec![
                    ("campaign", Value::from(name.as_str())),
                    ("leads", count(c.leads)),
                    ("qualified", if with_qualified { count(c.qualified) } else { Value::Null }),
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
                    entries.push(("cost_per_qualified_lead", per(if with_qualified { c.qualified } else { 0 })));
                }
                Value::object(entries)
            })
            .collect();
        tables.push(Value::object(vec![("by", Value::from(by.as_str())), ("campaigns", Value::Array(rows))]));
    }
    Ok(Value::Array(tables))
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
        let rank =
            |s: &StageRow| KNOWN_ORDER.iter().position(|k| s.name.eq_ignore_ascii_case(k)).unwrap_or(KNOWN_ORDER.len());
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
            cost_of(cell).unwrap_or_else(|| {
                bad += 1;
                if bad <= MAX_LISTED {
                    errors.push("csv", format!("{}: {}", table.row_name(row), not_a_cost(&name, cell)));
                }
                0.0
            })
        })
        .collect();
    if bad > MAX_LISTED {
        errors.push("csv", format!("and {} more rows whose cost is not a number", bad - MAX_LISTED));
    }
    errors.into_result(costs)
}

/// A cost cell: empty is 0, else a number (a currency sign before it is allowed); None otherwise.
fn cost_of(cell: &str) -> Option<f64> {
    match cell_key(cell) {
        None => Some(0.0),
        Some(_) => cell_number(cell.trim().trim_start_matches(['$', '€', '£'])),
    }
}

fn not_a_cost(column: &str, cell: &str) -> String {
    format!("\"{column}\" is \"{}\", not a number", cell.trim())
}

/// `funnel` over a file of any size: chunks are pushed as they are read, each row counted as it
/// comes (memory: the stages and campaigns, not the rows); `report()` at the end. A row whose
/// outcome is not yes/no or whose cost is not a number is skipped and listed, or ends the run.
pub struct FunnelStream {
    rows: RowStream,
    options: FunnelOptions,
    plan: Option<FunnelPlan>,
    tally: Tally,
}

/// Where the funnel's columns are in the header.
struct FunnelPlan {
    label: usize,
    stage: usize,
    score: Option<usize>,
    cost: Option<usize>,
    qualified: Option<usize>,
    by: Vec<usize>,
    touches: Option<usize>,
}

impl FunnelStream {
    pub fn new(options: FunnelOptions, read: &StreamOptions) -> Result<FunnelStream, Errors> {
        // A bad cost table fails before the file is read.
        if let Some(text) = &options.costs {
            read_cost_table(text)?;
        }
        let tally = Tally::new(campaign_tables(&options));
        Ok(FunnelStream { rows: RowStream::new(read), options, plan: None, tally })
    }

    /// `{ rows, bad, errors: [messages] }`
    pub fn summary(&self) -> Value {
        self.rows.summary(Vec::new())
    }

    /// The report, as `funnel` gives it, of every row pushed (after `finish`).
    pub fn report(&mut self) -> Result<Value, Errors> {
        self.rows.check_header()?;
        let Some(plan) = &self.plan else { return Err(Errors::single("csv", "the file has no rows")) };
        let (by_score, with_cost, with_qualified) =
            (plan.score.is_some(), plan.cost.is_some(), plan.qualified.is_some());
        std::mem::take(&mut self.tally).report(&self.options, by_score, with_cost, with_qualified)
    }

    fn plan_header(&self) -> Result<FunnelPlan, Errors> {
        let rows = &self.rows;
        let options = &self.options;
        Ok(FunnelPlan {
            label: rows.require_column(&options.label, "options.label")?,
            stage: rows.require_column(&options.stage, "options.stage")?,
            score: rows.column(&options.score),
            cost: options.cost.as_deref().map(|name| rows.require_column(name, "options.cost")).transpose()?,
            qualified: rows.column(&options.qualified),
            by: options.by.iter().map(|name| rows.require_column(name, "options.by")).collect::<Result<_, _>>()?,
            touches: options.touches.as_deref().map(|name| rows.require_column(name, "options.touches")).transpose()?,
        })
    }
}

impl Streamed for FunnelStream {
    fn rows(&mut self) -> &mut RowStream {
        &mut self.rows
    }

    fn drain(&mut self) -> Result<Vec<u8>, Errors> {
        while let Some(data) = self.rows.next_row()? {
            if !data {
                self.plan = Some(self.plan_header()?);
                continue;
            }
            let Some(plan) = &self.plan else { continue };
            let record = &self.rows.record;
            let label = record.cell(plan.label);
            let Some(converted) = cell_key(label).as_deref().and_then(outcome_of_key) else {
                let message = format!(
                    "line {}: \"{}\" is \"{}\"; expected 1/0, yes/no or true/false",
                    record.line,
                    self.options.label,
                    label.trim()
                );
                self.rows.reject(&message, false)?;
                continue;
            };
            let cost = match plan.cost.map(|c| (c, record.cell(c))) {
                None => 0.0,
                Some((c, cell)) => match cost_of(cell) {
                    Some(cost) => cost,
                    None => {
                        let column = self.rows.header.get(c).cloned().unwrap_or_default();
                        let message = format!("line {}: {}", record.line, not_a_cost(&column, cell));
                        self.rows.reject(&message, false)?;
                        continue;
                    }
                },
            };
            let touch = match plan.touches.map(|c| record.cell(c)) {
                None => None,
                Some(cell) => match touches::of_cell(cell) {
                    Ok(touch) => Some(touch),
                    Err(why) => {
                        let column = self.options.touches.as_deref().unwrap_or_default();
                        let message = format!("line {}: \"{column}\" is not a visitor state ({why})", record.line);
                        self.rows.reject(&message, false)?;
                        continue;
                    }
                },
            };
            let row = FunnelRow {
                converted,
                stage: record.cell(plan.stage),
                score: plan.score.and_then(|c| cell_number(record.cell(c))),
                cost,
                qualified: plan.qualified.is_some_and(|c| is_qualified(record.cell(c))),
            };
            self.tally.add(
                &row,
                plan.by.iter().map(|&c| record.cell(c)).chain(touch_names(touch.as_ref().map(Option::as_ref))),
            );
        }
        Ok(Vec::new())
    }
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
        assert_eq!(
            (spring["leads"].as_f64(), spring["qualified"].as_f64(), spring["mql"].as_f64(), spring["sql"].as_f64()),
            (Some(3.0), Some(2.0), Some(2.0), Some(1.0))
        );
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

    #[test]
    fn streamed_funnel_equals_the_in_memory_one_and_skips_bad_rows_by_line() {
        let mut text = String::from("id,score,stage,qualified,Converted,Cost,First Campaign\n");
        let stages = [("new", 10), ("warm", 30), ("mql", 60), ("sql", 90)];
        let campaigns = ["spring", "Spring ", "brand", ""];
        for i in 0..3000 {
            let (stage, score) = stages[(i * 7 + i / 13) % 4];
            text.push_str(&format!(
                "L{i},{score},{stage},{},{},{}.5,{}\n",
                i % 3 == 0,
                (i * 5 + i / 11) % 2,
                i % 9,
                campaigns[i % 4]
            ));
        }
        let mut options = FunnelOptions::new("Converted");
        options.cost = Some("Cost".into());
        options.by = vec!["First Campaign".into()];
        options.costs = Some("campaign,cost\nspring,300\nbrand,50\n".into());
        let whole = as_json(&funnel(&text, &options).unwrap());
        for chunk in [5, 4096, 1 << 20] {
            let mut stream = FunnelStream::new(options.clone(), &StreamOptions::default()).unwrap();
            for piece in text.as_bytes().chunks(chunk) {
                assert!(stream.push(piece).unwrap().is_empty());
            }
            stream.finish().unwrap();
            assert_eq!(as_json(&stream.report().unwrap()), whole, "chunks of {chunk}");
        }
        let bad = format!("{}L1,10,new,false,maybe,1,x\nL2,10,new,false,1,ten,x\n", text);
        let mut stream = FunnelStream::new(options.clone(), &StreamOptions::default()).unwrap();
        stream.push(bad.as_bytes()).unwrap();
        stream.finish().unwrap();
        let summary = as_json(&stream.summary());
        assert_eq!(summary["bad"], json!(2.0));
        assert_eq!(summary["errors"][0], "line 3002: \"Converted\" is \"maybe\"; expected 1/0, yes/no or true/false");
        assert_eq!(summary["errors"][1], "line 3003: \"Cost\" is \"ten\", not a number");
        assert_eq!(as_json(&stream.report().unwrap()), whole);
        let fail = StreamOptions { fail_on_error: true, ..StreamOptions::default() };
        let mut stream = FunnelStream::new(options, &fail).unwrap();
        assert!(stream.push(bad.as_bytes()).unwrap_err().to_string().contains("line 3002"));
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
            (
                "3",
                "mql",
                "true",
                "0",
                state_cell(&[visit(0, Some("blog.example"), None), visit(10, Some("google.com"), spring)]),
            ),
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
        let row = |i: usize, name: &str| {
            table(i)["campaigns"].as_array().unwrap().iter().find(|c| c["campaign"] == name).cloned().unwrap()
        };
        assert_eq!(table(0)["by"], "first touch (leadscore_state)");
        assert_eq!(table(1)["by"], "last touch (leadscore_state)");
        let first_spring = row(0, "spring");
        assert_eq!(
            (first_spring["leads"].as_f64(), first_spring["qualified"].as_f64(), first_spring["sql"].as_f64()),
            (Some(2.0), Some(1.0), Some(1.0))
        );
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

        // Streamed (the CLI): the same tables; a cell that is not a state is a bad row, listed by line.
        let mut stream = FunnelStream::new(options.clone(), &StreamOptions::default()).unwrap();
        stream.push(format!("{scored}7,new,false,0,not json\n").as_bytes()).unwrap();
        stream.finish().unwrap();
        assert_eq!(as_json(&stream.report().unwrap()), report);
        let summary = as_json(&stream.summary());
        assert_eq!(summary["bad"], json!(1.0));
        assert_eq!(summary["errors"][0], "line 8: \"leadscore_state\" is not a visitor state (not JSON)");

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
        let report =
            as_json(&funnel("stage,Converted\nsql,1\nnew,0\nmql,1\n", &FunnelOptions::new("Converted")).unwrap());
        let names: Vec<&str> =
            report["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
        assert_eq!(names, ["new", "mql", "sql"]);
        assert!(report.get("cost").is_none());
    }
}
