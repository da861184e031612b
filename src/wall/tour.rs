//! The wall's tour (轮播): the county, then township after township, each shown for a set
//! number of seconds; paused and resumed from the desk. Something pushed from the desk
//! (推送到大屏) takes the wall for two stops' time, then the tour goes on where it was.

use crate::wall::WallFocus;

/// Where the tour is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    County,
    /// Index into `WallView::townships`.
    Township(usize),
}

#[derive(Debug, Clone)]
pub struct Tour {
    /// Seconds per stop.
    pub interval_s: f64,
    pub paused: bool,
    /// 0 the county, 1 + i township i.
    position: usize,
    /// When the current stop began (the wall's clock, seconds).
    since: Option<f64>,
    focus: Option<(WallFocus, f64)>,
}

impl Default for Tour {
    fn default() -> Self {
        Tour {
            interval_s: 15.0,
            paused: false,
            position: 0,
            since: None,
            focus: None,
        }
    }
}

impl Tour {
    /// Moves on if the stop's time is up; `townships` is how many stops follow the county.
    pub fn advance(&mut self, now_s: f64, townships: usize) {
        if let Some((_, at)) = &self.focus
            && now_s - at >= 2.0 * self.interval_s
        {
            self.focus = None;
            self.since = Some(now_s);
        }
        if self.paused {
            // A paused stop's time starts again when the tour resumes.
            self.since = Some(now_s);
        }
        let since = *self.since.get_or_insert(now_s);
        if self.focus.is_none() && !self.paused && now_s - since >= self.interval_s {
            self.position = (self.position + 1) % (townships + 1);
            self.since = Some(now_s);
        }
        self.position %= townships + 1;
    }

    /// The next stop at once (a button on the desk).
    pub fn next(&mut self, townships: usize) {
        self.focus = None;
        self.position = (self.position + 1) % (townships + 1);
        self.since = None;
    }

    pub fn stop(&self) -> Stop {
        match self.position {
            0 => Stop::County,
            i => Stop::Township(i - 1),
        }
    }

    /// What the desk pushed, shown instead of the tour for now.
    pub fn push(&mut self, focus: WallFocus, now_s: f64) {
        self.focus = Some((focus, now_s));
    }

    pub fn focus(&self) -> Option<&WallFocus> {
        self.focus.as_ref().map(|(f, _)| f)
    }

    pub fn clear_focus(&mut self) {
        self.focus = None;
    }

    /// Seconds left at this stop (for the wall's progress line), 0–1 of the interval gone.
    pub fn progress(&self, now_s: f64) -> f32 {
        match self.since {
            Some(s) if !self.paused => ((now_s - s) / self.interval_s).clamp(0.0, 1.0) as f32,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tour_goes_round_pauses_and_yields_to_a_push() {
        let mut t = Tour {
            interval_s: 10.0,
            ..Tour::default()
        };
        t.advance(0.0, 2);
        assert_eq!(t.stop(), Stop::County);
        t.advance(10.0, 2);
        assert_eq!(t.stop(), Stop::Township(0));
        t.advance(20.0, 2);
        assert_eq!(t.stop(), Stop::Township(1));
        t.advance(30.0, 2);
        assert_eq!(t.stop(), Stop::County, "round again");
        t.paused = true;
        t.advance(100.0, 2);
        assert_eq!(t.stop(), Stop::County, "paused");
        t.paused = false;
        t.push(WallFocus::Unit(0), 100.0);
        t.advance(115.0, 2);
        assert!(t.focus().is_some(), "a push holds the wall for two stops");
        t.advance(121.0, 2);
        assert!(t.focus().is_none());
        assert_eq!(t.stop(), Stop::County, "the tour goes on where it was");
        t.next(2);
        assert_eq!(t.stop(), Stop::Township(0));
    }
}
