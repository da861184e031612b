//! Reading a boundary layer from whatever a centre has: a Shapefile (GBK or UTF-8 text), a
//! GeoJSON file (RFC 7946) or a GeoPackage layer. Each becomes the same list of features: the
//! attributes as text and the outline, untouched (datum conversion and checks come later).

use std::path::{Path, PathBuf};

use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use shapefile::dbase;

use crate::store::{ForeignFeature, read_foreign_layer};

/// The text encoding of a Shapefile's .dbf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextEncoding {
    Gbk,
    #[value(name = "utf-8")]
    Utf8,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Gbk => "GBK",
            TextEncoding::Utf8 => "UTF-8",
        }
    }
}

/// A layer read from a file: its features, and what was learnt about it on the way.
pub struct SourceLayer {
    /// How problems name it: `villages.shp`, `towns.gpkg layer 乡镇`.
    pub label: String,
    pub features: Vec<ForeignFeature>,
    /// Fields that hold numbers: a long code there has lost digits.
    pub numeric_fields: Vec<String>,
    /// The text encoding used (Shapefiles only) and how it was decided.
    pub encoding: Option<String>,
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Which layer to read from each GeoPackage an import names: one name for all (the command
/// line's `--layer`), or one per file (the window's layer chooser), the file's own choice
/// first. Without either, a file with one feature layer (or a GridAtlas document) needs none.
#[derive(Debug, Clone, Default)]
pub struct LayerChoice {
    pub everywhere: Option<String>,
    pub per_file: Vec<(std::path::PathBuf, String)>,
}

impl LayerChoice {
    /// The same layer name for every GeoPackage.
    pub fn everywhere(name: Option<&str>) -> Self {
        LayerChoice {
            everywhere: name.map(str::to_owned),
            per_file: Vec::new(),
        }
    }

    /// The layer to read from `path`, if one was chosen.
    pub fn for_file(&self, path: &Path) -> Option<&str> {
        self.per_file
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, l)| l.as_str())
            .or(self.everywhere.as_deref())
    }
}

/// Reads the layer at `path` (by its extension: .shp, .geojson/.json, .gpkg).
pub fn read_layer(
    path: &Path,
    layer: Option<&str>,
    encoding: Option<TextEncoding>,
) -> Result<SourceLayer, String> {
    let name = file_name(path);
    if !path.exists() {
        return Err(format!("{}: no such file", path.display()));
    }
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("shp") => read_shapefile(path, &name, encoding),
        Some("geojson" | "json") => read_geojson(path, &name),
        Some("gpkg") => {
            let l = read_foreign_layer(path, layer).map_err(|e| e.to_string())?;
            Ok(SourceLayer {
                label: format!("{name} layer {}", l.name),
                features: l.features,
                numeric_fields: l.numeric_columns,
                encoding: None,
            })
        }
        _ => Err(format!(
            "{name}: read a Shapefile (.shp with its .shx and .dbf), GeoJSON (.geojson) or GeoPackage (.gpkg)"
        )),
    }
}

fn read_geojson(path: &Path, name: &str) -> Result<SourceLayer, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| format!("{name}: not GeoJSON: {e}"))?;
    let features = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(format!(
                "{name}: a bare geometry has no code or name; write a FeatureCollection"
            ));
        }
    };
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.into_iter().enumerate() {
        let number = i + 1;
        let geometry = match &f.geometry {
            None => MultiPolygon::new(Vec::new()),
            Some(g) => match geo_types::Geometry::<f64>::try_from(g.value.clone()) {
                Ok(geo_types::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
                Ok(geo_types::Geometry::MultiPolygon(mp)) => mp,
                Ok(_) => {
                    return Err(format!(
                        "{name} feature {number}: not a polygon (the geometry is a {})",
                        geometry_kind(&g.value)
                    ));
                }
                Err(e) => return Err(format!("{name} feature {number}: {e}")),
            },
        };
        let fields = f
            .properties
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        out.push(ForeignFeature {
            number,
            fields,
            geometry,
        });
    }
    Ok(SourceLayer {
        label: name.to_owned(),
        features: out,
        // JSON numbers are doubles: a code written as a number has lost digits just the same.
        numeric_fields: Vec::new(),
        encoding: None,
    })
}

fn geometry_kind(v: &geojson::Value) -> &'static str {
    match v {
        geojson::Value::Point(_) => "Point",
        geojson::Value::MultiPoint(_) => "MultiPoint",
        geojson::Value::LineString(_) => "LineString",
        geojson::Value::MultiLineString(_) => "MultiLineString",
        geojson::Value::Polygon(_) => "Polygon",
        geojson::Value::MultiPolygon(_) => "MultiPolygon",
        geojson::Value::GeometryCollection(_) => "GeometryCollection",
    }
}

fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    // Shapefile parts may be spelt .DBF/.dbf.
    [ext.to_lowercase(), ext.to_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.exists())
}

/// The encoding of a .dbf: its .cpg when there is one; else what the user said; else the
/// language-driver byte of the header (0x4D is GBK, code page 936); else UTF-8 if every text
/// field decodes as UTF-8, otherwise GBK (a Chinese .dbf without a .cpg is GBK in practice —
/// ArcGIS and older QGIS write it so — and GBK bytes are almost never valid UTF-8).
fn dbf_encoding(
    shp: &Path,
    name: &str,
    dbf: &Path,
    given: Option<TextEncoding>,
) -> Result<(Option<TextEncoding>, String), String> {
    if let Some(cpg) = sibling(shp, "cpg") {
        let text = std::fs::read_to_string(&cpg).unwrap_or_default();
        let label = text.trim().to_uppercase();
        return match label.as_str() {
            "UTF-8" | "UTF8" | "65001" => Ok((Some(TextEncoding::Utf8), "UTF-8 (.cpg)".to_owned())),
            "GBK" | "936" | "CP936" | "GB2312" | "GB18030" | "ANSI 936" => Ok((
                Some(TextEncoding::Gbk),
                format!("GBK (.cpg: {})", text.trim()),
            )),
            _ => Err(format!(
                "{name}: its .cpg names the encoding '{}', which is neither UTF-8 nor GBK",
                text.trim()
            )),
        };
    }
    if let Some(e) = given {
        return Ok((Some(e), format!("{} (--encoding)", e.label())));
    }
    let header = std::fs::read(dbf).map_err(|e| format!("{name}: cannot read its .dbf: {e}"))?;
    if header.get(29) == Some(&0x4D) {
        return Ok((
            Some(TextEncoding::Gbk),
            "GBK (.dbf language driver 936)".into(),
        ));
    }
    Ok((None, String::new()))
}

fn read_records(
    dbf: &Path,
    encoding: TextEncoding,
) -> Result<(Vec<dbase::Record>, Vec<String>), dbase::Error> {
    let builder = dbase::ReaderBuilder::new();
    let mut reader = match encoding {
        TextEncoding::Utf8 => builder.with_encoding(dbase::encoding::Unicode).open(dbf)?,
        TextEncoding::Gbk => builder
            .with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
            .open(dbf)?,
    };
    let numeric = reader
        .fields()
        .iter()
        .filter(|f| {
            matches!(
                f.field_type(),
                dbase::FieldType::Numeric
                    | dbase::FieldType::Float
                    | dbase::FieldType::Double
                    | dbase::FieldType::Integer
            )
        })
        .map(|f| f.name().to_owned())
        .collect();
    Ok((reader.read()?, numeric))
}

fn read_shapefile(
    path: &Path,
    name: &str,
    given: Option<TextEncoding>,
) -> Result<SourceLayer, String> {
    let dbf = sibling(path, "dbf")
        .ok_or_else(|| format!("{name}: its .dbf (the attribute table) is missing"))?;
    if sibling(path, "shx").is_none() {
        return Err(format!("{name}: its .shx (the shape index) is missing"));
    }
    let (decided, how) = dbf_encoding(path, name, &dbf, given)?;
    let (records, numeric, how) = match decided {
        Some(e) => {
            let (r, n) = read_records(&dbf, e).map_err(|e| format!("{name} .dbf: {e}"))?;
            (r, n, how)
        }
        None => match read_records(&dbf, TextEncoding::Utf8) {
            Ok((r, n)) => (r, n, "UTF-8 (every text decodes as UTF-8)".to_owned()),
            Err(_) => {
                let (r, n) = read_records(&dbf, TextEncoding::Gbk)
                    .map_err(|e| format!("{name} .dbf: {e}"))?;
                (r, n, "GBK (no .cpg, and the text is not UTF-8)".to_owned())
            }
        },
    };
    let reader = shapefile::ShapeReader::from_path(path).map_err(|e| format!("{name}: {e}"))?;
    let shapes = reader.read().map_err(|e| format!("{name}: {e}"))?;
    if shapes.len() != records.len() {
        return Err(format!(
            "{name}: {} shapes but {} rows in its .dbf",
            shapes.len(),
            records.len()
        ));
    }
    let mut features = Vec::with_capacity(shapes.len());
    for (i, (shape, record)) in shapes.into_iter().zip(records).enumerate() {
        let number = i + 1;
        let geometry = match shape {
            shapefile::Shape::Polygon(p) => rings_to_multipolygon(p.rings(), |q| (q.x, q.y)),
            shapefile::Shape::PolygonZ(p) => rings_to_multipolygon(p.rings(), |q| (q.x, q.y)),
            shapefile::Shape::PolygonM(p) => rings_to_multipolygon(p.rings(), |q| (q.x, q.y)),
            shapefile::Shape::NullShape => MultiPolygon::new(Vec::new()),
            other => {
                return Err(format!(
                    "{name} feature {number}: a {}, not a polygon",
                    other.shapetype()
                ));
            }
        };
        let mut fields: Vec<(String, String)> = record
            .into_iter()
            .map(|(k, v)| (k, field_text(v)))
            .collect();
        fields.sort();
        features.push(ForeignFeature {
            number,
            fields,
            geometry,
        });
    }
    Ok(SourceLayer {
        label: name.to_owned(),
        features,
        numeric_fields: numeric,
        encoding: Some(how),
    })
}

fn field_text(v: dbase::FieldValue) -> String {
    use dbase::FieldValue as F;
    match v {
        F::Character(s) => s.map(|s| s.trim().to_owned()).unwrap_or_default(),
        F::Memo(s) => s.trim().to_owned(),
        F::Numeric(Some(x)) | F::Double(x) | F::Currency(x) => format_number(x),
        F::Float(Some(x)) => format_number(f64::from(x)),
        F::Integer(n) => n.to_string(),
        F::Logical(Some(b)) => b.to_string(),
        other => match other {
            F::Numeric(None) | F::Float(None) | F::Logical(None) | F::Date(None) => String::new(),
            other => format!("{other:?}"),
        },
    }
}

/// A number as a person would type it (no ".0" on whole numbers).
fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e21 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

/// Shapefile rings to polygons: each outer ring starts a polygon; each hole joins the outer
/// ring that contains it (files do not always keep holes right after their ring).
fn rings_to_multipolygon<P>(
    rings: &[shapefile::PolygonRing<P>],
    xy: impl Fn(&P) -> (f64, f64),
) -> MultiPolygon<f64> {
    use geo::Contains;
    let line = |pts: &[P]| {
        LineString::from(
            pts.iter()
                .map(|p| {
                    let (x, y) = xy(p);
                    Coord { x, y }
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    let mut holes = Vec::new();
    for ring in rings {
        match ring {
            shapefile::PolygonRing::Outer(pts) => {
                polygons.push(Polygon::new(line(pts), Vec::new()));
            }
            shapefile::PolygonRing::Inner(pts) => holes.push(line(pts)),
        }
    }
    for hole in holes {
        let Some(first) = hole.0.first().copied() else {
            continue;
        };
        let owner = polygons
            .iter()
            .position(|p| Polygon::new(p.exterior().clone(), Vec::new()).contains(&first))
            .or(polygons.len().checked_sub(1));
        if let Some(i) = owner {
            polygons[i].interiors_push(hole);
        }
    }
    MultiPolygon::new(polygons)
}
