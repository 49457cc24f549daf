#!/usr/bin/env bash
# Fuzz every target: `scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]` (default 600 s, all
# targets, one after another, each in one process).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and no nightly toolchain: cargo-fuzz passes
# `-Z` flags to rustc (AddressSanitizer, coverage), which the stable compiler accepts with
# `RUSTC_BOOTSTRAP=1`, set here. A nightly toolchain works the same way
# (`FUZZ_TOOLCHAIN=+nightly scripts/fuzz.sh`).
#
# Seeds come from the real-world corpus and the conformance cases beside the repo (../shared),
# and for the decoders of AWS answers (aws_*) from the real answers in fuzz/seeds/.
# Each run is capped at 2 GiB of RSS and 30 s per input (a slower input is reported as a
# timeout, a crash like any other). A crash lands in fuzz/artifacts/<target>/; copy it to
# fuzz/regressions/<target>/ so the test suite replays it (sfn-asl/tests/fuzz_regressions.rs,
# sfn-runtime/tests/fuzz_regressions.rs for run_execution and aws_*). The log of each run is
# fuzz/logs/<target>.log; its last lines (runs, exec/s, coverage, features) are printed.
# Corpora, artifacts and logs stay out of git (.gitignore).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse_definition parse_path payload_template parse_intrinsic parse_jsonata run_execution \
  aws_xml_tree aws_query_answer aws_s3_answer aws_json_answer)
shared=../../shared
toolchain=${FUZZ_TOOLCHAIN:-}
export RUSTC_BOOTSTRAP=1

seed() {
  local t=$1 dir=corpus/$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  case $t in
    parse_definition)
      cp "$shared"/corpus/real-world/*.json "$dir"/ 2>/dev/null || true ;;
    aws_*)
      # Answers of a moto server (fuzz/seeds/capture.py wrote them).
      cp seeds/"$t"/* "$dir"/ ;;
    run_execution)
      # Structure-aware: libFuzzer grows its corpus from random bytes; one seed suffices.
      printf 'seed' > "$dir/seed" ;;
    parse_path|parse_intrinsic|payload_template|parse_jsonata)
      # Every string / template found in the conformance definitions.
      python3 - "$t" "$dir" "$shared/conformance/cases" <<'PY'
import json, os, sys, hashlib
target, out, cases = sys.argv[1], sys.argv[2], sys.argv[3]
seen = set()
def emit(s):
    b = s.encode() if isinstance(s, str) else json.dumps(s).encode()
    h = hashlib.sha1(b).hexdigest()
    if h not in seen:
        seen.add(h); open(os.path.join(out, h), 'wb').write(b)
def walk(v, key=None):
    if isinstance(v, dict):
        if target == 'payload_template' and key in ('Parameters', 'ResultSelector', 'ItemSelector', 'Assign'):
            emit(v)
        for k, x in v.items(): walk(x, k)
    elif isinstance(v, list):
        for x in v: walk(x, key)
    elif isinstance(v, str):
        if target == 'parse_path' and v.startswith('$'): emit(v)
        if target == 'parse_intrinsic' and v.startswith('States.'): emit(v)
        if target == "parse_jsonata" and v.startswith("{%") and v.endswith("%}"): emit(v[2:-2])
for f in os.listdir(cases):
    walk(json.load(open(os.path.join(cases, f)))['definition'])
PY
      ;;
  esac
}

mkdir -p logs
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: ${secs}s"
  # shellcheck disable=SC2086 # an empty toolchain is no argument
  # run_execution decodes a whole case from its bytes: it gets room from the start, where
  # libFuzzer would otherwise grow inputs from a few bytes.
  len=(-max_len=65536)
  [ "$t" = run_execution ] && len=(-max_len=4096 -len_control=0)
  cargo $toolchain fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" "${len[@]}" \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    >"logs/$t.log" 2>&1 || echo "!! $t stopped early: see fuzz/logs/$t.log"
  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "logs/$t.log" | tail -n 1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "logs/$t.log" || true
  grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "logs/$t.log" || true
done
