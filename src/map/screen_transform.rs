//! The mapping between normalized Web Mercator and the screen for one frame of a walkers map.

use egui::{Pos2, Rect};
use walkers::{MapMemory, Position, Projector};

use crate::map::{lon_lat_to_mercator, mercator_to_lon_lat, world_pixels};

/// Maps normalized Web Mercator to screen points for one frame.
#[derive(Clone, Copy)]
pub struct ScreenTransform {
    origin: [f64; 2],
    origin_screen: Pos2,
    scale: f64,
}

impl ScreenTransform {
    /// The transform of a walkers map: from its projector (inside a plugin)…
    pub fn new(projector: &Projector) -> ScreenTransform {
        let centre = projector.unproject(projector.clip_rect().center().to_vec2());
        let origin = lon_lat_to_mercator(centre.x(), centre.y());
        ScreenTransform {
            origin,
            origin_screen: projector.clip_rect().center(),
            scale: world_pixels(projector.zoom()),
        }
    }

    /// …or from its memory, the position it follows when not dragged, and its rectangle
    /// (outside the map widget, e.g. to turn a click into a place).
    pub fn from_memory(memory: &MapMemory, my_position: Position, rect: Rect) -> ScreenTransform {
        let centre = memory.detached().unwrap_or(my_position);
        ScreenTransform {
            origin: lon_lat_to_mercator(centre.x(), centre.y()),
            origin_screen: rect.center(),
            scale: world_pixels(memory.zoom()),
        }
    }

    /// Centred on (lon, lat) at a zoom in `rect` (tests).
    #[cfg(test)]
    pub fn at(centre: (f64, f64), zoom: f64, rect: Rect) -> ScreenTransform {
        ScreenTransform {
            origin: lon_lat_to_mercator(centre.0, centre.1),
            origin_screen: rect.center(),
            scale: world_pixels(zoom),
        }
    }

    /// Screen points per unit of normalized Mercator (the world's size in points).
    pub fn scale(self) -> f64 {
        self.scale
    }

    /// (lon, lat) of the point the view is centred on.
    pub fn centre_lon_lat(self) -> geo_types::Coord<f64> {
        let (x, y) = mercator_to_lon_lat(self.origin);
        geo_types::Coord { x, y }
    }

    pub fn to_screen(self, m: [f64; 2]) -> Pos2 {
        Pos2::new(
            self.origin_screen.x + ((m[0] - self.origin[0]) * self.scale) as f32,
            self.origin_screen.y + ((m[1] - self.origin[1]) * self.scale) as f32,
        )
    }

    /// As [`Self::to_screen`], without rounding to f32: for points far off screen.
    pub fn to_screen_f64(self, m: [f64; 2]) -> [f64; 2] {
        [
            self.origin_screen.x as f64 + (m[0] - self.origin[0]) * self.scale,
            self.origin_screen.y as f64 + (m[1] - self.origin[1]) * self.scale,
        ]
    }

    pub fn to_mercator(self, p: Pos2) -> [f64; 2] {
        [
            self.origin[0] + (p.x - self.origin_screen.x) as f64 / self.scale,
            self.origin[1] + (p.y - self.origin_screen.y) as f64 / self.scale,
        ]
    }

    /// Screen point → (lon, lat).
    pub fn to_lon_lat(self, p: Pos2) -> geo_types::Coord<f64> {
        let (x, y) = mercator_to_lon_lat(self.to_mercator(p));
        geo_types::Coord { x, y }
    }

    /// Screen points per metre at the centre (Web Mercator scale at its latitude).
    pub fn points_per_metre(self) -> f64 {
        let (_, lat) = mercator_to_lon_lat(self.origin);
        self.scale / (40_075_016.686 * lat.to_radians().cos())
    }
}
