//! What people type, read as they meant it: full-width digits and punctuation (输入法 全角),
//! spaces and dashes in phone numbers, tags by Chinese name, code or common alias.

use crate::model::Tag;

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to their ASCII forms, trimmed.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A phone number with its spaces, dashes and brackets removed; `None` if anything but digits
/// (and a leading +) is left.
pub fn phone(text: &str) -> Option<String> {
    let t: String = half_width(text)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '—' | '－'))
        .collect();
    let digits = t.strip_prefix('+').unwrap_or(&t);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

/// Names people use for the same tag as one of ours.
const TAG_ALIASES: [(&str, Tag); 6] = [
    ("五保户", Tag::ExtremePoverty),
    ("特困户", Tag::ExtremePoverty),
    ("低保", Tag::LowIncome),
    ("空巢老人", Tag::ElderlyAlone),
    ("党员", Tag::PartyMember),
    ("精神障碍", Tag::SevereMentalIllness),
];

/// The tags of a cell: separated by 、，,;； or spaces, each a code, a Chinese name or an alias.
/// Returns the unknown words as the error.
pub fn tags(text: &str) -> Result<Vec<Tag>, Vec<String>> {
    let text = half_width(text);
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for word in text
        .split([',', '，', '、', ';', '；', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let tag = Tag::from_code(word)
            .or_else(|| Tag::from_code(&word.to_lowercase()))
            .or_else(|| {
                TAG_ALIASES
                    .iter()
                    .find(|(a, _)| *a == word)
                    .map(|(_, t)| *t)
            });
        match tag {
            Some(t) => known.push(t),
            None => unknown.push(word.to_owned()),
        }
    }
    if unknown.is_empty() {
        Ok(known)
    } else {
        Err(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_people_type_is_read_as_meant() {
        assert_eq!(half_width("１３８ ００１３"), "138 0013");
        assert_eq!(phone(" 138-0013 8000 ").as_deref(), Some("13800138000"));
        assert_eq!(
            phone("１３８００１３８０００").as_deref(),
            Some("13800138000")
        );
        assert_eq!(phone("call me"), None);
        assert_eq!(
            tags("低保户、五保户 party_member").ok(),
            Some(vec![Tag::LowIncome, Tag::ExtremePoverty, Tag::PartyMember])
        );
        assert_eq!(tags("低保户，外星人"), Err(vec!["外星人".to_owned()]));
    }
}
