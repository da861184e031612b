//! The search box: units by code or name, households by code, address or head of household.

use crate::model::{Dataset, mask_name};

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
                out.push(SearchHit {
                    kind: HitKind::Household(i),
                    label: format!("{} {}", mask_name(&h.head_name), h.address),
                });
                if out.len() >= limit {
                    break;
                }
            }
        }
    }
    out
}
