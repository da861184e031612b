//! Which columns are personal, and moving them between the dataset (plain text, in memory
//! only) and the file (sealed, once the document has accounts): households' address, head,
//! phone and tags; workers' phones. Codes, geometry, member counts and everything else the
//! statistics need stay readable, so QGIS still draws and counts households.
//!
//! A dataset read without a key keeps the sealed text in those fields (the tags as one
//! unknown word): nothing can show it, and a write passes it through unchanged.

use rayon::prelude::*;

use crate::model::{Dataset, Household, TagSet, Worker};
use crate::store::sealing::{DocumentKey, is_sealed};

/// `households.phone` and the like: the associated data of a sealed value.
pub(crate) fn column_label(table: &str, column: &str) -> String {
    format!("{table}.{column}")
}

/// The household columns that are sealed, in the order of [`seal_household`].
pub(crate) const HOUSEHOLD_COLUMNS: [&str; 4] = ["address", "head_name", "phone", "tags"];

/// A household's personal columns as the file holds them: sealed with `key`, or plain when
/// the document has no key. (The tags column is the one `write::tags_column` makes.)
pub(crate) fn household_columns(h: &Household, key: Option<&DocumentKey>) -> [String; 4] {
    let plain = [
        h.address.clone(),
        h.head_name.clone(),
        h.phone.clone(),
        crate::store::write::tags_column(h),
    ];
    match key {
        None => plain,
        Some(k) => std::array::from_fn(|i| {
            k.seal(
                &plain[i],
                &column_label("households", HOUSEHOLD_COLUMNS[i]),
                &h.code,
            )
        }),
    }
}

/// A worker's phone as the file holds it (its id binds the seal, so ids come first).
pub(crate) fn worker_phone(w: &Worker, key: Option<&DocumentKey>) -> String {
    match key {
        None => w.phone.clone(),
        Some(k) => k.seal(
            &w.phone,
            &column_label("workers", "phone"),
            &w.id.0.to_string(),
        ),
    }
}

/// Opens every sealed personal value of `d` in place (in parallel: a county has 420,000
/// households). Returns how many values did not open (changed in the file, or sealed for
/// another document); those keep their sealed text and show as such.
pub fn open_dataset(d: &mut Dataset, key: &DocumentKey) -> usize {
    let labels = HOUSEHOLD_COLUMNS.map(|c| column_label("households", c));
    let failed: usize = d
        .households
        .par_iter_mut()
        .map(|h| {
            let mut failed = 0;
            for (field, label) in [
                (&mut h.address, &labels[0]),
                (&mut h.head_name, &labels[1]),
                (&mut h.phone, &labels[2]),
            ] {
                if is_sealed(field) {
                    match key.open(field, label) {
                        Ok(plain) => *field = plain,
                        Err(_) => failed += 1,
                    }
                }
            }
            if let Some(i) = h.unknown_tags.iter().position(|t| is_sealed(t)) {
                match key.open(&h.unknown_tags[i], &labels[3]) {
                    Ok(plain) => {
                        h.unknown_tags.remove(i);
                        let (known, unknown) = TagSet::decode_lenient(&plain);
                        for t in known.iter() {
                            h.tags.insert(t);
                        }
                        h.unknown_tags.extend(unknown);
                    }
                    Err(_) => failed += 1,
                }
            }
            failed
        })
        .sum();
    let label = column_label("workers", "phone");
    let failed_workers = d
        .workers
        .iter_mut()
        .filter(|w| is_sealed(&w.phone))
        .map(|w| match key.open(&w.phone, &label) {
            Ok(plain) => {
                w.phone = plain;
                0
            }
            Err(_) => 1,
        })
        .sum::<usize>();
    failed + failed_workers
}
