#!/usr/bin/env bash
# The Prisma 7 peer of `cargo bench -p sovereign-tests --bench client`: the same workloads
# through Prisma's TypeScript client (see README.md in this directory).
#
#   usage: sovereign-tests/prisma-peer/bench.sh [sqlite|postgres ...]
#     default: sqlite, then postgres when a server answers at SOVEREIGN_TEST_POSTGRES_URL
#     (default postgres://postgres@127.0.0.1:5432/postgres)
#   env: ONLY=<substring> (workloads), SYNCHRONOUS_COMMIT=off (PostgreSQL),
#        PRISMA_ORACLE=<dir> (default: ../shared/prisma-oracle beside the repository)
#
# For each backend, in target/prisma-peer/<backend>/ (never in the source tree): the suite's
# schema with that provider and Prisma's `prisma-client` generator, the client generated from it
# offline, Prisma's migration SQL for it (the oracle's diff.mjs), and a copy of bench.ts, run
# with the oracle's tsx. Packages come from the oracle's node_modules, linked there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
oracle="${PRISMA_ORACLE:-$repo/../shared/prisma-oracle}"

if [ ! -f "$oracle/node_modules/prisma/build/index.js" ] || [ ! -d "$oracle/node_modules/@prisma/adapter-pg" ]; then
  echo "prisma-peer: the Prisma toolchain is not installed in $oracle/node_modules; run: (cd $oracle && npm ci)" >&2
  exit 70
fi
oracle="$(cd "$oracle" && pwd)"
# The oracle's offline settings: no engine download, no update check, its empty prisma config.
ORACLE_PRISMA=7
. "$oracle/env.sh"

backends=("$@")
optional=()
if [ ${#backends[@]} -eq 0 ]; then
  backends=(sqlite postgres)
  optional=(--if-reachable)
fi
for b in "${backends[@]}"; do
  case "$b" in
    sqlite|postgres|postgresql) ;;
    *) echo "usage: $0 [sqlite|postgres ...]" >&2; exit 64 ;;
  esac
done

for backend in "${backends[@]}"; do
  [ "$backend" = postgresql ] && backend=postgres
  run="$repo/target/prisma-peer/$backend"
  mkdir -p "$run"
  ln -sfn "$oracle/node_modules" "$run/node_modules"
  echo '{ "type": "module" }' > "$run/package.json"

  # The suite's schema for this provider: Prisma 7 takes no `url` in the datasource, and
  # SQLite has no @db.Text (the Rust suite's `schema_for` drops it too).
  provider=$([ "$backend" = sqlite ] && echo sqlite || echo postgresql)
  sed -e "s/^\( *provider *= *\)\"postgresql\"/\1\"$provider\"/" \
      -e '/^ *url *= *env(/d' \
      -e 's/^\( *\)provider *= *"sovereign"/\1provider     = "prisma-client"\n\1output       = "generated"\n\1moduleFormat = "esm"/' \
      "$repo/sovereign-tests/prisma/schema.prisma" > "$run/schema.prisma"
  if [ "$backend" = sqlite ]; then sed -i 's/ *@db\.Text//' "$run/schema.prisma"; fi

  rm -rf "$run/generated"
  (cd "$run" && node "$PRISMA_BIN" generate --config "$PRISMA_CONFIG" --schema schema.prisma > generate.log 2>&1) || {
    cat "$run/generate.log" >&2
    echo "prisma-peer: prisma generate failed for $run/schema.prisma" >&2
    exit 1
  }
  node "$oracle/diff.mjs" --strip-url --from empty --to "$run/schema.prisma" --raw > "$run/migration.sql"

  cp "$here/bench.ts" "$run/bench.ts"
  # tsx as a loader in this process, not its CLI: the CLI relays Ctrl-C to its child and kills
  # the child 60 ms later, before bench.ts has removed its database.
  (cd "$run" && node --import tsx bench.ts "$backend" "${optional[@]}")
done
