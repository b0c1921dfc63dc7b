//! The chart of a goal: its measured values as bars against the target, as
//! plain SVG computed here, so it needs no JavaScript and no inline style.

use super::queries::follow_up::Measurement;
use super::queries::goals::GoalFields;
use crate::base::dutch;

pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 230.0;
const LEFT: f64 = 10.0;
const RIGHT: f64 = WIDTH - 10.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 190.0;

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub centre: String,
    pub value_y: String,
    pub value: String,
    pub date: String,
}

/// A horizontal reference line: the target or the baseline.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub y: String,
    pub text_y: String,
    pub text: String,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Chart {
    pub bars: Vec<Bar>,
    pub target: Option<Rule>,
    pub baseline: Option<Rule>,
    pub zero_y: String,
    pub date_y: String,
    /// What the chart shows, for those who cannot see it.
    pub summary: String,
}

/// A coordinate with one decimal. Rounded to tenths by hand: `{:.1}` runs
/// the float formatter's exact mode (and often its slow fallback), a tenth
/// of a cold agreement page's CPU for a few dozen numbers.
fn px(v: f64) -> String {
    let tenths = (v * 10.0).round();
    let mut s = String::with_capacity(8);
    if tenths < 0.0 {
        s.push('-');
    }
    // Coordinates of a chart a few hundred pixels wide: far inside i64.
    let tenths = tenths.abs() as i64;
    dutch::push_int(&mut s, tenths / 10, 1);
    s.push('.');
    dutch::push_int(&mut s, tenths % 10, 1);
    s
}

impl Chart {
    /// `None` when there is nothing measured yet.
    pub fn for_goal(goal: &GoalFields, measurements: &[Measurement]) -> Option<Chart> {
        if measurements.is_empty() {
            return None;
        }
        let target = goal
            .target_value
            .as_deref()
            .and_then(|t| t.parse::<f64>().ok());
        let baseline = goal
            .baseline_value
            .as_deref()
            .and_then(|t| t.parse::<f64>().ok());
        let values = measurements.iter().map(|m| m.value);
        let all: Vec<f64> = values.chain(target).chain(baseline).chain([0.0]).collect();
        let max = all.iter().copied().fold(f64::MIN, f64::max);
        let min = all.iter().copied().fold(f64::MAX, f64::min);
        let span = if max - min > 0.0 { max - min } else { 1.0 };
        let y = |v: f64| BOTTOM - (v - min) / span * (BOTTOM - TOP);
        let zero = y(0.0);
        let slot = (RIGHT - LEFT) / measurements.len() as f64;
        let width = (slot * 0.6).min(80.0);
        let bars = measurements
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let centre = LEFT + slot * (i as f64 + 0.5);
                let top = y(m.value).min(zero);
                let height = (y(m.value) - zero).abs().max(1.0);
                Bar {
                    x: px(centre - width / 2.0),
                    y: px(top),
                    width: px(width),
                    height: px(height),
                    centre: px(centre),
                    value_y: px((top - 6.0).max(12.0)),
                    value: m.shown(),
                    date: dutch::iso_date(m.measured_on),
                }
            })
            .collect();
        let rule = |v: f64, name: &str, shown: &str| Rule {
            y: px(y(v)),
            text_y: px((y(v) - 5.0).max(11.0)),
            text: format!("{name} {shown}"),
        };
        let unit = goal.target_unit.as_deref().unwrap_or_default();
        let target_rule = target
            .zip(goal.target_value.as_deref())
            .map(|(v, t)| rule(v, "streefwaarde", &dutch::nl_number(t)));
        let baseline_rule = baseline
            .zip(goal.baseline_value.as_deref())
            .map(|(v, t)| rule(v, "uitgangswaarde", &dutch::nl_number(t)));
        let listed: Vec<String> = measurements
            .iter()
            .map(|m| format!("{}: {}", m.date(), m.shown()))
            .collect();
        let mut summary = format!("Gemeten waarden: {}.", listed.join("; "));
        if let Some(t) = goal.target() {
            summary.push_str(&format!(" Streefwaarde: {t}."));
        } else if !unit.is_empty() {
            summary.push_str(&format!(" Eenheid: {unit}."));
        }
        Some(Chart {
            bars,
            target: target_rule,
            baseline: baseline_rule,
            zero_y: px(zero),
            date_y: px(BOTTOM + 22.0),
            summary,
        })
    }

    pub fn view_box(&self) -> String {
        format!("0 0 {WIDTH} {HEIGHT}")
    }

    pub fn left(&self) -> String {
        px(LEFT)
    }

    pub fn right(&self) -> String {
        px(RIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::px;

    #[test]
    fn coordinates_have_one_decimal() {
        for (v, shown) in [
            (0.0, "0.0"),
            (12.345, "12.3"),
            (12.36, "12.4"),
            (279.96, "280.0"),
            (-3.26, "-3.3"),
        ] {
            assert_eq!(px(v), shown);
            assert_eq!(format!("{v:.1}"), shown);
        }
    }
}
