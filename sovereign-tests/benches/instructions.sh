#!/usr/bin/env bash
# Instructions per run of each SQLite workload of `cargo bench -p sovereign-tests --bench
# client`, the client's and the rusqlite floor's, counted by valgrind's callgrind: a figure that
# does not move with the machine's load, and differs between processors far less than the time
# (their caches differ; the instructions the code runs do not).
#
#   usage: sovereign-tests/benches/instructions.sh [FILTER] [RUNS]
#     FILTER: a substring of the workload names (default: every SQLite workload)
#     RUNS:   counted runs per side (default 4; find_unique_10000 takes about 10 s a run)
#
# Only the work of a run is counted (the benchmark's `work`: no set-up, checkpoint or clean-up),
# and the warm-up run is taken off: each side runs twice under callgrind, once with one run
# after its warm-up and once with RUNS + 1, and the difference is divided by RUNS. sqlx is left
# out: its SQLite driver works on a thread of its own, which callgrind would not count here.
# Needs valgrind (Debian's package).
set -euo pipefail

filter="${1:-}"
runs="${2:-4}"
case "$runs" in
  '' | *[!0-9]*) runs=0 ;;
esac
if [ "$((10#$runs))" -lt 1 ]; then
  echo "usage: $0 [FILTER] [RUNS]: RUNS is a number of runs, at least 1" >&2
  exit 64
fi
runs=$((10#$runs))
if ! command -v valgrind >/dev/null; then
  echo "instructions.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
  exit 69
fi

workloads=(create_1000 create_many_1000 find_many_1000 find_unique_10000 with_100 tx_100
  tx_100_held nested_create_100 aggregate_100 group_by_100)

matched=0
for w in "${workloads[@]}"; do
  case "$w" in *"$filter"*) matched=1 ;; esac
done
if [ "$matched" -eq 0 ]; then
  echo "instructions.sh: no workload's name holds \`$filter\` (the workloads: ${workloads[*]})" >&2
  exit 64
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
# The benchmark's binary, built as `cargo bench` builds it (cargo's output shown on stderr as it
# comes: through the shell's own descriptor, not a reopened /dev/stderr, whose offset would
# overwrite the start of a log that stdout and stderr share).
bin="$(cargo bench -p sovereign-tests --bench client --no-run 2>&1 | tee >(cat >&2) |
  sed -n 's/^ *Executable .*(\(.*\))$/\1/p' | tail -n 1)"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "instructions.sh: could not find the benchmark's executable in cargo's output" >&2
  exit 70
fi

# The instructions callgrind counted inside `work` in `SOVEREIGN_BENCH_RUNS=$2` runs after the
# warm-up of benchmark `$1` (sqlite/<workload>/<side>).
count() {
  local out
  out="$(SOVEREIGN_BENCH_RUNS="$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    '--toggle-collect=client::work::{{closure}}' "$bin" "$1" 2>&1)" || {
    echo "$out" >&2
    echo "instructions.sh: the run of $1 failed" >&2
    exit 70
  }
  local n
  n="$(echo "$out" | sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p')"
  if [ -z "$n" ] || [ "$n" -eq 0 ]; then
    echo "$out" >&2
    echo "instructions.sh: callgrind counted nothing in client::work for $1" >&2
    exit 70
  fi
  echo "$n"
}

printf '\ninstructions per run (callgrind, %s runs after a warm-up)\n' "$runs"
printf '  %-18s %14s %14s %11s\n' workload sovereign rusqlite ours/floor
for w in "${workloads[@]}"; do
  case "$w" in *"$filter"*) ;; *) continue ;; esac
  per=()
  for side in sovereign rusqlite; do
    one="$(count "sqlite/$w/$side" 1)"
    more="$(count "sqlite/$w/$side" $((runs + 1)))"
    per+=($(((more - one) / runs)))
  done
  printf '  %-18s %14d %14d %11s\n' "$w" "${per[0]}" "${per[1]}" \
    "$(awk -v a="${per[0]}" -v b="${per[1]}" 'BEGIN { printf "%.3f", a / b }')"
done
