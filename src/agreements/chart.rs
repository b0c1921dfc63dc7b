//! The chart of a goal: its measured values as bars against the target, as
//! plain SVG computed here, so it needs no JavaScript and no inline style.

use std::fmt;

use time::Date;

use super::queries::follow_up::Measurement;
use super::queries::goals::GoalFields;
use crate::base::dutch::{self, IsoDate};

pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 230.0;
const LEFT: f64 = 10.0;
const RIGHT: f64 = WIDTH - 10.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 190.0;

/// A measured value's bar. The chart is drawn when the agreement's read
/// model is built (`agreements/chart.html`) and kept there as SVG.
#[derive(Clone)]
pub struct Bar {
    pub x: Px,
    pub y: Px,
    pub width: Px,
    pub height: Px,
    pub centre: Px,
    pub value_y: Px,
    /// The measured value as Dutch writes it (`dutch::nl_number`).
    pub value: String,
    pub date: Date,
}

impl Bar {
    /// The date under the bar, "2019-10-02".
    pub fn day(&self) -> IsoDate {
        IsoDate(self.date)
    }
}

/// A horizontal reference line: the target or the baseline.
#[derive(Clone)]
pub struct Rule {
    pub y: Px,
    pub text_y: Px,
    pub text: String,
}

#[derive(Clone)]
pub struct Chart {
    pub bars: Vec<Bar>,
    pub target: Option<Rule>,
    pub baseline: Option<Rule>,
    pub zero_y: Px,
    pub date_y: Px,
    /// What the chart shows, for those who cannot see it.
    pub summary: String,
}

/// A coordinate in tenths, written with one decimal ("12.3"). Rounded to
/// tenths by hand: `{:.1}` runs the float formatter's exact mode (and often
/// its slow fallback), a tenth of a cold agreement page's CPU for a few
/// dozen numbers. Only digits, a point and a minus: written unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Px(i32);

impl Px {
    fn of(v: f64) -> Px {
        // Coordinates of a chart a few hundred pixels wide: far inside i32.
        Px((v * 10.0).round() as i32)
    }

    fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        if self.0 < 0 {
            w.write_char('-')?;
        }
        let tenths = i64::from(self.0.unsigned_abs());
        dutch::write_int(w, tenths / 10, 1)?;
        w.write_char('.')?;
        dutch::write_int(w, tenths % 10, 1)
    }
}

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

crate::base::page::written_unescaped!(Px);

/// The chart's `viewBox`.
pub const VIEW_BOX: &str = "0 0 600 230";

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
                    x: Px::of(centre - width / 2.0),
                    y: Px::of(top),
                    width: Px::of(width),
                    height: Px::of(height),
                    centre: Px::of(centre),
                    value_y: Px::of((top - 6.0).max(12.0)),
                    value: m.shown().to_string(),
                    date: m.measured_on,
                }
            })
            .collect();
        let rule = |v: f64, name: &str, shown: &str| Rule {
            y: Px::of(y(v)),
            text_y: Px::of((y(v) - 5.0).max(11.0)),
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
            zero_y: Px::of(zero),
            date_y: Px::of(BOTTOM + 22.0),
            summary,
        })
    }

    pub fn view_box(&self) -> &'static str {
        VIEW_BOX
    }

    pub fn left(&self) -> Px {
        Px::of(LEFT)
    }

    pub fn right(&self) -> Px {
        Px::of(RIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::{HEIGHT, Px, VIEW_BOX, WIDTH};

    #[test]
    fn coordinates_have_one_decimal() {
        for (v, shown) in [
            (0.0, "0.0"),
            (12.345, "12.3"),
            (12.36, "12.4"),
            (279.96, "280.0"),
            (-3.26, "-3.3"),
        ] {
            assert_eq!(Px::of(v).to_string(), shown);
            assert_eq!(format!("{v:.1}"), shown);
        }
        assert_eq!(VIEW_BOX, format!("0 0 {WIDTH} {HEIGHT}"));
    }
}
