//! Parse + validate + resolve a generated 1,000-model schema (10 fields each, with relations).
//! Goal (issue 2): under 20 ms on the 2-core development machine.
//!
//! cargo bench -p sovereign-schema --bench parse

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fmt::Write;

/// 1,000 models of 10 fields: scalars of every kind, a unique, an index, and a relation to the
/// previous model (with its back-relation), so relation resolution is part of the work.
pub fn generated_schema(models: usize) -> String {
    let mut s = String::from(
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nenum Status {\n  ACTIVE\n  ARCHIVED\n}\n",
    );
    for i in 0..models {
        let _ = write!(
            s,
            "\n/// Model number {i}.\nmodel M{i} {{\n  id        Int      @id @default(autoincrement())\n  name      String   @db.VarChar(200)\n  email     String   @unique\n  status    Status   @default(ACTIVE)\n  score     Float?\n  createdAt DateTime @default(now())\n  updatedAt DateTime @updatedAt\n"
        );
        if i > 0 {
            let _ = write!(
                s,
                "  parentId  Int\n  parent    M{p}     @relation(fields: [parentId], references: [id], onDelete: Cascade)\n",
                p = i - 1
            );
        } else {
            s.push_str("  parentId  Int?\n  note      String?\n");
        }
        if i + 1 < models {
            let _ = writeln!(s, "  children  M{}[]", i + 1);
        } else {
            s.push_str("  extra     Json?\n");
        }
        s.push_str("\n  @@index([status, createdAt])\n}\n");
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = generated_schema(1000);
    // The schema must be valid, or the benchmark would measure the error path.
    sovereign_schema::check("bench.prisma", &text).unwrap_or_else(|r| panic!("{}", r.render()));
    let mut group = c.benchmark_group("schema");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_validate_resolve_1000_models", |b| {
        b.iter(|| sovereign_schema::check("bench.prisma", std::hint::black_box(&text)).is_ok())
    });
    group.bench_function("parse_only_1000_models", |b| {
        b.iter(|| {
            sovereign_schema::parse(sovereign_schema::FileId(0), std::hint::black_box(&text))
                .1
                .len()
        })
    });
    group.bench_function("format_1000_models", |b| {
        b.iter(|| sovereign_schema::format("bench.prisma", std::hint::black_box(&text)).is_ok())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
