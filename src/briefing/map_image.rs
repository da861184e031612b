//! 导出图片: a map as a PNG at a chosen size (4961×3508 is A3 landscape at 300 dpi), with its
//! title, legend, scale bar and north arrow — the map drawn as for the briefings (`map_svg`),
//! set on a page of that size at 300 dpi and rasterised by typst.

use crate::briefing::map_svg::{Area, Key, map_svg};
use crate::briefing::typeset::{Typeset, briefing_fonts};

/// Print resolution the pixel size is read at.
const DPI: f64 = 300.0;

const TEMPLATE: &str = r#"#let d = json("/data.json")
#set page(width: d.width * 1pt, height: d.height * 1pt, margin: 4%)
#set text(font: d.font, size: d.height * 0.018pt, lang: "zh", region: "cn")
#align(center, text(size: d.height * 0.032pt, weight: "bold", d.title))
#align(center, text(fill: luma(90), d.subtitle))
#v(1fr)
#align(center, image("/map.svg", width: 100%, height: d.height * 0.78pt, fit: "contain"))
#v(1fr)
"#;

/// The PNG of `areas`: `width_px` × `height_px` pixels.
pub fn map_png(
    title: &str,
    subtitle: &str,
    areas: &[Area],
    legend: &[Key],
    width_px: u32,
    height_px: u32,
    today: (i32, u8, u8),
) -> Result<Vec<u8>, String> {
    if !(200..=20_000).contains(&width_px) || !(200..=20_000).contains(&height_px) {
        return Err(format!(
            "{width_px}×{height_px}: an image is 200 to 20000 pixels each way"
        ));
    }
    let (fonts, family) = briefing_fonts()?;
    let points = |px: u32| f64::from(px) * 72.0 / DPI;
    let data = serde_json::json!({
        "title": title,
        "subtitle": subtitle,
        "font": family,
        "width": points(width_px),
        "height": points(height_px),
    });
    let svg = map_svg(areas, &[], legend, title);
    let page = Typeset::new(
        TEMPLATE,
        vec![
            (
                "/data.json",
                serde_json::to_vec(&data).map_err(|e| e.to_string())?,
            ),
            ("/map.svg", svg.into_bytes()),
        ],
        fonts,
        today,
    )?;
    page.png(DPI / 72.0)
}
