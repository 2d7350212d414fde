#!/usr/bin/env bash
# Fuzzes chanlint with cargo-fuzz: each target in turn, SECONDS seconds each (default 600),
# one process. The `bytes` corpus is seeded with the fixtures. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 stands in for nightly.
# --no-cfg-fuzzing: under cfg(fuzzing) proc-macro2 reports every span at line 0, which would
# hide every position bug. No sanitizer (the code is safe Rust), debug assertions on.
#   fuzz/run.sh [SECONDS] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bytes fixtures)
mkdir -p corpus/bytes corpus/fixtures
cp ../fixtures/src/bin/*.rs corpus/bytes/
export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
  echo "== $target: ${seconds}s"
  cargo fuzz run --fuzz-dir . --no-cfg-fuzzing --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -jobs=1 -workers=1 -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | tee "$target.log" | grep -E '^(#[0-9]+: |==|stat::|Done|.*panicked|SUMMARY|artifact)' || true
done
