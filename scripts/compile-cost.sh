#!/usr/bin/env bash
# What `workflow!` adds to a build: a scratch crate with a 100-state workflow (tasks with
# templates, retries and catchers, choices, waits, every path checked against a derived input
# type) against the same crate with a 1-state workflow. Each variant is rebuilt RUNS times after
# touching its source (dependencies stay built); the script prints the medians and the difference.
#
#   scripts/compile-cost.sh            # 5 runs each
#   RUNS=9 scripts/compile-cost.sh
set -euo pipefail

RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sfn-compile-cost.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export CARGO_TARGET_DIR="$SCRATCH/target"
export SFN_ASL_OUT_DIR="$SCRATCH/asl"

mkdir -p "$SCRATCH/crate/src"
cat >"$SCRATCH/crate/Cargo.toml" <<TOML
[package]
name = "sfn-compile-cost"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
sfn = { path = "$ROOT" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[workspace]
TOML

header() {
    cat <<'RS'
use sfn::{workflow, Shape};

#[derive(serde::Serialize, serde::Deserialize, Shape)]
pub struct Order { id: String, total: f64, ok: bool, customer: Customer, items: Vec<Item> }
#[derive(serde::Serialize, serde::Deserialize, Shape)]
pub struct Customer { name: String, email: String }
#[derive(serde::Serialize, serde::Deserialize, Shape)]
pub struct Item { sku: String, quantity: u32 }

RS
}

# 100 states: 25 rounds of task → choice → wait → pass, then the end.
large() {
    header
    echo 'workflow! {'
    echo '    pub Large(Order) {'
    echo '        start T0;'
    for i in $(seq 0 24); do
        n=$((i + 1))
        next="T$n"
        [ "$i" -eq 24 ] && next="Done"
        cat <<RS
        T$i: task "arn:aws:lambda:us-east-1:123456789012:function:f$i" {
            parameters: { "id.\$": "\$.id", "name.\$": "\$.customer.name", "n": $i },
            result_path: "\$.r$i",
            retry: [TaskFailed] every 1s x 3 backoff 2.0,
            catch: [ALL] result_path "\$.error" => Failed,
        } => C$i;
        C$i: choice {
            "\$.total" > $i && "\$.ok" == true => W$i,
            "\$.customer.email" == "x@example.com" => W$i,
            else => P$i,
        };
        W$i: wait { seconds: 1 } => P$i;
        P$i: pass { result: { "round": $i }, result_path: "\$.p$i" } => $next;
RS
    done
    echo '        Done: succeed;'
    echo '        Failed: fail { error: "Failed", cause: "a task failed" };'
    echo '    }'
    echo '}'
    echo 'fn main() { println!("{}", Large::ASL.len()); }'
}

small() {
    header
    cat <<'RS'
workflow! {
    pub Small(Order) {
        start Done;
        Done: succeed;
    }
}
fn main() { println!("{}", Small::ASL.len()); }
RS
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

measure() {
    local gen=$1
    "$gen" >"$SCRATCH/crate/src/main.rs"
    (cd "$SCRATCH/crate" && cargo build -q)
    for _ in $(seq "$RUNS"); do
        touch "$SCRATCH/crate/src/main.rs"
        local start end
        start=$(date +%s.%N)
        (cd "$SCRATCH/crate" && cargo build -q)
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    done | median
}

echo "building dependencies once..." >&2
small_s=$(measure small)
large_s=$(measure large)
printf '1-state workflow:   %.2f s (median of %d)\n' "$small_s" "$RUNS"
printf '100-state workflow: %.2f s (median of %d)\n' "$large_s" "$RUNS"
printf 'the macro adds:     %.2f s for 99 more states\n' "$(echo "$large_s - $small_s" | bc)"
