//! Geometry across the wire: a GeoPackage blob is a small header and then WKB, which PostGIS
//! takes and gives as it is. Our own few lines rather than a crate: geozero would decode and
//! re-encode every vertex of 32,000 outlines to change eight bytes in front of them.

/// The WKB inside a GeoPackage geometry blob (GeoPackage 1.2 §2.1.3: magic, version, flags,
/// srs_id, then an envelope whose size the flags give).
pub(crate) fn wkb_of(blob: &[u8]) -> Result<&[u8], String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("geometry: not a GeoPackage geometry blob".into());
    }
    let envelope = match (blob[3] >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => return Err(format!("geometry: envelope indicator {n} is invalid")),
    };
    blob.get(8 + envelope..)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| "geometry: the blob ends inside its header".into())
}

/// A GeoPackage blob (no envelope, EPSG:4326) around WKB as PostGIS gives it.
pub(crate) fn gpkg_of(wkb: &[u8]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(8 + wkb.len());
    // Version 0; flags: little-endian header, no envelope, not empty, standard binary.
    blob.extend_from_slice(&[b'G', b'P', 0, 0b0000_0001]);
    blob.extend_from_slice(&4326i32.to_le_bytes());
    blob.extend_from_slice(wkb);
    blob
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::geometry::{
        decode_multipolygon, decode_point, encode_multipolygon, encode_point,
    };

    #[test]
    fn round_trips_points_and_outlines() {
        let p = geo_types::Point::new(113.6, 28.15);
        let blob = encode_point(p).unwrap();
        assert_eq!(decode_point(&gpkg_of(wkb_of(&blob).unwrap())).unwrap(), p);
        let mp = geo_types::MultiPolygon::new(vec![geo_types::Polygon::new(
            vec![(113.0, 28.0), (113.1, 28.0), (113.1, 28.1), (113.0, 28.0)].into(),
            vec![],
        )]);
        let blob = encode_multipolygon(&mp).unwrap();
        assert_eq!(
            decode_multipolygon(&gpkg_of(wkb_of(&blob).unwrap())).unwrap(),
            mp
        );
        assert!(wkb_of(b"GP\0\x01").is_err());
    }
}
