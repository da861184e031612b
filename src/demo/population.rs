//! Where people live: a dense seat (town centre or, for urban streets, the city), hamlets
//! strung along valleys that wander out from the seat, and empty mountains between them.
//! Planar metres.

use geo::Contains;
use geo_types::{Coord, MultiPolygon, Point};
use rand::Rng;
use rand_distr::{Distribution, Exp, Normal};

fn inside(shape: &MultiPolygon<f64>, c: Coord<f64>) -> bool {
    shape.contains(&Point::from(c))
}

/// A point near `centre` (Gaussian, `sigma_m`) inside `shape`; `None` after many misses.
fn near(
    shape: &MultiPolygon<f64>,
    centre: Coord<f64>,
    sigma_m: f64,
    rng: &mut impl Rng,
) -> Option<Coord<f64>> {
    let normal = Normal::new(0.0, sigma_m).ok()?;
    (0..40).find_map(|_| {
        let c = Coord {
            x: centre.x + normal.sample(rng),
            y: centre.y + normal.sample(rng),
        };
        inside(shape, c).then_some(c)
    })
}

/// Valleys: random walks from the seat with a slowly turning heading, stopped at the border.
fn valleys(shape: &MultiPolygon<f64>, seat: Coord<f64>, rng: &mut impl Rng) -> Vec<Coord<f64>> {
    let mut points = Vec::new();
    let count = rng.random_range(4..=7);
    let turn = Normal::new(0.0, 0.22).expect("valid sigma");
    for v in 0..count {
        let mut heading =
            (v as f64 / count as f64) * std::f64::consts::TAU + rng.random_range(-0.4..0.4);
        let mut at = seat;
        let steps = rng.random_range(20..70);
        for _ in 0..steps {
            heading += turn.sample(rng);
            let next = Coord {
                x: at.x + 250.0 * heading.cos(),
                y: at.y + 250.0 * heading.sin(),
            };
            if !inside(shape, next) {
                break;
            }
            at = next;
            points.push(at);
        }
    }
    points
}

/// Places `n` households inside `shape`.
pub fn place(
    shape: &MultiPolygon<f64>,
    seat: Coord<f64>,
    n: usize,
    urban: bool,
    rng: &mut impl Rng,
) -> Vec<Coord<f64>> {
    let mut out = Vec::with_capacity(n);
    let seat = if inside(shape, seat) {
        seat
    } else {
        crate::demo::partition::random_point_in(shape, rng).unwrap_or(seat)
    };
    let (seat_share, seat_sigma) = if urban { (0.8, 1400.0) } else { (0.25, 450.0) };
    let in_seat = (n as f64 * seat_share) as usize;
    // Urban streets: several neighbourhood centres around the city core.
    let cores: Vec<Coord<f64>> = if urban {
        (0..5)
            .filter_map(|_| near(shape, seat, 1200.0, rng))
            .chain([seat])
            .collect()
    } else {
        vec![seat]
    };
    while out.len() < in_seat {
        let core = cores[rng.random_range(0..cores.len())];
        if let Some(c) = near(shape, core, seat_sigma, rng) {
            out.push(c);
        } else {
            out.push(seat);
        }
    }
    let valley = valleys(shape, seat, rng);
    let hamlet_size = Exp::new(1.0 / 22.0).expect("valid rate");
    while out.len() < n {
        let size = (6.0 + hamlet_size.sample(rng)) as usize;
        let size = size.min(n - out.len());
        let centre = if valley.is_empty() {
            seat
        } else {
            let v = valley[rng.random_range(0..valley.len())];
            near(shape, v, 120.0, rng).unwrap_or(v)
        };
        let sigma = 35.0 + 5.0 * (size as f64).sqrt();
        for _ in 0..size {
            out.push(near(shape, centre, sigma, rng).unwrap_or(centre));
        }
    }
    out
}
