//! Composes the platform schema from prisma/base.prisma and the plugins, checks the committed
//! prisma/schema.prisma against it, and generates the platform's client into OUT_DIR.
fn main() {
    if let Err(e) = sovereign_build::platform().compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
