//! What a sealed personal value looks like in a record read without its document's key: the
//! text the file holds, `enc1:` + base64 (`store::sealing` makes and opens it). Model code
//! only needs to recognise it — to show it as locked and to keep it out of checks of words.

/// What every sealed value starts with.
pub const SEALED_PREFIX: &str = "enc1:";

/// Whether a field holds sealed text rather than the value itself.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(SEALED_PREFIX)
}
