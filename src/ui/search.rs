//! The search box: units by code or name, households by code, address or head of household.

use crate::model::{Dataset, mask_address, mask_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Unit(usize),
    Household(usize),
    /// Index into `Dataset::cases`.
    Case(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: HitKind,
    /// What the result list shows (personal names masked).
    pub label: String,
}

/// Up to `limit` hits: exact unit codes first, then units by code prefix or name, then households.
pub fn search(d: &Dataset, query: &str, limit: usize) -> Vec<SearchHit> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let digits = q.bytes().all(|b| b.is_ascii_digit());
    let mut hits: Vec<(u8, SearchHit)> = Vec::new();
    for (i, u) in d.units.iter().enumerate() {
        let rank = if u.code == q {
            0
        } else if digits && u.code.starts_with(q) {
            1
        } else if u.name == q {
            0
        } else if u.name.contains(q) {
            2
        } else {
            continue;
        };
        hits.push((
            rank,
            SearchHit {
                kind: HitKind::Unit(i),
                label: format!("{} {}", u.name, u.code),
            },
        ));
    }
    hits.sort_by_key(|(rank, h)| (*rank, h.label.len()));
    let mut out: Vec<SearchHit> = hits.into_iter().map(|(_, h)| h).take(limit).collect();
    // Case codes (SJ20260503000012).
    if q.len() >= 4 && (q.starts_with("SJ") || q.starts_with("sj")) {
        let upper = q.to_uppercase();
        for (i, c) in d.cases.iter().enumerate() {
            if c.code.starts_with(&upper) {
                out.push(SearchHit {
                    kind: HitKind::Case(i),
                    label: format!("{} {}", c.code, c.title),
                });
                if out.len() >= limit {
                    return out;
                }
            }
        }
    }
    // Households need two characters (one would match most of the county).
    if out.len() < limit && q.chars().count() >= 2 {
        for (i, h) in d.households.iter().enumerate() {
            if h.code == q
                || (digits && h.code.starts_with(q))
                || h.address.contains(q)
                || h.head_name == q
            {
                // Masked whatever matched: a search by a person's name must not list where
                // every namesake lives.
                out.push(SearchHit {
                    kind: HitKind::Household(i),
                    label: format!(
                        "{} {} {}",
                        mask_name(&h.head_name),
                        h.code,
                        mask_address(&h.address)
                    ),
                });
                if out.len() >= limit {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatasetMeta, Household, HouseholdId, TagSet};

    fn with_household(name: &str, address: &str) -> Dataset {
        let mut d = Dataset::empty(DatasetMeta::blank());
        d.households.push(Household {
            id: HouseholdId(1),
            code: "4301811010010010010001".into(),
            address: address.into(),
            head_name: name.into(),
            phone: "13812345678".into(),
            members: 3,
            tags: TagSet::empty(),
            unknown_tags: Vec::new(),
            party_contact: None,
            unit: None,
            location: geo_types::Point::new(113.9, 28.2),
        });
        d
    }

    #[test]
    fn a_search_by_name_or_address_shows_only_masked_personal_data() {
        let d = with_household("张小明", "北桥镇福山村1组12号");
        for query in ["张小明", "福山村1组12号", "4301811010010010010001"] {
            let hits = search(&d, query, 5);
            assert_eq!(hits.len(), 1, "{query}");
            let label = &hits[0].label;
            assert!(
                !label.contains("张小明") && !label.contains("12号"),
                "{label}"
            );
            assert!(
                label.contains("张*明") && label.contains("福山村1组**号"),
                "{label}"
            );
        }
    }
}
