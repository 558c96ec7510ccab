//! First-touch and last-touch attribution from the visitor state a lead carries: the JSON of the
//! tag's `exportState()`, which the `leadscore_state` form field brings into a CRM export.
//!
//! The state keeps, per UTM campaign (`source|medium|campaign`) and per referring host, when it
//! was seen (the first touch is never dropped to make room). The first
//! touch is the campaign or referrer seen earliest, the last touch the one seen latest; a UTM
//! campaign wins over the referrer of the same visit, since the tag records both for one page view.

use super::funnel::MAX_LISTED;
use crate::csv::Table;
use crate::error::Errors;
use crate::state::{Tally, VisitorState};

/// Credited to a lead whose state has no campaign and no referrer.
pub const DIRECT: &str = "(direct)";

/// What one state credits under each touch model.
#[derive(Debug, Clone, PartialEq)]
pub struct Touches {
    pub first: String,
    pub last: String,
}

/// The credited name of a campaign key: the UTM campaign, or `source / medium` when the link
/// named none (cost tables list campaigns by that name).
fn campaign_name(key: &str) -> String {
    let mut parts = key.splitn(3, '|');
    let (source, medium, campaign) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !campaign.is_empty() {
        return campaign.to_string();
    }
    [source, medium].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" / ")
}

/// The earliest time a key was seen (kept exactly: see `Tally::older_first`).
fn first_seen(tally: &Tally) -> i64 {
    tally.occurrences().map(|o| o.earliest).min().unwrap_or(0)
}

pub fn touches(state: &VisitorState) -> Touches {
    // (time, UTM before referrer at the same time, name)
    let seen = |list: &[Tally], rank: u8, name: &dyn Fn(&str) -> String, at: fn(&Tally) -> i64| {
        list.iter().filter(|t| t.n > 0).map(move |t| (at(t), rank, name(&t.key))).collect::<Vec<_>>()
    };
    let referral = |host: &str| format!("referral: {host}");
    let mut firsts = seen(&state.campaigns, 0, &campaign_name, first_seen);
    firsts.extend(seen(&state.referrers, 1, &referral, first_seen));
    let mut lasts = seen(&state.campaigns, 0, &campaign_name, Tally::last);
    lasts.extend(seen(&state.referrers, 1, &referral, Tally::last));
    let first = firsts.into_iter().min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1))).map(|t| t.2);
    let last = lasts.into_iter().min_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1))).map(|t| t.2);
    Touches { first: first.unwrap_or_else(|| DIRECT.into()), last: last.unwrap_or_else(|| DIRECT.into()) }
}

/// The touches of one state cell: None when it is empty (no state was kept), or why it is not a state.
pub fn of_cell(cell: &str) -> Result<Option<Touches>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    let value = crate::json::parse(cell).ok_or_else(|| "not JSON".to_string())?;
    let state = VisitorState::from_value(&value).map_err(|e| e.to_string())?;
    Ok(Some(touches(&state)))
}

/// The touches of every row of a state column; an empty cell is None (no state was kept). A
/// cell that is not a visitor state is an error naming the row, the column and the field.
pub fn read_column(table: &Table, column: usize) -> Result<Vec<Option<Touches>>, Errors> {
    let name = table.header.get(column).cloned().unwrap_or_default();
    let mut errors = Errors::default();
    let mut bad = 0usize;
    let mut out = Vec::with_capacity(table.rows.len());
    for row in 0..table.rows.len() {
        match of_cell(table.cell(row, column)) {
            Ok(touch) => out.push(touch),
            Err(why) => {
                bad += 1;
                if bad <= MAX_LISTED {
                    errors.push("csv", format!("{}: \"{name}\" is not a visitor state ({why})", table.row_name(row)));
                }
                out.push(None);
            }
        }
    }
    if bad > MAX_LISTED {
        errors.push("csv", format!("and {} more rows whose \"{name}\" is not a visitor state", bad - MAX_LISTED));
    }
    errors.into_result(out)
}

#[cfg(test)]
pub(crate) mod tests {

    use super::*;
    use crate::state::{Event, TimedEvent};

    /// A page view `minute` minutes into the visitor's history.
    pub(crate) fn visit(minute: i64, referrer: Option<&str>, utm: Option<[&str; 3]>) -> TimedEvent {
        TimedEvent {
            ts: 1_800_000_000_000 + minute * 60_000,
            id: None,
            event: Event::PageView {
                path: "/".into(),
                referrer_host: referrer.map(Into::into),
                utm: utm.map(|u| u.map(String::from)),
            },
        }
    }

    #[test]
    fn first_and_last_touch_with_utm_before_the_referrer_of_the_same_visit() {
        let mut state = VisitorState::default();
        assert_eq!(touches(&state), Touches { first: DIRECT.into(), last: DIRECT.into() });
        state.ingest(&visit(0, Some("news.example"), None));
        state.ingest(&visit(60, Some("google.com"), Some(["google", "cpc", "spring"])));
        state.ingest(&visit(120, None, Some(["newsletter", "email", ""])));
        state.ingest(&visit(180, None, Some(["google", "cpc", "spring"])));
        assert_eq!(touches(&state), Touches { first: "referral: news.example".into(), last: "spring".into() });
        let mut state = VisitorState::default();
        state.ingest(&visit(0, Some("google.com"), Some(["google", "cpc", "brand"])));
        state.ingest(&visit(5, None, Some(["newsletter", "email", ""])));
        assert_eq!(touches(&state), Touches { first: "brand".into(), last: "newsletter / email".into() });
    }
}
