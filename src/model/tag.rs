//! Household tags (标签) of the domain doc, and their text encoding in the `households.tags`
//! column: the stable English codes below, in this declaration order, joined by commas, with
//! no spaces (e.g. `low_income,elderly_alone`). An empty string means no tags. The order is
//! fixed so that equal tag sets are equal strings and `LIKE '%elderly_alone%'` works in SQL.

/// One tag. The codes never change: they are stored in files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    // vulnerable groups to visit (访)
    LowIncome,
    ExtremePoverty,
    ElderlyAlone,
    LeftBehindChild,
    Disabled,
    FormerlyPoor,
    // groups under management (问), GB/T 31000 special populations: the most sensitive
    CommunityCorrection,
    ReleasedPrisoner,
    DrugUser,
    SevereMentalIllness,
    Petitioner,
    // other
    PartyMember,
    Rented,
    Shop,
    Enterprise,
}

impl Tag {
    pub const ALL: [Tag; 15] = [
        Tag::LowIncome,
        Tag::ExtremePoverty,
        Tag::ElderlyAlone,
        Tag::LeftBehindChild,
        Tag::Disabled,
        Tag::FormerlyPoor,
        Tag::CommunityCorrection,
        Tag::ReleasedPrisoner,
        Tag::DrugUser,
        Tag::SevereMentalIllness,
        Tag::Petitioner,
        Tag::PartyMember,
        Tag::Rented,
        Tag::Shop,
        Tag::Enterprise,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Tag::LowIncome => "low_income",
            Tag::ExtremePoverty => "extreme_poverty",
            Tag::ElderlyAlone => "elderly_alone",
            Tag::LeftBehindChild => "left_behind_child",
            Tag::Disabled => "disabled",
            Tag::FormerlyPoor => "formerly_poor",
            Tag::CommunityCorrection => "community_correction",
            Tag::ReleasedPrisoner => "released_prisoner",
            Tag::DrugUser => "drug_user",
            Tag::SevereMentalIllness => "severe_mental_illness",
            Tag::Petitioner => "petitioner",
            Tag::PartyMember => "party_member",
            Tag::Rented => "rented",
            Tag::Shop => "shop",
            Tag::Enterprise => "enterprise",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Tag::LowIncome => "低保户",
            Tag::ExtremePoverty => "特困供养",
            Tag::ElderlyAlone => "独居老人",
            Tag::LeftBehindChild => "留守儿童",
            Tag::Disabled => "残疾人",
            Tag::FormerlyPoor => "脱贫户",
            Tag::CommunityCorrection => "社区矫正",
            Tag::ReleasedPrisoner => "刑满释放",
            Tag::DrugUser => "吸毒人员",
            Tag::SevereMentalIllness => "严重精神障碍",
            Tag::Petitioner => "重点信访",
            Tag::PartyMember => "党员户",
            Tag::Rented => "出租户",
            Tag::Shop => "商户",
            Tag::Enterprise => "企业",
        }
    }

    /// Vulnerable groups that the grid visits (访).
    pub fn is_vulnerable(self) -> bool {
        (self as u32) <= Tag::FormerlyPoor as u32
    }

    /// Special populations under management (问): never shown on a wall display.
    pub fn is_special(self) -> bool {
        (Tag::CommunityCorrection as u32..=Tag::Petitioner as u32).contains(&(self as u32))
    }

    /// A tag by its stored code, or by its Chinese name (低保户): a GIS officer typing tags in
    /// QGIS writes the names people use, and the file must still open.
    pub fn from_code(code: &str) -> Option<Tag> {
        Tag::ALL
            .into_iter()
            .find(|t| t.code() == code || t.name_zh() == code)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tag '{0}' (known: low_income, elderly_alone, party_member, …; see README)")]
pub struct TagParseError(pub String);

/// A set of tags, stored as a bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TagSet(u32);

impl TagSet {
    pub fn empty() -> TagSet {
        TagSet(0)
    }

    pub fn insert(&mut self, tag: Tag) {
        self.0 |= tag.bit();
    }

    pub fn contains(self, tag: Tag) -> bool {
        self.0 & tag.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.into_iter().filter(move |t| self.contains(*t))
    }

    /// The `households.tags` column encoding (see module docs).
    pub fn encode(self) -> String {
        self.iter().map(Tag::code).collect::<Vec<_>>().join(",")
    }

    /// Reads what it can: the known tags, and the words that are not tags, as they were.
    pub fn decode_lenient(text: &str) -> (TagSet, Vec<String>) {
        let mut set = TagSet::empty();
        let mut unknown = Vec::new();
        for word in text
            .split([',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match Tag::from_code(word) {
                Some(t) => set.insert(t),
                None => unknown.push(word.to_owned()),
            }
        }
        (set, unknown)
    }

    pub fn decode(text: &str) -> Result<TagSet, TagParseError> {
        let mut set = TagSet::empty();
        // Commas as stored, and the separators Chinese typing gives (，、；).
        for code in text
            .split([',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            set.insert(Tag::from_code(code).ok_or_else(|| TagParseError(code.to_owned()))?);
        }
        Ok(set)
    }
}

impl FromIterator<Tag> for TagSet {
    fn from_iter<I: IntoIterator<Item = Tag>>(iter: I) -> Self {
        let mut set = TagSet::empty();
        for tag in iter {
            set.insert(tag);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_and_separators_are_read_as_tags() {
        let set = TagSet::decode("低保户，独居老人、party_member").unwrap();
        assert_eq!(set.encode(), "low_income,elderly_alone,party_member");
        assert!(TagSet::decode("不存在的标签").is_err());
    }

    #[test]
    fn encoding_is_canonical_and_round_trips() {
        let set: TagSet = [Tag::PartyMember, Tag::LowIncome].into_iter().collect();
        assert_eq!(set.encode(), "low_income,party_member");
        assert_eq!(TagSet::decode("party_member, low_income").unwrap(), set);
        assert_eq!(TagSet::decode("").unwrap(), TagSet::empty());
        assert_eq!(
            TagSet::decode("low_income,vip").unwrap_err(),
            TagParseError("vip".into())
        );
    }

    #[test]
    fn groups_are_disjoint() {
        for tag in Tag::ALL {
            assert!(!(tag.is_vulnerable() && tag.is_special()), "{tag:?}");
            assert_eq!(Tag::from_code(tag.code()), Some(tag));
        }
        assert!(Tag::DrugUser.is_special());
        assert!(Tag::ElderlyAlone.is_vulnerable());
        assert!(!Tag::Shop.is_special() && !Tag::Shop.is_vulnerable());
    }
}
