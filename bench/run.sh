#!/usr/bin/env bash
# Prints, from one run on this machine: the parse floor (read + parse every file), chanlint with
# one thread and all threads, with and without the byte scan, peak memory, and the ratios; then
# the same on half the corpus (half the bytes), with the ratio of the times, to show how time
# grows; then one generated 25 MB file, against the floor on that file.
# Wall times are noisy on a shared machine: each figure is the fastest of REPEAT runs (default 3),
# and CPU seconds (user + system, also the least of the runs) are printed next to them.
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

# Wall seconds, peak MB and CPU seconds of one command: the fastest of REPEAT runs (default 3;
# other load on a shared machine only ever adds time), with the largest peak memory.
repeat=${REPEAT:-3}
measure() {
  local stats
  stats=$(mktemp)
  for _ in $(seq "$repeat"); do
    /usr/bin/time -a -o "$stats" -f "%e %M %U %S" "$@" >/dev/null 2>&1 || true
  done
  grep -E '^[0-9.]+ [0-9]+ [0-9.]+ [0-9.]+$' "$stats" | awk '
    NR == 1 || $1 < wall { wall = $1 }
    NR == 1 || $3 + $4 < cpu { cpu = $3 + $4 }
    $2 > mem { mem = $2 }
    END { printf "%s %.0f %.2f", wall, mem / 1024, cpu }'
  rm -f "$stats"
}

# Sets the globals of one run set: fN/nN/sN (wall), m_* (peak MB), c_* (CPU seconds).
run_set() {
  local label=$1; shift
  read -r f1 m_f1 c_f1 <<<"$(measure $floor --threads 1 "$@")"
  read -r fn m_fn c_fn <<<"$(measure $floor --threads "$cores" "$@")"
  read -r n1 m_n1 c_n1 <<<"$(measure $bin check --threads 1 --no-scan --exit-zero "$@")"
  read -r nn m_nn c_nn <<<"$(measure $bin check --threads "$cores" --no-scan --exit-zero "$@")"
  read -r s1 m_s1 c_s1 <<<"$(measure $bin check --threads 1 --exit-zero "$@")"
  read -r sn m_sn c_sn <<<"$(measure $bin check --threads "$cores" --exit-zero "$@")"
  echo "## $label"
  printf "%-26s %9s %9s %9s %9s\n" "" "1 thread" "$cores threads" "CPU s" "peak MB"
  printf "%-26s %9s %9s %9s %9s\n" "parse floor" "$f1" "$fn" "$c_fn" "$(max "$m_f1" "$m_fn")"
  printf "%-26s %9s %9s %9s %9s\n" "chanlint --no-scan" "$n1" "$nn" "$c_nn" "$(max "$m_n1" "$m_nn")"
  printf "%-26s %9s %9s %9s %9s\n" "chanlint (byte scan)" "$s1" "$sn" "$c_sn" "$(max "$m_s1" "$m_sn")"
  awk -v f1="$f1" -v fn="$fn" -v n1="$n1" -v nn="$nn" -v s1="$s1" -v sn="$sn" \
    -v cf="$c_fn" -v cn="$c_nn" -v cs="$c_sn" 'BEGIN {
    printf "ratio no-scan / floor:        %.2fx (1 thread)  %.2fx (all)  %.2fx (CPU)\n", n1 / f1, nn / fn, cn / cf
    printf "speed-up of scan over floor:  %.1fx (1 thread)  %.1fx (all)  %.1fx (CPU)\n", f1 / s1, fn / sn, cf / cs
    printf "threads speed-up (no-scan):   %.2fx\n", n1 / nn
  }'
  echo
}

max() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# The first crates (sorted by name) that hold half the corpus's bytes.
mapfile -t crates < <(ls -d "$corpus"/vendor/*/ | sort)
total=$(find "$corpus/vendor" -name '*.rs' -printf '%s\n' | awk '{ s += $1 } END { print s }')
half=()
half_bytes=0
for crate in "${crates[@]}"; do
  [ "$half_bytes" -ge $(( total / 2 )) ] && break
  half+=("$crate")
  half_bytes=$(( half_bytes + $(find "$crate" -name '*.rs' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }') ))
done

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: ${#crates[@]} crates, $(find "$corpus/vendor" -name '*.rs' | wc -l) files, $(( total / 1000000 )) MB"
echo
run_set "whole corpus" "$corpus/vendor"
read -r all_n1 all_s1 all_cn all_cs <<<"$n1 $s1 $c_nn $c_sn"

# Reading the sources of the registry dependencies the code calls (vendored next to the lock, or
# in $CARGO_HOME's registry cache, whatever this machine has) against a run that reads none.
read -r dw _ dc <<<"$(measure $bin check --threads "$cores" --exit-zero "$corpus/vendor")"
read -r ow _ oc <<<"$(measure $bin check --threads "$cores" --exit-zero --no-dependency-sources "$corpus/vendor")"
read -r dnw _ dnc <<<"$(measure $bin check --threads "$cores" --exit-zero --no-scan "$corpus/vendor")"
read -r onw _ onc <<<"$(measure $bin check --threads "$cores" --exit-zero --no-scan --no-dependency-sources "$corpus/vendor")"
echo "## dependency sources (whole corpus, $cores threads)"
printf "%-34s %9s %9s\n" "" "wall s" "CPU s"
printf "%-34s %9s %9s\n" "byte scan, with / without" "$dw / $ow" "$dc / $oc"
printf "%-34s %9s %9s\n" "--no-scan, with / without" "$dnw / $onw" "$dnc / $onc"
awk -v a="$dc" -v b="$oc" -v c="$dnc" -v d="$onc" 'BEGIN {
  printf "cost of reading them: %.2fx (byte scan, CPU)  %.2fx (--no-scan, CPU)\n", a / b, c / d }'
echo
run_set "half the corpus (${#half[@]} crates, $(( half_bytes / 1000000 )) MB)" "${half[@]}"
echo "## growth: whole corpus / half (bytes ratio $(awk -v t="$total" -v h="$half_bytes" 'BEGIN { printf "%.2f", t / h }'))"
awk -v a="$all_n1" -v h="$n1" -v ac="$all_cn" -v hc="$c_nn" 'BEGIN {
  printf "no-scan time ratio:   %.2fx (1 thread)  %.2fx (CPU, all threads)\n", a / h, ac / hc }'
awk -v a="$all_s1" -v h="$s1" -v ac="$all_cs" -v hc="$c_sn" 'BEGIN {
  printf "byte scan time ratio: %.2fx (1 thread)  %.2fx (CPU, all threads)\n", a / h, ac / hc }'
echo

# One generated file of 25 MB, as the issue asks. chanlint cuts it between items into groups
# (src/big_file.rs); the floor parses it whole, as any syn-based checker would.
big_dir=$(mktemp -d)
trap 'rm -rf "$big_dir"' EXIT
bench/gen_big.sh 25 >"$big_dir/big.rs"
read -r bf mbf cbf <<<"$(measure $floor --threads 1 "$big_dir/big.rs")"
read -r b1 mb1 cb1 <<<"$(measure $bin check --threads 1 --exit-zero "$big_dir/big.rs")"
read -r bn mbn cbn <<<"$(measure $bin check --threads "$cores" --exit-zero "$big_dir/big.rs")"
verdict=$( ($bin check --exit-zero --format short "$big_dir/big.rs" 2>&1 || true) | tail -1)
echo "## one generated file of $(( $(stat -c %s "$big_dir/big.rs") / 1000000 )) MB (bench/gen_big.sh)"
echo "chanlint: $verdict"
printf "%-26s %9s %9s %9s\n" "" "wall s" "CPU s" "peak MB"
printf "%-26s %9s %9s %9s\n" "parse floor, 1 thread" "$bf" "$cbf" "$mbf"
printf "%-26s %9s %9s %9s\n" "chanlint, 1 thread" "$b1" "$cb1" "$mb1"
printf "%-26s %9s %9s %9s\n" "chanlint, $cores threads" "$bn" "$cbn" "$mbn"
awk -v f="$bf" -v c="$b1" -v n="$bn" -v cf="$cbf" -v cc="$cb1" 'BEGIN {
  printf "ratio chanlint / floor:       %.2fx (1 thread)  %.2fx (all threads)  %.2fx (CPU, 1 thread)\n", c / f, n / f, cc / cf }'
