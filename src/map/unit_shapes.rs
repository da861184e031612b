//! Outlines of every unit, per level, cached in normalized Web Mercator with their bounding
//! boxes and label anchors.

use geo::InteriorPoint;

use crate::map::lon_lat_to_mercator;
use crate::model::{Dataset, Level, UnitId};

pub struct UnitShape {
    pub id: UnitId,
    pub name: String,
    /// Rings (exterior and holes) in normalized Web Mercator.
    pub rings: Vec<Vec<[f64; 2]>>,
    /// [min_x, min_y, max_x, max_y] in normalized Web Mercator.
    pub bbox: [f64; 4],
    pub label_at: [f64; 2],
}

pub struct UnitShapes {
    by_level: [Vec<UnitShape>; 5],
}

impl UnitShapes {
    pub fn new(dataset: &Dataset) -> UnitShapes {
        let mut by_level: [Vec<UnitShape>; 5] = Default::default();
        for unit in &dataset.units {
            let rings: Vec<Vec<[f64; 2]>> = unit
                .geometry
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(|ring| {
                    ring.0
                        .iter()
                        .map(|c| lon_lat_to_mercator(c.x, c.y))
                        .collect()
                })
                .collect();
            let mut bbox = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for p in rings.iter().flatten() {
                bbox = [
                    bbox[0].min(p[0]),
                    bbox[1].min(p[1]),
                    bbox[2].max(p[0]),
                    bbox[3].max(p[1]),
                ];
            }
            let label_at = unit.geometry.interior_point().map_or(
                [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0],
                |p| lon_lat_to_mercator(p.x(), p.y()),
            );
            by_level[unit.level.number() as usize - 1].push(UnitShape {
                id: unit.id,
                name: unit.name.clone(),
                rings,
                bbox,
                label_at,
            });
        }
        UnitShapes { by_level }
    }

    pub fn level(&self, level: Level) -> &[UnitShape] {
        &self.by_level[level.number() as usize - 1]
    }

    /// The bounding box of the county level (or of everything), normalized Web Mercator.
    pub fn extent(&self) -> Option<[f64; 4]> {
        self.by_level
            .iter()
            .flatten()
            .map(|s| s.bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }
}
