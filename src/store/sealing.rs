//! Personal data at rest: the document key, sealing a column's text with it, and wrapping the
//! key once per account under a key derived from that account's passphrase (key slots).
//!
//! - **Cipher**: AES-256-GCM (RustCrypto's `aes-gcm`), named in `gridatlas_meta.personal_cipher`.
//!   A sealed value is text, `enc1:` + base64(nonce ‖ ciphertext ‖ tag), so it sits in the same
//!   TEXT column QGIS shows (as gibberish) and GDAL copies.
//! - **Nonces are derived, not drawn**: SHA-256(key ‖ column ‖ row ‖ plaintext), first 96 bits
//!   (the synthetic-IV idea of AES-GCM-SIV). Two different plaintexts of one column and row
//!   never share a nonce (a collision of 96-bit hashes is as likely as guessing the key's
//!   birthday), and sealing the same value twice gives the same text. That is what lets a write
//!   compare the file's row with the row as read ("only if the row is still as it was") on
//!   sealed columns, and keeps `gridatlas demo` byte-identical for a seed. It reveals that a
//!   field of one row did not change between two writes — nothing across rows, since the row
//!   (its code or id) is part of the derivation.
//! - **Associated data**: the table and column (`households.phone`), so a value moved into
//!   another column fails to open. The row is not bound: a household whose code QGIS changes
//!   must stay readable.
//! - **Key slots**: Argon2id (19 MiB, 2 passes: the crate's defaults, OWASP's minimum) of the
//!   passphrase with the slot's salt gives a key that seals the document key. Changing a
//!   passphrase re-wraps one slot; removing an account removes its slot.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// The cipher a document names in `gridatlas_meta.personal_cipher`.
pub const CIPHER: &str = "AES-256-GCM";
pub use crate::model::{SEALED_PREFIX, is_sealed};

/// The key that seals a document's personal columns. Never stored as such: only wrapped, once
/// per account. The cipher's key schedule is computed once (a county opens 1.7 million values).
#[derive(Clone)]
pub struct DocumentKey {
    bytes: [u8; 32],
    cipher: Aes256Gcm,
}

impl PartialEq for DocumentKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for DocumentKey {}

impl std::fmt::Debug for DocumentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentKey(…)")
    }
}

/// Why a sealed value or a key slot did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the value is not sealed text (enc1:…)")]
    Malformed,
    #[error("the value does not open with this document's key (changed, or from another document)")]
    Forged,
}

impl DocumentKey {
    /// A fresh random key (the operating system's generator).
    pub fn generate() -> DocumentKey {
        DocumentKey::from_bytes(random_bytes())
    }

    fn from_bytes(bytes: [u8; 32]) -> DocumentKey {
        DocumentKey {
            bytes,
            cipher: Aes256Gcm::new(&bytes.into()),
        }
    }

    /// A key from `seed` (the demo: the same seed gives the same file; its passphrases are
    /// published anyway).
    pub fn from_seed(seed: &[u8]) -> DocumentKey {
        DocumentKey::from_bytes(
            Sha256::digest([b"gridatlas demo key\x1f".as_slice(), seed].concat()).into(),
        )
    }

    fn cipher(&self) -> &Aes256Gcm {
        &self.cipher
    }

    /// Seals `plain` for `column` (`households.phone`) of the row `row` (its code or id). Empty
    /// text stays empty: it says nothing, and QGIS filters on it.
    ///
    /// ```
    /// use gridatlas::store::DocumentKey;
    /// let key = DocumentKey::from_seed(b"doc-test");
    /// let sealed = key.seal("13812345678", "households.phone", "43018110100100100101");
    /// assert!(sealed.starts_with("enc1:") && !sealed.contains("1381234"));
    /// assert_eq!(key.open(&sealed, "households.phone").unwrap(), "13812345678");
    /// assert!(key.open(&sealed, "households.address").is_err());
    /// ```
    pub fn seal(&self, plain: &str, column: &str, row: &str) -> String {
        if plain.is_empty() || is_sealed(plain) {
            return plain.to_owned();
        }
        let mut h = Sha256::new();
        for part in [&self.bytes[..], column.as_bytes(), row.as_bytes()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.update(plain.as_bytes());
        let digest = h.finalize();
        let nonce = Nonce::from_slice(&digest[..12]);
        let sealed = self
            .cipher()
            .encrypt(
                nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            // AES-GCM fails only for messages of 64 GiB or more.
            .unwrap_or_default();
        let mut bytes = digest[..12].to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", BASE64.encode(bytes))
    }

    /// Opens a value `seal` made for `column`. Plain text (no `enc1:`) is returned as it is:
    /// another program (QGIS) typed it, and the next write of ours seals it.
    pub fn open(&self, text: &str, column: &str) -> Result<String, SealError> {
        use aes_gcm::aead::AeadInPlace;
        let Some(b64) = text.strip_prefix(SEALED_PREFIX) else {
            return Ok(text.to_owned());
        };
        // Decoded and opened in a buffer on the stack: one allocation per value (the String
        // returned) instead of three, which is most of the cost of opening a county.
        let mut stack = [0u8; 512];
        let mut heap = Vec::new();
        let buf: &mut [u8] = if b64.len() / 4 * 3 + 3 <= stack.len() {
            &mut stack
        } else {
            heap.resize(b64.len() / 4 * 3 + 3, 0);
            &mut heap
        };
        let n = BASE64
            .decode_slice(b64, buf)
            .map_err(|_| SealError::Malformed)?;
        if n < 12 + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, rest) = buf[..n].split_at_mut(12);
        let (body, tag) = rest.split_at_mut(rest.len() - 16);
        self.cipher()
            .decrypt_in_place_detached(
                Nonce::from_slice(nonce),
                column.as_bytes(),
                body,
                aes_gcm::Tag::from_slice(tag),
            )
            .map_err(|_| SealError::Forged)?;
        std::str::from_utf8(body)
            .map(str::to_owned)
            .map_err(|_| SealError::Malformed)
    }

    /// The key wrapped for one account: (salt, wrapped), both base64, with a random salt.
    pub fn wrap(&self, passphrase: &str, account: &str) -> (String, String) {
        self.wrap_with_salt(passphrase, account, &random_bytes::<16>())
    }

    /// The key wrapped with a given salt (the demo's slots are reproducible).
    pub fn wrap_with_salt(&self, passphrase: &str, account: &str, salt: &[u8]) -> (String, String) {
        let kek = slot_key(passphrase, salt);
        // Each slot has its own key (its salt's), used for this one message: a nonce derived
        // from the salt never repeats under one key, and the demo's slots are reproducible.
        let digest = Sha256::digest([b"gridatlas slot nonce\x1f".as_slice(), salt].concat());
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&digest[..12]);
        let sealed = kek
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &self.bytes,
                    aad: slot_aad(account).as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        (BASE64.encode(salt), BASE64.encode(bytes))
    }

    /// Unwraps an account's slot with its passphrase.
    pub fn unwrap(
        passphrase: &str,
        account: &str,
        salt_b64: &str,
        wrapped_b64: &str,
    ) -> Result<DocumentKey, SealError> {
        let salt = BASE64.decode(salt_b64).map_err(|_| SealError::Malformed)?;
        let wrapped = BASE64
            .decode(wrapped_b64)
            .map_err(|_| SealError::Malformed)?;
        if wrapped.len() < 12 + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, body) = wrapped.split_at(12);
        let key = slot_key(passphrase, &salt)
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: slot_aad(account).as_bytes(),
                },
            )
            .map_err(|_| SealError::Forged)?;
        let key: [u8; 32] = key.try_into().map_err(|_| SealError::Malformed)?;
        Ok(DocumentKey::from_bytes(key))
    }

    /// A key for the audit chain's anchor: derived, so the document key itself is used for
    /// sealing only.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        Sha256::digest([&self.bytes[..], b"\x1f", purpose.as_bytes()].concat()).into()
    }
}

fn slot_aad(account: &str) -> String {
    format!("gridatlas key slot\x1f{account}")
}

/// Argon2id of the passphrase with the slot's salt (the crate's default cost).
fn slot_key(passphrase: &str, salt: &[u8]) -> DocumentKey {
    let mut out = [0u8; 32];
    // Fails only for a salt shorter than 8 bytes or an output of the wrong size; ours are
    // fixed (16 and 32), so a failure leaves a key of zeros that opens nothing.
    let _ = argon2::Argon2::default().hash_password_into(passphrase.as_bytes(), salt, &mut out);
    DocumentKey::from_bytes(out)
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut b = [0u8; N];
    // ThreadRng: ChaCha12 seeded from the operating system, a CSPRNG.
    rand::rng().fill_bytes(&mut b);
    b
}

/// Hashes a passphrase for storage (Argon2id, PHC string with its own random salt).
pub fn hash_passphrase(passphrase: &str) -> String {
    hash_passphrase_with_salt(passphrase, &random_bytes::<16>())
}

/// The same with a given salt (the demo's accounts are reproducible).
pub fn hash_passphrase_with_salt(passphrase: &str, salt: &[u8]) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let Ok(salt) = SaltString::encode_b64(salt) else {
        return String::new();
    };
    argon2::Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Whether `passphrase` is the one `stored` (a PHC string) was made from.
pub fn passphrase_matches(passphrase: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(stored).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(passphrase.as_bytes(), &h)
            .is_ok()
    })
}

/// SHA-256 as lowercase hex (the audit chain).
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_slot_opens_with_its_passphrase_only() {
        let key = DocumentKey::generate();
        let (salt, wrapped) = key.wrap("正确的口令", "张三");
        assert_eq!(
            DocumentKey::unwrap("正确的口令", "张三", &salt, &wrapped).unwrap(),
            key
        );
        assert_eq!(
            DocumentKey::unwrap("错误", "张三", &salt, &wrapped),
            Err(SealError::Forged)
        );
        // A slot copied to another account does not open there.
        assert!(DocumentKey::unwrap("正确的口令", "李四", &salt, &wrapped).is_err());
    }

    #[test]
    fn sealing_is_deterministic_per_row_and_differs_across_rows() {
        let key = DocumentKey::from_seed(b"t");
        let a = key.seal("王伟", "households.head_name", "1");
        assert_eq!(a, key.seal("王伟", "households.head_name", "1"));
        assert_ne!(a, key.seal("王伟", "households.head_name", "2"));
        assert_eq!(key.open(&a, "households.head_name").unwrap(), "王伟");
        assert_eq!(key.seal("", "households.head_name", "1"), "");
        // Already sealed text is not sealed twice.
        assert_eq!(key.seal(&a, "households.head_name", "1"), a);
        // Another document's key does not open it.
        assert_eq!(
            DocumentKey::from_seed(b"u").open(&a, "households.head_name"),
            Err(SealError::Forged)
        );
    }

    #[test]
    fn passphrase_hashes_verify() {
        let h = hash_passphrase("口令 1");
        assert!(h.starts_with("$argon2id$"));
        assert!(passphrase_matches("口令 1", &h));
        assert!(!passphrase_matches("口令 2", &h));
    }
}
