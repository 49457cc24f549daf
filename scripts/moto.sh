#!/usr/bin/env bash
# A local moto server for the AWS integration tests and `scripts/integration-conformance`.
#
#   scripts/moto.sh install   installs moto[server] into a venv under target/ (once; cached)
#   scripts/moto.sh path      installs if needed, prints the `moto_server` executable
#   scripts/moto.sh start     installs if needed, starts moto on 127.0.0.1 on a free port,
#                             prints `PORT PID`; stop it with `kill PID`
#
# Needs Python 3 with the venv module and pip, and access to PyPI on the first run.
# SFN_MOTO_VENV overrides where the venv lives; SFN_MOTO_SERVER names a `moto_server`
# executable to use as it is (nothing is installed then).
set -euo pipefail

MOTO_VERSION="5.2.5"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SFN_MOTO_VENV:-${CARGO_TARGET_DIR:-$here/target}/moto-venv}"

install() {
    if [[ -n "${SFN_MOTO_SERVER:-}" ]]; then return; fi
    if [[ -x "$venv/bin/moto_server" && -f "$venv/.moto-$MOTO_VERSION" ]]; then return; fi
    # Two test binaries may ask at once: one installs, the other waits for it.
    mkdir -p "$(dirname "$venv")"
    exec 9>"$venv.lock"
    flock 9
    if [[ -x "$venv/bin/moto_server" && -f "$venv/.moto-$MOTO_VERSION" ]]; then return; fi
    command -v python3 >/dev/null || { echo "moto.sh: python3 is required (with venv and pip)" >&2; exit 1; }
    rm -rf "$venv"
    python3 -m venv "$venv" || { echo "moto.sh: 'python3 -m venv' failed; install the venv module (apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2 \
        || { echo "moto.sh: pip could not install moto[server]==$MOTO_VERSION from PyPI" >&2; exit 1; }
    touch "$venv/.moto-$MOTO_VERSION"
}

server() {
    if [[ -n "${SFN_MOTO_SERVER:-}" ]]; then echo "$SFN_MOTO_SERVER"; else echo "$venv/bin/moto_server"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    install
    local port pid
    port="$(free_port)"
    "$(server)" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
            echo "$port $pid"
            return
        fi
        kill -0 "$pid" 2>/dev/null || { echo "moto.sh: moto_server exited at start" >&2; exit 1; }
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    echo "moto.sh: moto_server did not answer on 127.0.0.1:$port within 10 s" >&2
    exit 1
}

case "${1:-}" in
    install) install ;;
    path) install; server ;;
    start) start ;;
    *) echo "usage: scripts/moto.sh install|path|start" >&2; exit 2 ;;
esac
