#!/usr/bin/env bash
# Prints, from one run on this machine: the parse floor (read + parse every file), chanlint with
# one thread and all threads, with and without the byte scan, peak memory, and the ratios; then
# the same on half the corpus, to show how time grows.
# Usage: bench/run.sh [CORPUS_DIR]   (default ~/chanlint-corpus; materialized if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-$HOME/chanlint-corpus}
shared=../shared/corpus
if [ ! -d "$corpus/vendor" ]; then
  mkdir -p "$corpus/src"
  cp "$shared/Cargo.toml.in" "$corpus/Cargo.toml"
  cp "$shared/Cargo.lock.in" "$corpus/Cargo.lock"
  touch "$corpus/src/lib.rs"
  (cd "$corpus" && cargo vendor --locked --versioned-dirs vendor >/dev/null)
fi
cargo build --release --quiet --bin chanlint --example parse_floor
bin=target/release/chanlint
floor=target/release/examples/parse_floor
cores=$(nproc)

# seconds and peak MB of one command
measure() {
  local stats
  stats=$(mktemp)
  /usr/bin/time -o "$stats" -f "%e %M" "$@" >/dev/null 2>&1 || true
  tail -1 "$stats" | awk '{ printf "%s %.0f", $1, $2 / 1024 }'
  rm -f "$stats"
}

run_set() {
  local label=$1; shift
  read -r f1 m_f1 <<<"$(measure $floor --threads 1 "$@")"
  read -r fn m_fn <<<"$(measure $floor --threads "$cores" "$@")"
  read -r n1 m_n1 <<<"$(measure $bin check --threads 1 --no-scan --exit-zero "$@")"
  read -r nn m_nn <<<"$(measure $bin check --threads "$cores" --no-scan --exit-zero "$@")"
  read -r s1 m_s1 <<<"$(measure $bin check --threads 1 --exit-zero "$@")"
  read -r sn m_sn <<<"$(measure $bin check --threads "$cores" --exit-zero "$@")"
  echo "## $label"
  printf "%-34s %8s %8s %10s\n" "" "1 thread" "$cores threads" "peak MB"
  printf "%-34s %8s %8s %10s\n" "parse floor" "$f1" "$fn" "$m_fn"
  printf "%-34s %8s %8s %10s\n" "chanlint --no-scan" "$n1" "$nn" "$m_nn"
  printf "%-34s %8s %8s %10s\n" "chanlint (byte scan)" "$s1" "$sn" "$m_sn"
  awk -v f1="$f1" -v fn="$fn" -v n1="$n1" -v nn="$nn" -v s1="$s1" -v sn="$sn" 'BEGIN {
    printf "ratio no-scan / floor:        %.2fx (1 thread)  %.2fx (all)\n", n1 / f1, nn / fn
    printf "speed-up of scan over floor:  %.1fx (1 thread)  %.1fx (all)\n", f1 / s1, fn / sn
    printf "threads speed-up (no-scan):   %.2fx\n", n1 / nn
  }'
  echo
}

mapfile -t crates < <(ls -d "$corpus"/vendor/*/ | sort)
half=("${crates[@]:0:$(( ${#crates[@]} / 2 ))}")
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "corpus: ${#crates[@]} crates, $(find "$corpus/vendor" -name '*.rs' | wc -l) files"
echo
run_set "whole corpus" "$corpus/vendor"
run_set "half the corpus (${#half[@]} crates)" "${half[@]}"
