// The Prisma 7 peer of `cargo bench -p sovereign-tests --bench client` (benches/client.rs): the
// same nine workloads, on the same schema and data, through Prisma's TypeScript client (the
// `prisma-client` generator, with `@prisma/adapter-better-sqlite3` or `@prisma/adapter-pg`).
//
//   usage (through bench.sh, which generates the client and the tables' SQL, then copies this file
//   beside them in target/prisma-peer/<backend>/ and runs it there with the tsx loader):
//     node --import tsx bench.ts sqlite|postgres [--if-reachable]
//
// Each workload mirrors what `run_once` does on the "sovereign" side: the same calls, the same
// selection (every scalar of the rows written or read, Prisma's default as ours), the same
// checks, and the same clean-up outside the timed part, so that every run sees the same data.
// A warm-up run sizes the rest (about 3 s of runs, 5 to 51; the Rust side takes 11 to 201, its
// medians steadier over more runs of its millisecond workloads); each workload
// prints `<backend>/<workload> runs=N median_ms=X`. `ONLY=<substring>` keeps the workloads whose
// `<backend>/<workload>` contains it.
//
// SQLite: a temporary file with our runtime's settings (WAL, synchronous=NORMAL, foreign keys on,
// a 5 s busy timeout), DateTime stored as Unix milliseconds as ours stores it. PostgreSQL: a new
// database on SOVEREIGN_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// dropped at the end; SYNCHRONOUS_COMMIT=off sets `synchronous_commit` for that database.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

// The data of client.rs's `setup`.
const USERS = 2000;
const AUTHORS = 10;
const POSTS = 100;
const COMMENTS_PER_POST = 5;

/** A database for the benchmark, with Prisma's tables, and how to remove it. */
interface Db {
  prisma: PrismaClient;
  describe: string;
  drop(): Promise<void>;
}

/** Prisma's own migration SQL for the schema (diff.mjs --from empty), written by bench.sh. */
const ddl = () => fs.readFileSync(path.join(here, 'migration.sql'), 'utf8');

const uniqueName = () => `prisma_peer_${process.pid}_${Date.now()}`;

async function sqlite(): Promise<Db> {
  const file = path.join(os.tmpdir(), `${uniqueName()}.db`);
  const files = ['', '-wal', '-shm', '-journal'].map((s) => file + s);
  // better-sqlite3's `timeout` is SQLite's busy timeout (5 s, ours). `unixepoch-ms` stores
  // DateTime as our runtime does (an INTEGER of milliseconds), not as ISO-8601 text.
  const adapter = () =>
    new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5000 }, { timestampFormat: 'unixepoch-ms' });
  // The tables, through a connection of the adapter itself; WAL is a property of the file.
  const setup = await adapter().connect();
  await setup.executeScript(`${ddl()}\nPRAGMA journal_mode = WAL;`);
  await setup.dispose();

  const prisma = new PrismaClient({ adapter: adapter() });
  // The adapter holds one better-sqlite3 connection, which every query and transaction uses:
  // settings made on it hold for the whole run. (better-sqlite3 is built with foreign keys on
  // and synchronous=NORMAL under WAL already; set them anyway, and read them all back.)
  for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000']) {
    await prisma.$queryRawUnsafe(`PRAGMA ${pragma}`);
  }
  const read = async (name: string) => {
    const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
    return String(Object.values(rows[0])[0]);
  };
  assert.deepEqual(
    [await read('journal_mode'), await read('synchronous'), await read('foreign_keys'), await read('busy_timeout')],
    ['wal', '1', '1', '5000'],
    'the SQLite settings of the adapter connection',
  );
  return {
    prisma,
    describe: `${file} (WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout=5000)`,
    async drop() {
      await prisma.$disconnect();
      for (const f of files) fs.rmSync(f, { force: true });
    },
  };
}

/** A new database on the server, or `undefined` when none answers and `optional` is set. */
async function postgres(optional: boolean): Promise<Db | undefined> {
  const serverUrl = process.env.SOVEREIGN_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const sync = process.env.SYNCHRONOUS_COMMIT || process.env.SOVEREIGN_BENCH_SYNCHRONOUS_COMMIT;
  if (sync !== undefined && !['on', 'off', 'local', 'remote_write', 'remote_apply'].includes(sync)) {
    throw new Error(`SYNCHRONOUS_COMMIT=${sync}: on or off`);
  }
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    const why = `no server at ${serverUrl} (${(e as Error).message}); set SOVEREIGN_TEST_POSTGRES_URL`;
    if (!optional) {
      console.error(`postgres: ${why}`);
      process.exit(1);
    }
    console.error(`postgres: skipped, ${why}`);
    return undefined;
  }
  const name = uniqueName();
  await admin.query(`CREATE DATABASE "${name}"`);
  const dropDatabase = async () => {
    // FORCE (PostgreSQL 13+): also when interrupted with the client's connections still open.
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  };
  let prisma: PrismaClient | undefined;
  try {
    if (sync !== undefined) {
      // For every session of the database, before any opens (as the Rust side does).
      await admin.query(`ALTER DATABASE "${name}" SET synchronous_commit = ${sync}`);
    }
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const tables = new pg.Client({ connectionString: url.href });
    await tables.connect();
    await tables.query({ text: `SET client_min_messages = warning;\n${ddl()}` });
    await tables.end();

    // Our runtime's default pool size (2 x logical CPUs + 1); the workloads run one query at a
    // time, so it matters little. Otherwise the adapter's defaults (no prepared-statement names).
    prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: url.href, max: os.availableParallelism() * 2 + 1 }),
    });
    const [{ synchronous_commit }] = await prisma.$queryRawUnsafe<{ synchronous_commit: string }[]>(
      'SELECT current_setting($1) AS synchronous_commit',
      'synchronous_commit',
    );
    if (sync !== undefined) assert.equal(synchronous_commit, sync, 'synchronous_commit of the new database');
    const client = prisma;
    return {
      prisma: client,
      describe: `database ${name} on ${url.host} (synchronous_commit=${synchronous_commit})`,
      async drop() {
        await client.$disconnect();
        await dropDatabase();
      },
    };
  } catch (e) {
    await prisma?.$disconnect();
    await dropDatabase();
    throw e;
  }
}

/** What client.rs's `setup` seeds, through Prisma; the seeded users' ids, in order. */
async function seed(prisma: PrismaClient): Promise<number[]> {
  // 2,000 users with karma 0..2000; the first 10 write 100 posts, each with 5 comments.
  await prisma.user.createMany({
    data: Array.from({ length: USERS }, (_, i) => ({ email: `user${i}@bench.io`, name: `User ${i}`, karma: i })),
  });
  const users = await prisma.user.findMany({ orderBy: { id: 'asc' } });
  const userIds = users.map((u) => u.id);
  await prisma.post.createMany({
    data: Array.from({ length: POSTS }, (_, i) => ({
      title: `Post ${i}`,
      authorId: userIds[i % AUTHORS],
      body: `The body of post ${i}, a few words long.`,
    })),
  });
  const posts = await prisma.post.findMany();
  await prisma.comment.createMany({
    data: posts.flatMap((p) =>
      Array.from({ length: COMMENTS_PER_POST }, (_, j) => ({
        text: `Comment ${j} on post ${p.id}`,
        postId: p.id,
        authorId: p.authorId,
      })),
    ),
  });
  assert.deepEqual(
    [userIds.length, await prisma.post.count(), await prisma.comment.count()],
    [USERS, POSTS, POSTS * COMMENTS_PER_POST],
  );
  const u = users[7];
  assert.equal(u.email, 'user7@bench.io');
  assert.equal(u.name, 'User 7');
  assert.equal(u.karma, 7);
  assert.ok(Math.abs(u.createdAt.getTime() - Date.now()) < 3_600_000, `createdAt ${u.createdAt.toISOString()}`);
  return userIds;
}

interface Workload {
  name: string;
  /** Whether a run adds users (and posts), removed after it. */
  creates: boolean;
  run(): Promise<void>;
}

function workloads(prisma: PrismaClient, userIds: number[]): Workload[] {
  // Emails of created users are unique across runs (as the Rust side's counter).
  let counter = 0;
  const take = (n: number) => {
    const first = counter;
    counter += n;
    return first;
  };
  return [
    {
      name: 'create_1000',
      creates: true,
      async run() {
        const first = take(1000);
        for (let n = first; n < first + 1000; n++) {
          const u = await prisma.user.create({ data: { email: `new${n}@bench.io` } });
          assert.ok(u.id > 0);
        }
      },
    },
    {
      name: 'create_many_1000',
      creates: true,
      async run() {
        const first = take(1000);
        const data = Array.from({ length: 1000 }, (_, i) => ({ email: `many${first + i}@bench.io` }));
        const { count } = await prisma.user.createMany({ data });
        assert.equal(count, 1000);
      },
    },
    {
      name: 'find_many_1000',
      creates: false,
      async run() {
        const users = await prisma.user.findMany({ where: { karma: { lt: 1000 } } });
        assert.equal(users.length, 1000);
      },
    },
    {
      name: 'find_unique_10000',
      creates: false,
      async run() {
        for (let i = 0; i < 10_000; i++) {
          const u = await prisma.user.findUnique({ where: { id: userIds[i % userIds.length] } });
          assert.ok(u, 'the user exists');
        }
      },
    },
    {
      name: 'with_100',
      creates: false,
      async run() {
        // `find_many(vec![]).take(100).with(author).with(comments(vec![]))`: no order, as ours.
        const posts = await prisma.post.findMany({ take: POSTS, include: { author: true, comments: true } });
        assert.deepEqual([posts.length, posts[0].comments.length, posts[0].author !== null], [POSTS, COMMENTS_PER_POST, true]);
      },
    },
    {
      name: 'tx_100',
      creates: false,
      async run() {
        const label = take(1);
        const ids = userIds.slice(0, 100);
        const n = await prisma.$transaction(
          async (tx) => {
            const out = [];
            for (const id of ids) {
              out.push(await tx.user.update({ where: { id }, data: { name: `Renamed ${label}` } }));
            }
            return out.length;
          },
          // Prisma's default limit of 5 s per interactive transaction is not part of the
          // comparison (ours has none); a busy machine must not fail a run.
          { maxWait: 60_000, timeout: 60_000 },
        );
        assert.equal(n, 100);
      },
    },
    {
      name: 'nested_create_100',
      creates: true,
      async run() {
        const first = take(100);
        for (let n = first; n < first + 100; n++) {
          const u = await prisma.user.create({
            data: {
              email: `nested${n}@bench.io`,
              posts: { create: [{ title: 'First' }, { title: 'Second' }, { title: 'Third' }] },
            },
          });
          assert.ok(u.id > 0);
        }
      },
    },
    {
      name: 'aggregate_100',
      creates: false,
      async run() {
        for (let i = 0; i < 100; i++) {
          // count_all(), views::sum(), views::avg(), created_at::max() of an author's posts.
          const r = await prisma.post.aggregate({
            where: { authorId: userIds[i % AUTHORS] },
            _count: { _all: true },
            _sum: { views: true },
            _avg: { views: true },
            _max: { createdAt: true },
          });
          assert.equal(r._count._all, POSTS / AUTHORS);
        }
      },
    },
    {
      name: 'group_by_100',
      creates: false,
      async run() {
        for (let i = 0; i < 100; i++) {
          const groups = await prisma.post.groupBy({
            by: ['authorId'],
            _count: { _all: true },
            _sum: { views: true },
            orderBy: { authorId: 'asc' },
          });
          assert.equal(groups.length, AUTHORS);
        }
      },
    },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const backend = process.argv[2] === 'postgresql' ? 'postgres' : process.argv[2];
  if (backend !== 'sqlite' && backend !== 'postgres') {
    console.error('usage: node --import tsx bench.ts sqlite|postgres [--if-reachable]');
    process.exit(64);
  }
  const db = backend === 'sqlite' ? await sqlite() : await postgres(process.argv.includes('--if-reachable'));
  if (db === undefined) return;
  // Ctrl-C stops after the current run, and the database is still removed (a second Ctrl-C
  // stops at once). The signal is seen between runs only: with SQLite's adapter, which is
  // synchronous, a run never returns to the event loop.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
    });
  }
  const letSignalsIn = async () => {
    await new Promise(setImmediate);
    if (interrupted) throw new Error('interrupted');
  };
  try {
    console.error(`${backend}: ${db.describe}`);
    const { prisma } = db;
    const userIds = await seed(prisma);
    const lastSeeded = userIds[userIds.length - 1];
    const only = process.env.ONLY;
    for (const w of workloads(prisma, userIds)) {
      const id = `${backend}/${w.name}`;
      if (only && !id.includes(only)) continue;
      const runOnce = async () => {
        const t = performance.now();
        await w.run();
        const took = performance.now() - t;
        if (w.creates) {
          // Back to the seeded users (and their posts), as `delete_users_above`.
          await prisma.post.deleteMany({ where: { authorId: { gt: lastSeeded } } });
          await prisma.user.deleteMany({ where: { id: { gt: lastSeeded } } });
        }
        await letSignalsIn();
        return took;
      };
      const pilot = await runOnce();
      const runs = Math.trunc(Math.min(Math.max(3000 / pilot, 5), 51));
      const took: number[] = [];
      for (let k = 0; k < runs; k++) took.push(await runOnce());
      console.log(`${id} runs=${runs} median_ms=${median(took).toFixed(2)}`);
      assert.equal(await prisma.user.count(), USERS, 'the seeded users only, after the runs');
    }
  } catch (e) {
    if (!interrupted) throw e;
  } finally {
    await db.drop();
  }
  if (interrupted) process.exit(130);
}

await main();
