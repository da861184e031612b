//! The map: walkers integration and the layers drawn on it.

mod basemap;
mod box_chunks;
mod cases_layer;
mod choropleth;
mod hazard_layer;
mod heatmap_layer;
mod households_layer;
mod import_preview_layer;
mod label_placer;
mod local_to_screen;
mod map_geometry;
mod mercator;
mod planning_layer;
mod screen_transform;
mod units_layer;

pub use basemap::{
    Basemap, HTTP_RETRY_AFTER, MbTilesSource, OSM_TEMPLATE, RetryingTiles, XyzSource, init_tls,
    make_tiles,
};
pub use cases_layer::{
    CLOSED as CLOSED_COLOR, CasesLayer, OPEN as OPEN_COLOR, OVERDUE as OVERDUE_COLOR, pin_style,
};
pub use choropleth::{Choropleth, Indicator, NO_DATA, choropleth};
pub use hazard_layer::HazardLayer;
pub use heatmap_layer::{HeatmapLayer, density_image};
pub use households_layer::{HOUSEHOLDS_ZOOM, HouseholdsLayer, household_color};
pub use import_preview_layer::ImportPreviewLayer;
pub use label_placer::LabelPlacer;
pub use local_to_screen::LocalToScreen;
pub use map_geometry::{LevelGeometry, MapGeometry, UnitGeom};
pub use mercator::{lon_lat_to_mercator, mercator_to_lon_lat, world_pixels};
pub use planning_layer::{LiveCount, PlanningLayer, balance_color};
pub use screen_transform::ScreenTransform;
pub use units_layer::{FADE, UnitsLayer, level_alpha, level_for_zoom, level_zoom};
