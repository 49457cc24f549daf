#!/usr/bin/env bash
# Fuzz every parser: `scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]` (default 600 s, all targets).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds come from the
# real-world corpus and the conformance cases beside the repo (../shared). A crash lands in
# fuzz/artifacts/<target>/; copy it to fuzz/regressions/<target>/ so the test suite replays it
# (sfn-asl/tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse_definition parse_path payload_template parse_intrinsic parse_jsonata)
shared=../../shared

seed() {
  local t=$1 dir=corpus/$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  case $t in
    parse_definition)
      cp "$shared"/corpus/real-world/*.json "$dir"/ 2>/dev/null || true ;;
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

for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: ${secs}s"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 2>&1 | tail -n 3
done
