//! Scoring: a model applied to a visitor state at a given time gives a score card whose
//! breakdown adds up exactly to the total (all arithmetic in whole hundredths of a point).

use std::borrow::Cow;

use crate::free_domains::is_free_domain;
use crate::model::{Condition, Decay, Model, Occurrence, Rule, Scalar, ScoreKind, StateCondition, TraitTest};
use crate::read::{concat, fmt_centi, parse_decimal};
use crate::state::{Occurrences, Tally, VisitorState};
use crate::url::file_type;

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The rule id, or an adjustment: `group:<id>`, `cap:fit`, `cap:engagement`, `scale:max`, `scale:min`.
    pub rule: String,
    pub label: String,
    /// "fit", "engagement", or "total" for scale adjustments.
    pub score: &'static str,
    pub points: i64,
    /// Points before decay.
    pub base: i64,
    pub count: u32,
    pub counted: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreCard {
    pub model: String,
    pub model_version: Option<String>,
    pub fit: i64,
    pub engagement: i64,
    pub total: i64,
    pub grade: String,
    pub stage: String,
    pub qualified: bool,
    pub reasons: Vec<String>,
    pub disqualified_by: Vec<String>,
    pub next_step: Option<String>,
    pub scored_at: i64,
    pub breakdown: Vec<Line>,
    /// Expected value and tier, when the model has a `value` section.
    pub value: Option<crate::value_tiers::LeadValue>,
}

/// The numbers a score card is made of, without its text: what `summarize` returns, and what
/// `score` computes on the way to the card (the same code, so the two always agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub fit: i64,
    pub engagement: i64,
    pub total: i64,
    /// Index in `model.stages` of the stage reached.
    pub stage: usize,
    pub qualified: bool,
}

/// What one rule contributed before groups, caps and the scale: nothing when it did not fire.
struct Fired {
    points: i64,
    base: i64,
    count: u32,
    counted: u32,
}

/// A correction a group limit, a cap or the scale makes to the sum of the fired rules.
enum Adjustment {
    Group { group: usize, kind: ScoreKind, points: i64 },
    Cap { kind: ScoreKind, points: i64 },
    ScaleMin(i64),
    ScaleMax(i64),
}

/// One test of the qualification gate, in the order the card lists them.
enum Reason {
    /// `at` is the stage reached, `need` the one `qualify.stage` names.
    Stage {
        at: usize,
        need: usize,
    },
    Minimum {
        what: &'static str,
        value: i64,
        min: i64,
    },
    Rule {
        rule: usize,
        fired: bool,
    },
    Disqualified {
        rule: usize,
    },
}

/// The callbacks `settle` reports to, as `dyn`: `summarize` and, in the npm package, `score` pass
/// these, so they share one copy of `settle` (the per-row `settle_fired` keeps its direct calls).
type Adjust<'a> = &'a mut dyn FnMut(Adjustment);
type Report<'a> = &'a mut dyn FnMut(Reason);

/// Fit, engagement, total, stage and qualification without the breakdown, grade, reasons or any
/// other text: every rule of the model evaluated against the state, exactly as `score` does.
pub fn summarize(model: &Model, state: &VisitorState, now: i64) -> Summary {
    let (adjust, reason): (Adjust, Report) = (&mut |_| {}, &mut |_| {});
    settle(model, points_of(&fire(model, state, now)), adjust, reason)
}

pub fn score(model: &Model, state: &VisitorState, now: i64) -> ScoreCard {
    let fired = fire(model, state, now);
    let rule_id = |r: usize| model.rules.get(r).map(|x| x.id.as_str()).unwrap_or_default();
    let stage_name = |s: usize| model.stages.get(s).map(|x| x.name.as_str()).unwrap_or_default();
    let mut lines: Vec<Line> = Vec::with_capacity(fired.len() + 4);
    for (r, f) in &fired {
        let Some(rule) = model.rules.get(*r) else { continue };
        lines.push(Line {
            rule: rule.id.clone(),
            label: rule.label.clone(),
            score: rule.score.as_str(),
            points: f.points,
            base: f.base,
            count: f.count,
            counted: f.counted,
        });
    }
    let mut reasons = Vec::new();
    let mut disqualified_by = Vec::new();
    #[cfg_attr(feature = "browser", allow(unused_mut))]
    let mut adjust = |adjusted: Adjustment| {
        let (rule, label, score, points) = adjustment_line(model, adjusted);
        lines.push(Line { rule, label, score, points, base: points, count: 0, counted: 0 });
    };
    #[cfg_attr(feature = "browser", allow(unused_mut))]
    let mut reason = |reason: Reason| {
        // One text per kind of test, its wording picked by the outcome (fewer call sites in the tag).
        reasons.push(match reason {
            Reason::Stage { at, need } => {
                let (relation, end) = if at >= need { (" reached (needs ", ")") } else { (" is below ", "") };
                concat(&["stage ", stage_name(at), relation, stage_name(need), end])
            }
            Reason::Minimum { what, value, min } => {
                let relation = if value >= min { " ≥ " } else { " < " };
                concat(&[what, " ", &fmt_centi(value), relation, &fmt_centi(min)])
            }
            Reason::Rule { rule, fired } => {
                concat(&["rule ", rule_id(rule), if fired { " fired" } else { " has not fired" }])
            }
            Reason::Disqualified { rule } => {
                disqualified_by.push(rule_id(rule).to_string());
                concat(&["disqualified by rule ", rule_id(rule)])
            }
        });
    };
    // In the npm package `score` hands `settle` its callbacks as `dyn`, as `summarize` does, so the
    // two share one copy of it; the website tag calls only `score`, and keeps the direct calls.
    #[cfg(not(feature = "browser"))]
    let (adjust, reason): (Adjust, Report) = (&mut adjust, &mut reason);
    let summary = settle(model, points_of(&fired), adjust, reason);
    let stage = stage_name(summary.stage).to_string();
    let grade = concat(&[band(&model.fit_grades, summary.fit), band(&model.engagement_grades, summary.engagement)]);
    let next_step = model.next_steps.iter().find(|(s, _)| *s == stage).map(|(_, t)| t.clone());
    ScoreCard {
        model: model.name.clone(),
        model_version: model.version.clone(),
        fit: summary.fit,
        engagement: summary.engagement,
        total: summary.total,
        grade,
        stage,
        qualified: summary.qualified,
        reasons,
        disqualified_by,
        next_step,
        scored_at: now,
        breakdown: lines,
        value: model.value.as_ref().map(|v| v.of(summary.total, state)),
    }
}

/// A correction's breakdown line: rule, label, score and points.
fn adjustment_line(model: &Model, adjusted: Adjustment) -> (String, String, &'static str, i64) {
    let rule = adjustment_rule(model, &adjusted).into_owned();
    match adjusted {
        Adjustment::Group { group, kind, points } => {
            let id = model.groups.get(group).map(|g| g.id.as_str()).unwrap_or_default();
            (rule, concat(&["group ", id, " limit"]), kind.as_str(), points)
        }
        Adjustment::Cap { kind, points } => (rule, concat(&[kind.as_str(), " cap"]), kind.as_str(), points),
        Adjustment::ScaleMin(points) => (rule, "floor of the scale".into(), "total", points),
        Adjustment::ScaleMax(points) => (rule, "top of the scale".into(), "total", points),
    }
}

/// A correction's rule in the breakdown (`group:<id>`, `cap:fit`, `scale:max`…): written as it is
/// but for a group's, so settling a row allocates nothing for a cap or the scale.
fn adjustment_rule<'a>(model: &'a Model, adjusted: &Adjustment) -> Cow<'a, str> {
    match adjusted {
        Adjustment::Group { group, .. } => {
            Cow::Owned(concat(&["group:", model.groups.get(*group).map(|g| g.id.as_str()).unwrap_or_default()]))
        }
        Adjustment::Cap { kind: ScoreKind::Fit, .. } => Cow::Borrowed("cap:fit"),
        Adjustment::Cap { kind: ScoreKind::Engagement, .. } => Cow::Borrowed("cap:engagement"),
        Adjustment::ScaleMin(_) => Cow::Borrowed("scale:min"),
        Adjustment::ScaleMax(_) => Cow::Borrowed("scale:max"),
    }
}

/// The points of an adjustment.
fn adjustment_points(adjusted: &Adjustment) -> i64 {
    match adjusted {
        Adjustment::Group { points, .. } | Adjustment::Cap { points, .. } => *points,
        Adjustment::ScaleMin(points) | Adjustment::ScaleMax(points) => *points,
    }
}

/// The summary when exactly the rules `fired` (indexes, in model order) fired with their full
/// points, as trait rules do; each adjustment's breakdown line (rule, points) goes to `adjust`.
/// The batch fast path, which knows from `flat` which rules fired, settles through this, so its
/// rows equal `score`'s. Batch scoring calls it per row: it allocates nothing (but a group
/// limit's rule name).
pub fn settle_fired(model: &Model, fired: &[usize], mut adjust: impl FnMut(&str, i64)) -> Summary {
    let fired = fired.iter().filter_map(|&r| model.rules.get(r).map(|rule| (r, rule.points)));
    settle(model, fired, |adjusted| adjust(&adjustment_rule(model, &adjusted), adjustment_points(&adjusted)), |_| {})
}

/// Whether qualifying a lead needs to know which rules fired (a rule the gate requires, a rule
/// that disqualifies): else `settle_totals` gives the summary from the scores alone.
pub fn qualify_reads_rules(model: &Model) -> bool {
    !model.qualify.rules.is_empty() || model.rules.iter().any(|rule| rule.disqualify)
}

/// The summary of scores already settled (fit and engagement after group limits and caps, the
/// total on the scale, as `flat::FlatModel::totals` gives them), for a model whose qualification
/// does not read which rules fired (`qualify_reads_rules` false: it would read none as fired).
pub fn settle_totals(model: &Model, fit: i64, engagement: i64, total: i64) -> Summary {
    conclude(model, fit, engagement, total, std::iter::empty(), |_| {})
}

/// Each fired rule's index and points, as `settle` reads them.
fn points_of(fired: &[(usize, Fired)]) -> impl Iterator<Item = (usize, i64)> + Clone + '_ {
    fired.iter().map(|(r, f)| (*r, f.points))
}

/// Every rule of the model evaluated against the state: the index and contribution of each one
/// that fired, in model order.
fn fire(model: &Model, state: &VisitorState, now: i64) -> Vec<(usize, Fired)> {
    // A loop rather than filter_map/collect: the collect's first-element and growth paths are a copy of their own.
    let mut fired = Vec::new();
    for (i, rule) in model.rules.iter().enumerate() {
        if let Some(f) = evaluate(model, rule, state, now) {
            fired.push((i, f));
        }
    }
    fired
}

/// From the fired rules to the summary: group limits, caps and the scale (each correction reported
/// to `adjust`, in breakdown order), the stage, then the qualification gate (each test reported to
/// `reason`, in card order).
fn settle(
    model: &Model,
    fired: impl Iterator<Item = (usize, i64)> + Clone,
    mut adjust: impl FnMut(Adjustment),
    reason: impl FnMut(Reason),
) -> Summary {
    let rule_of = |r: usize| model.rules.get(r);
    let (mut fit_sum, mut engagement_sum) = (0i64, 0i64);
    let mut add = |kind: ScoreKind, points: i64| match kind {
        ScoreKind::Fit => fit_sum += points,
        ScoreKind::Engagement => engagement_sum += points,
    };
    for (r, points) in fired.clone() {
        if let Some(rule) = rule_of(r) {
            add(rule.score, points);
        }
    }
    for (g, group) in model.groups.iter().enumerate() {
        let sum: i64 =
            fired.clone().filter(|(r, _)| rule_of(*r).and_then(|x| x.group) == Some(g)).map(|(_, points)| points).sum();
        let limited = clamp_opt(sum, group.min, group.max);
        if limited != sum {
            let kind = group.score.unwrap_or(ScoreKind::Engagement);
            add(kind, limited - sum);
            adjust(Adjustment::Group { group: g, kind, points: limited - sum });
        }
    }
    let fit = clamp_opt(fit_sum, None, model.cap_fit);
    if fit != fit_sum {
        adjust(Adjustment::Cap { kind: ScoreKind::Fit, points: fit - fit_sum });
    }
    let engagement = clamp_opt(engagement_sum, None, model.cap_engagement);
    if engagement != engagement_sum {
        adjust(Adjustment::Cap { kind: ScoreKind::Engagement, points: engagement - engagement_sum });
    }
    let raw_total = fit + engagement;
    let total = raw_total.clamp(model.scale_min, model.scale_max);
    if total > raw_total {
        adjust(Adjustment::ScaleMin(total - raw_total));
    } else if total < raw_total {
        adjust(Adjustment::ScaleMax(total - raw_total));
    }
    conclude(model, fit, engagement, total, fired.map(|(r, _)| r), reason)
}

/// The stage and the qualification gate (each test reported to `reason`, in card order) of the
/// scores once settled; `fired`: the indexes of the rules that fired (the gate's rule tests).
/// Inlined: the website tag's build has `settle` as its only caller.
#[inline]
fn conclude(
    model: &Model,
    fit: i64,
    engagement: i64,
    total: i64,
    fired: impl Iterator<Item = usize> + Clone,
    mut reason: impl FnMut(Reason),
) -> Summary {
    let rule_of = |r: usize| model.rules.get(r);
    let stage = model.stages.iter().rposition(|s| s.threshold.reached(total)).unwrap_or(0);

    let mut qualified = true;
    let q = &model.qualify;
    if let Some(need) = q.stage.filter(|&s| s < model.stages.len()) {
        qualified &= stage >= need;
        reason(Reason::Stage { at: stage, need });
    }
    for (what, value, min) in
        [("total", total, q.min_total), ("fit", fit, q.min_fit), ("engagement", engagement, q.min_engagement)]
    {
        if let Some(min) = min {
            qualified &= value >= min;
            reason(Reason::Minimum { what, value, min });
        }
    }
    for &rule in &q.rules {
        let did = fired.clone().any(|r| r == rule);
        qualified &= did;
        reason(Reason::Rule { rule, fired: did });
    }
    for rule in fired.filter(|&r| rule_of(r).is_some_and(|x| x.disqualify)) {
        qualified = false;
        reason(Reason::Disqualified { rule });
    }
    Summary { fit, engagement, total, stage, qualified }
}

/// `value` held within the optional bounds (a cap, a floor).
pub(crate) fn clamp_opt(value: i64, min: Option<i64>, max: Option<i64>) -> i64 {
    let value = max.map_or(value, |m| value.min(m));
    min.map_or(value, |m| value.max(m))
}

fn band(bands: &[crate::model::Band], value: i64) -> &str {
    bands.iter().find(|b| value >= b.min).or(bands.last()).map(|b| b.grade.as_str()).unwrap_or_default()
}

fn evaluate(model: &Model, rule: &Rule, state: &VisitorState, now: i64) -> Option<Fired> {
    let decay = rule.decay.or_else(|| rule.group.and_then(|g| model.groups.get(g)).and_then(|g| g.decay));
    match &rule.when {
        Condition::Occurrence(occurrence) => count_occurrences(rule, decay, occurrence, state, now),
        Condition::State(condition) => {
            if !holds(condition, state, now) {
                return None;
            }
            let factor = match (decay, moment(condition, state)) {
                (Some(d), Some(at)) => d.factor(now - at),
                _ => 1.0,
            };
            Some(Fired { points: scaled(rule.points, factor), base: rule.points, count: 1, counted: 1 })
        }
    }
}

fn scaled(points: i64, factor: f64) -> i64 {
    (points as f64 * factor).round() as i64
}

/// Gathers matching occurrences, then applies window, once-per-period, max and decay, counting
/// the most recent occurrences first (they are worth the most under decay).
fn count_occurrences(
    rule: &Rule,
    decay: Option<Decay>,
    occurrence: &Occurrence,
    state: &VisitorState,
    now: i64,
) -> Option<Fired> {
    let mut times: Vec<Occurrences> = Vec::new();
    for tally in tallies(occurrence, state).iter().filter(|t| t.n > 0 && occurs(occurrence, &t.key)) {
        times.extend(tally.occurrences());
    }
    let count: u32 = times.iter().map(|o| o.count).fold(0u32, u32::saturating_add);
    if count == 0 {
        return None;
    }
    newest_first(&mut times);
    let oldest_allowed = rule.window_ms.map(|w| now - w);
    let limit = rule.max.unwrap_or(u32::MAX);
    let mut counted: u32 = 0;
    let mut weight = 0.0f64;
    let mut last_period: Option<i64> = None;
    for Occurrences { at, count: n, earliest } in times {
        if counted >= limit || oldest_allowed.is_some_and(|oldest| at < oldest) {
            break;
        }
        let take = match rule.per_ms {
            Some(per) => {
                // A forgotten group may cover several periods: at most one per occurrence, in the
                // periods it spans that were not counted already. An upper bound, and one that never
                // shrinks when more occurrences are forgotten.
                let (top, bottom) = (at.div_euclid(per), earliest.div_euclid(per));
                let spanned = u32::try_from(top - bottom + 1).unwrap_or(u32::MAX);
                let already = u32::from(last_period == Some(top));
                last_period = Some(bottom);
                n.min(spanned.saturating_sub(already)).min(limit - counted)
            }
            None => n.min(limit - counted),
        };
        counted += take;
        weight += f64::from(take) * decay.map_or(1.0, |d| d.factor(now - at));
    }
    if counted == 0 {
        return None;
    }
    Some(Fired { points: scaled(rule.points, weight), base: rule.points * i64::from(counted), count, counted })
}

/// The state's list an occurrence condition counts in.
fn tallies<'a>(occurrence: &Occurrence, state: &'a VisitorState) -> &'a [Tally] {
    match occurrence {
        Occurrence::PageView { .. } => &state.pages,
        Occurrence::Download { .. } => &state.downloads,
        Occurrence::FormSubmit { .. } => &state.forms,
        Occurrence::Click { .. } => &state.clicks,
        Occurrence::Event { .. } => &state.events,
        Occurrence::Campaign { .. } => &state.campaigns,
        Occurrence::Referrer { .. } => &state.referrers,
        Occurrence::EmailClick { .. } => &state.email_clicks,
    }
}

/// Whether a key of that list (lower-case) is one the condition counts: one function rather than a
/// closure per kind, each of which was a copy of the gathering loop's call and a vtable in the tag.
fn occurs(occurrence: &Occurrence, key: &str) -> bool {
    match occurrence {
        Occurrence::PageView { path: pattern }
        | Occurrence::FormSubmit { form: pattern }
        | Occurrence::Click { name: pattern }
        | Occurrence::Event { name: pattern }
        | Occurrence::Referrer { host: pattern }
        | Occurrence::EmailClick { campaign: pattern } => pattern.matches_lower(key),
        Occurrence::Download { url, types } => {
            url.matches_lower(key) && (types.is_empty() || types.iter().any(|t| file_type(key) == t))
        }
        Occurrence::Campaign { source, medium, campaign } => {
            let [s, m, c] = crate::state::campaign_parts(key);
            source.matches_lower(s) && medium.matches_lower(m) && campaign.matches_lower(c)
        }
    }
}

/// Sorts occurrences newest first. An insertion sort: the lists are a few dozen entries at most
/// (bounded keys × recent times), and the standard sort would add ~4 KB to the website tag's WASM.
fn newest_first(times: &mut [Occurrences]) {
    insertion_sort_by(times, |before, here| before.at >= here.at);
}

/// Sorts `items` so that `in_order(a, b)` holds for each neighbouring pair, stably. The lists sorted are short
/// (a state's occurrences, a numeric field's steps), and the standard sorts would add kilobytes of code to the
/// wasm for nothing.
pub(crate) fn insertion_sort_by<T>(items: &mut [T], in_order: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            let (Some(before), Some(here)) = (items.get(j - 1), items.get(j)) else { break };
            if in_order(before, here) {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// When a state condition became true, for decay: the latest time that fed it.
fn moment(condition: &StateCondition, state: &VisitorState) -> Option<i64> {
    match condition {
        StateCondition::Visits { .. } => Some(state.visits.last()),
        StateCondition::Engaged { path, .. } | StateCondition::Scroll { path, .. } => {
            state.pages.iter().filter(|p| path.matches_lower(&p.key)).map(|p| p.active).max()
        }
        _ => None,
    }
    .filter(|&t| t > 0)
}

fn holds(condition: &StateCondition, state: &VisitorState, now: i64) -> bool {
    match condition {
        StateCondition::Engaged { path, seconds } => {
            let engaged_ms: i64 = state.pages.iter().filter(|p| path.matches_lower(&p.key)).map(|p| p.engaged_ms).sum();
            engaged_ms as f64 >= seconds * 1000.0
        }
        StateCondition::Visits { at_least } => state.visits.n >= *at_least,
        StateCondition::Scroll { path, depth } => {
            state.pages.iter().any(|p| path.matches_lower(&p.key) && f64::from(p.scroll) >= *depth)
        }
        StateCondition::Inactive { for_ms } => state.last > 0 && now - state.last > *for_ms,
        StateCondition::Trait { field, tests } => {
            let value = state.trait_value(field);
            tests.iter().all(|t| trait_test(t, value))
        }
        StateCondition::EmailDomain { free, domains } => {
            let Some(Scalar::Text(domain)) = state.trait_value("email_domain") else { return false };
            let domain = domain.trim().to_ascii_lowercase();
            let free_ok = free.is_none_or(|want| is_free_domain(&domain) == want);
            let list_ok = domains.is_empty() || domains.iter().any(|d| d.matches_lower(&domain));
            free_ok && list_ok
        }
        StateCondition::All(list) => list.iter().all(|c| holds(c, state, now)),
        StateCondition::Any(list) => list.iter().any(|c| holds(c, state, now)),
        StateCondition::Not(inner) => !holds(inner, state, now),
    }
}

fn as_number(value: &Scalar) -> Option<f64> {
    match value {
        Scalar::Number(n) => Some(*n),
        Scalar::Text(s) => parse_decimal(s),
        Scalar::Bool(_) => None,
    }
}

fn is_truthy(value: &Scalar) -> bool {
    match value {
        Scalar::Bool(b) => *b,
        Scalar::Number(n) => *n != 0.0,
        Scalar::Text(s) => crate::form::is_yes(s),
    }
}

/// Model text is lower-case already (the model reader lowers it); trait text is compared
/// case-insensitively, without a lower-cased copy.
fn same(expected: &Scalar, value: &Scalar) -> bool {
    match (expected, value) {
        (Scalar::Text(e), Scalar::Text(v)) => v.trim().eq_ignore_ascii_case(e),
        (Scalar::Number(e), v) => as_number(v) == Some(*e),
        (Scalar::Bool(e), v) => is_truthy(v) == *e,
        (Scalar::Text(e), Scalar::Number(n)) => parse_decimal(e) == Some(*n),
        (Scalar::Text(_), Scalar::Bool(_)) => false,
    }
}

pub(crate) fn trait_test(test: &TraitTest, value: Option<&Scalar>) -> bool {
    let present = value.filter(|v| !matches!(v, Scalar::Text(s) if s.trim().is_empty()));
    match (test, present) {
        (TraitTest::Exists(want), v) => v.is_some() == *want,
        (TraitTest::IsTrue(want), Some(v)) => is_truthy(v) == *want,
        (TraitTest::IsTrue(want), None) => !*want,
        (_, None) => false,
        (TraitTest::Equals(e), Some(v)) => same(e, v),
        (TraitTest::OneOf(list), Some(v)) => list.iter().any(|e| same(e, v)),
        (TraitTest::Contains(needles), Some(Scalar::Text(s))) => {
            let hay = s.to_ascii_lowercase();
            needles.iter().any(|n| crate::pattern::find(&hay, n).is_some())
        }
        (TraitTest::Contains(_), Some(_)) => false,
        (TraitTest::Between(lo, hi), Some(v)) => as_number(v).is_some_and(|n| n >= *lo && n <= *hi),
        (TraitTest::AtLeast(m), Some(v)) => as_number(v).is_some_and(|n| n >= *m),
        (TraitTest::AtMost(m), Some(v)) => as_number(v).is_some_and(|n| n <= *m),
        (TraitTest::Below(m), Some(v)) => as_number(v).is_some_and(|n| n < *m),
        (TraitTest::Above(m), Some(v)) => as_number(v).is_some_and(|n| n > *m),
    }
}
