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
    /// Tags in the file that are not known (typed by hand in QGIS): kept as they were, written
    /// back, and reported by `check` — one odd word must not make the document unopenable.
    pub unknown_tags: Vec<String>,
    /// The micro-grid that contains `location`; `None` when the household lies in no unit.
    pub unit: Option<UnitId>,
    /// The party member who keeps in touch with the household (党员联户): at most one at a time.
    pub party_contact: Option<crate::model::WorkerId>,
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

/// 北桥镇福山村1组12号 → 北桥镇福山村1组**号: the place stays (town, village, group, road), the
/// house number goes — enough to know where to look, not to knock on the door.
pub fn mask_address(address: &str) -> String {
    const PLACES: [&str; 11] = [
        "组", "村", "社区", "路", "街", "巷", "小区", "栋", "镇", "乡", "道",
    ];
    let cut = PLACES
        .iter()
        .filter_map(|p| address.rfind(p).map(|i| i + p.len()))
        .max()
        .unwrap_or(0);
    let (place, rest) = address.split_at(cut);
    let rest: String = rest
        .chars()
        .map(|c| if c == '号' || c == '室' { c } else { '*' })
        .collect();
    format!("{place}{rest}")
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
    #[test]
    fn addresses_keep_the_place_and_lose_the_number() {
        assert_eq!(
            super::mask_address("北桥镇福山村1组12号"),
            "北桥镇福山村1组**号"
        );
        assert_eq!(
            super::mask_address("淮川街道人民路88号3栋201室"),
            "淮川街道人民路88号3栋***室"
        );
        assert_eq!(super::mask_address("12号"), "**号");
    }

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
