//! A structural check of a GeoPackage geometry blob before geozero decodes it.
//!
//! Why our own code: geozero's WKB reader trusts the counts in the blob and reserves memory for
//! them, so one damaged ring or part count (a flipped byte in a file, a half-written blob from
//! another tool) asks for gigabytes and aborts the whole process — no error, no message. This
//! walk reads every count and checks it against the bytes that remain before anything is
//! allocated, so a damaged blob becomes an error that names what is wrong.

/// Checks that `blob` is a GeoPackage geometry whose WKB counts fit in its length.
pub(crate) fn check(blob: &[u8]) -> Result<(), String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("geometry: not a GeoPackage geometry blob (no 'GP' header)".into());
    }
    let flags = blob[3];
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => return Err(format!("geometry: envelope code {n} is not 0–4")),
    };
    let start = 8 + envelope;
    if blob.len() < start {
        return Err(format!(
            "geometry: the header announces {start} bytes but the blob has {}",
            blob.len()
        ));
    }
    let mut r = Reader {
        bytes: &blob[start..],
        at: 0,
    };
    // An empty geometry (flag bit 4) may carry no WKB at all.
    if flags & 0b1_0000 != 0 && r.bytes.is_empty() {
        return Ok(());
    }
    r.geometry(0)?;
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], String> {
        if n > self.remaining() {
            return Err(format!(
                "geometry: {what} needs {n} bytes at byte {} but only {} remain",
                self.at,
                self.remaining()
            ));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn u32(&mut self, little: bool, what: &str) -> Result<u32, String> {
        let b: [u8; 4] = self
            .take(4, what)?
            .try_into()
            .map_err(|_| "geometry: short read".to_owned())?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// A count of items of `item` bytes each, no more than the bytes left can hold.
    fn count(&mut self, little: bool, item: usize, what: &str) -> Result<usize, String> {
        let n = self.u32(little, what)? as usize;
        if n.saturating_mul(item) > self.remaining() {
            return Err(format!(
                "geometry: {what} is {n}, more than the {} bytes left can hold",
                self.remaining()
            ));
        }
        Ok(n)
    }

    fn geometry(&mut self, depth: usize) -> Result<(), String> {
        if depth > 8 {
            return Err("geometry: collections nested too deep".into());
        }
        let little = match self.take(1, "the byte order")?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("geometry: byte order {b} is not 0 or 1")),
        };
        let raw = self.u32(little, "the geometry type")?;
        // ISO WKB adds 1000 (Z), 2000 (M), 3000 (ZM) to the type; EWKB sets high bits instead.
        let (kind, dims) = if raw & 0xE000_0000 != 0 {
            if raw & 0x2000_0000 != 0 {
                self.take(4, "the SRID")?;
            }
            let z = usize::from(raw & 0x8000_0000 != 0);
            let m = usize::from(raw & 0x4000_0000 != 0);
            (raw & 0xFFFF, 2 + z + m)
        } else {
            // 0 none, 1 Z, 2 M, 3 ZM: one extra ordinate per bit.
            let extra = ((raw / 1000) % 10).min(3).count_ones() as usize;
            (raw % 1000, 2 + extra)
        };
        let point = 8 * dims;
        match kind {
            1 => {
                self.take(point, "a point")?;
            }
            2 => {
                let n = self.count(little, point, "the point count of a line")?;
                self.take(n * point, "a line")?;
            }
            3 => {
                let rings = self.count(little, 4, "the ring count of a polygon")?;
                for _ in 0..rings {
                    let n = self.count(little, point, "the point count of a ring")?;
                    self.take(n * point, "a ring")?;
                }
            }
            4..=7 => {
                // Each part has at least its own byte order and type.
                let parts = self.count(little, 5, "the part count")?;
                for _ in 0..parts {
                    self.geometry(depth + 1)?;
                }
            }
            k => return Err(format!("geometry: WKB type {k} is not supported")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, 0b0000_0001, 0xE6, 0x10, 0, 0];
        b.extend_from_slice(wkb);
        b
    }

    #[test]
    fn a_point_passes_and_a_huge_ring_count_is_refused() {
        let mut point = vec![1, 1, 0, 0, 0];
        point.extend_from_slice(&113.0f64.to_le_bytes());
        point.extend_from_slice(&28.0f64.to_le_bytes());
        assert!(check(&blob(&point)).is_ok());
        // A polygon claiming 0x0FFF_FFFF rings in a few bytes.
        let polygon = [1, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0, 0];
        let e = check(&blob(&polygon)).unwrap_err();
        assert!(e.contains("ring count"), "{e}");
        // A point cut short.
        assert!(check(&blob(&point[..12])).is_err());
    }
}
