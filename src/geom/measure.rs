//! Measures in metres on the sphere.

use geo::{Area, MultiPolygon};

use crate::geom::LocalMetres;

/// Great-circle distance between two (lon, lat) points in metres.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1))
}

/// Area of a lon/lat multipolygon in m², in a local projection centred on it (error well
/// under 1 % for county-sized shapes; exact enough for tolerances and balance figures).
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    use geo::BoundingRect;
    let Some(rect) = mp.bounding_rect() else {
        return 0.0;
    };
    let c = rect.center();
    LocalMetres::new(c.x, c.y)
        .forward_multipolygon(mp)
        .unsigned_area()
}
