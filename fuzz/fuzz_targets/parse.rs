//! cargo +nightly fuzz run parse   (or: cargo fuzz run parse, from the repository root)
//!
//! Feeds arbitrary bytes through the whole front end: UTF-8 decoding, parsing, validation and
//! formatting. Any panic is a bug; whatever formats must format to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = sovereign_schema::Sources::new();
    let (id, _) = sources.add_bytes("fuzz.prisma", data.to_vec());
    let text = sources.get(id).text().to_string();
    let _ = sovereign_schema::check("fuzz.prisma", &text);
    if let Ok(formatted) = sovereign_schema::format("fuzz.prisma", &text) {
        // Like Prisma, the first pass may leave a comment after `}` that the second pass spaces.
        let again = sovereign_schema::format("fuzz.prisma", &formatted).expect("formatted output stays valid");
        let third = sovereign_schema::format("fuzz.prisma", &again).expect("formatted output stays valid");
        assert_eq!(third, again);
    }
});
