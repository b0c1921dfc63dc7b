//! The composition rules of a body (its `seat_rule` rows and its chair)
//! checked against the composition on a date. The rules are data: this code
//! only compares counts, so the secretariat changes a rule by editing a row.

use super::queries::{MembershipRole, Seat, SeatRule};
use super::{SideView, group_by_side};

/// Warnings for the secretariat, in Dutch, in the order of the sides.
pub fn warnings(rules: &[SeatRule], seats: &[Seat]) -> Vec<String> {
    warnings_of(rules, &group_by_side(rules.to_vec(), seats.to_vec()))
}

/// The same, of the seats already grouped by side ([`group_by_side`]).
pub fn warnings_of(rules: &[SeatRule], sides: &[SideView]) -> Vec<String> {
    let mut out = Vec::new();
    let chairs = sides
        .iter()
        .flat_map(|v| &v.seats)
        .filter(|s| s.role == MembershipRole::Chair)
        .count();
    match chairs {
        0 => out.push("Er is geen voorzitter op deze datum.".to_string()),
        1 => {}
        n => out.push(format!(
            "Er zijn {n} voorzitters op deze datum; er hoort er één te zijn."
        )),
    }
    for view in sides {
        for open in &view.open_seats {
            let whose = view.side.seats_of();
            out.push(if open.of == 1 {
                format!("De zetel {whose} ({}) is niet ingevuld.", open.label)
            } else {
                format!(
                    "{} van de {} zetels {whose} zijn niet ingevuld ({}).",
                    open.count, open.of, open.label
                )
            });
        }
        let holders = view.seats.iter().filter(|s| s.role.holds_seat()).count();
        let side_rules: Vec<&SeatRule> = rules.iter().filter(|r| r.side == view.side).collect();
        // A rule without a number ("vertegenwoordigers van ...") sets no limit.
        let limit: Option<i32> = side_rules.iter().map(|r| r.seat_count).sum();
        let limit = if side_rules.is_empty() {
            Some(0)
        } else {
            limit
        };
        if let Some(limit) = limit {
            let holders = i32::try_from(holders).unwrap_or(i32::MAX);
            if holders > limit {
                out.push(format!(
                    "{}: meer leden dan zetels ({holders} leden voor {limit} {}).",
                    view.side.label(),
                    if limit == 1 { "zetel" } else { "zetels" }
                ));
            }
        }
    }
    out
}
