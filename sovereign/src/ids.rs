//! Client-generated ids for `@default(uuid())`, `cuid()`, `nanoid()` and `ulid()`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::meta::Generated;

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The operating system's generator; failing it is not recoverable.
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b
}

/// The clock in milliseconds since the epoch, for the ids that carry it (0 before 1970).
fn millis() -> u64 {
    u64::try_from(epoch_millis(SystemTime::now())).unwrap_or(0)
}

/// `t` in milliseconds since the epoch, rounded down as chrono's `timestamp_millis` rounds
/// (before 1970 too): also the `now()` SQLite stores ([`crate::query::plan::now`]).
pub(crate) fn epoch_millis(t: SystemTime) -> i64 {
    let clamp = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => clamp(d),
        // A clock set before 1970.
        Err(e) => {
            let back = e.duration();
            -clamp(back) - i64::from(back.subsec_nanos() % 1_000_000 != 0)
        }
    }
}

pub(crate) fn generate(g: Generated) -> String {
    match g {
        Generated::Uuid(7) => uuid(7),
        Generated::Uuid(_) => uuid(4),
        Generated::Cuid(2) => cuid2(),
        Generated::Cuid(_) => cuid(),
        Generated::Nanoid(n) => nanoid(n),
        Generated::Ulid => ulid(),
        Generated::Now => String::new(),
    }
}

fn uuid(version: u8) -> String {
    let mut b: [u8; 16] = random();
    if version == 7 {
        let ms = millis().to_be_bytes();
        b[..6].copy_from_slice(&ms[2..]);
    }
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    let s = String::from_utf8(out).expect("ascii");
    s[s.len() - width..].to_string()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// cuid v1: `c`, time, counter, fingerprint and randomness in base 36 (25 characters).
fn cuid() -> String {
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) % (36 * 36 * 36 * 36);
    let pid = u64::from(std::process::id());
    let r: [u8; 8] = random();
    let r = u64::from_le_bytes(r);
    format!(
        "c{}{}{}{}",
        base36(millis(), 8),
        base36(u64::from(count), 4),
        base36(pid, 4),
        base36(r, 8)
    )
}

/// cuid2: a letter and 23 random base-36 characters.
fn cuid2() -> String {
    let r: [u8; 24] = random();
    let mut s = String::with_capacity(24);
    s.push((b'a' + r[0] % 26) as char);
    for b in &r[1..] {
        s.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(*b % 36) as usize] as char);
    }
    s
}

fn nanoid(len: u8) -> String {
    const ALPHABET: &[u8] = b"useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
    let len = if len == 0 { 21 } else { len as usize };
    let mut b = vec![0u8; len];
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b.iter()
        .map(|x| ALPHABET[(*x & 63) as usize] as char)
        .collect()
}

fn ulid() -> String {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let r: [u8; 10] = random();
    let mut n: u128 = u128::from(millis()) << 80;
    for (i, b) in r.iter().enumerate() {
        n |= u128::from(*b) << (8 * (9 - i));
    }
    (0..26)
        .rev()
        .map(|i| CROCKFORD[((n >> (5 * i)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let u = uuid(4);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(&uuid(7)[14..15], "7");
        assert_eq!(cuid().len(), 25);
        assert!(cuid().starts_with('c'));
        assert_eq!(cuid2().len(), 24);
        assert_eq!(nanoid(0).len(), 21);
        assert_eq!(nanoid(10).len(), 10);
        assert_eq!(ulid().len(), 26);
        assert_ne!(uuid(4), uuid(4));
        assert!(ulid()[..10] <= ulid()[..10], "ulids sort by time");
    }
}
