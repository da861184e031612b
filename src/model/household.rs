use geo_types::Point;

use crate::model::{HouseholdId, TagSet, UnitId};

/// One household record (一户一档). Personal fields (`head_name`, `phone`) are stored in full
/// and masked for display with [`mask_name`] and [`mask_phone`].
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub id: HouseholdId,
    pub code: String,
    pub address: String,
    pub head_name: String,
    pub phone: String,
    pub members: u16,
    pub tags: TagSet,
    /// The micro-grid that contains `location`; `None` when the household lies in no unit.
    pub unit: Option<UnitId>,
    /// EPSG:4326, x = longitude, y = latitude.
    pub location: Point<f64>,
}

/// 张小明 → 张*明, 张明 → 张*, 欧阳小明 → 欧**明: keep the first and (for 3+ characters) the
/// last character.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// 13812345678 → 138****5678; shorter numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() >= 11 {
        let n = chars.len();
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(n - 7))
    } else if chars.len() > 2 {
        let n = chars.len();
        format!(
            "{}{}",
            "*".repeat(n - 2),
            chars[n - 2..].iter().collect::<String>()
        )
    } else {
        "*".repeat(chars.len())
    }
}

/// 430181199001011234 → 430181********1234.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    format!(
        "{}{}{}",
        chars[..6].iter().collect::<String>(),
        "*".repeat(n - 10),
        chars[n - 4..].iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_domain_doc() {
        assert_eq!(mask_name("张小明"), "张*明");
        assert_eq!(mask_name("张明"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0731-8301"), "*******01");
        assert_eq!(mask_id_number("430181199001011234"), "430181********1234");
    }
}
