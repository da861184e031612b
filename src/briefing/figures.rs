//! How figures are printed on a briefing: rates as percentages with one decimal (as
//! `gridatlas stats` gives them, times 100), changes with their sign, "—" where a rate has no
//! denominator (never 0 % or 100 %).

/// `87.5%`, or `—`.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// The change of a count: `+12`, `-3`, `0`.
pub fn count_delta(now: u32, before: u32) -> String {
    let d = i64::from(now) - i64::from(before);
    if d > 0 {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

/// The change of a rate in percentage points: `+2.3 个百分点`; `—` when either is missing.
pub fn percent_delta(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => format!("{:+.1} 个百分点", (a - b) * 100.0),
        _ => "—".into(),
    }
}

/// The change of a value with one decimal: `+1.5`; `—` when either is missing.
pub fn rate_delta_value(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) => format!("{:+.1}", a - b),
        _ => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_as_the_bulletin_shows_them() {
        assert_eq!(percent(Some(0.875)), "87.5%");
        assert_eq!(percent(None), "—");
        assert_eq!(count_delta(10, 7), "+3");
        assert_eq!(count_delta(7, 10), "-3");
        assert_eq!(percent_delta(Some(0.9), Some(0.85)), "+5.0 个百分点");
        assert_eq!(percent_delta(None, Some(0.85)), "—");
        assert_eq!(rate_delta_value(Some(20.0), Some(21.5)), "-1.5");
    }
}
