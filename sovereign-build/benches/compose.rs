//! The build-script work for a generated platform of 200 plugins with 5 models each: discovery,
//! manifest parsing, composition and validation. Goal (issue 3): under 100 ms.
//!
//! cargo bench -p sovereign-build --bench compose

use criterion::{criterion_group, criterion_main, Criterion};
use std::fmt::Write;
use std::path::Path;

fn generate(root: &Path, plugins: usize, models: usize) {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root.join("platform/prisma")).unwrap();
    std::fs::write(
        root.join("platform/prisma/base.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel User {\n  id    String @id @default(uuid())\n  email String @unique\n}\n",
    )
    .unwrap();
    for p in 0..plugins {
        let dir = root.join(format!("plugins/p{p:03}"));
        std::fs::create_dir_all(dir.join("prisma")).unwrap();
        std::fs::write(
            dir.join("plugin.json"),
            format!("{{\"id\": \"p{p:03}\", \"name\": \"P{p}\", \"version\": \"1.0.0\", \"sovereign\": {{\"platformCapabilities\": {{\"database\": true}}}}}}"),
        )
        .unwrap();
        let mut ext = String::new();
        for m in 0..models {
            let _ = write!(
                ext,
                "model P{p}M{m} {{\n  id        Int      @id @default(autoincrement())\n  title     String\n  body      String?\n  createdAt DateTime @default(now())\n  ownerId   String\n  owner     User     @relation(fields: [ownerId], references: [id])\n\n  @@index([ownerId])\n}}\n\n"
            );
        }
        std::fs::write(dir.join("prisma/extension.prisma"), ext).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let root = std::env::temp_dir().join("sovereign-bench-compose");
    generate(&root, 200, 5);
    let config = sovereign_build::Config::find(&root).unwrap();
    let composition = sovereign_build::compose_workspace(&config).unwrap();
    assert_eq!(composition.plugins.len(), 200);
    c.bench_function("build_script_work_200_plugins_x_5_models", |b| {
        b.iter(|| {
            sovereign_build::compose_workspace(&config)
                .unwrap()
                .composed
                .text
                .len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
