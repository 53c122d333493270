//! Generates the suite's client from `prisma/schema.prisma`, as a user's build script would.
fn main() {
    let schema = std::path::Path::new("prisma/schema.prisma");
    if let Err(e) = sovereign_build::client(schema).compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
