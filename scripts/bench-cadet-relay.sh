#!/usr/bin/env bash
# Measures CADET channel goodput over one relay between three daemons on
# 127.0.0.1, against raw TCP on the same machine, in one run.
#
#   scripts/bench-cadet-relay.sh [MiB]
#
# It builds hush, starts three daemons in temporary homes (A - B - C, where
# A and C can hold one link each, so A's channel to C crosses B), sends MiB
# mebibytes (default 256) from A to a stealth port on C, and prints both
# rates. Everything stays on loopback and is stopped at the end.
set -euo pipefail
mib=${1:-256}
work=$(mktemp -d)
trap 'pkill -f "hush daemon --home $work" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$(dirname "$0")/.."
go build -o "$work/hush" ./cmd/hush
hush="$work/hush"

for name in a b c; do
  "$hush" init --home "$work/$name" --listen tcp://127.0.0.1:0 >/dev/null
done
for name in a c; do
  sed -i 's/^  max_links = .*/  max_links = 1/' "$work/$name/hush.toml"
done
for name in a b c; do
  "$hush" daemon --home "$work/$name" 2>"$work/$name.log" &
done
sleep 2
target_b=$("$hush" peer id --home "$work/b")@$("$hush" status --home "$work/b" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"][0])')
"$hush" connect --home "$work/a" "$target_b"
"$hush" connect --home "$work/c" "$target_b"
sleep 3
"$hush" cadet secret new >"$work/secret"
c_id=$("$hush" peer id --home "$work/c")
head -c "$((mib << 20))" /dev/urandom >"$work/data"

"$hush" cadet listen --home "$work/c" bulk --secret-file "$work/secret" </dev/null >"$work/received" &
listener=$!
sleep 1
# The first connect builds the tunnel; time a second, warm transfer. C's
# HELLO takes a few seconds to reach the DHT, so the first try may fail.
for try in $(seq 10); do
  echo warm-up | "$hush" cadet connect --home "$work/a" "$c_id" bulk --secret-file "$work/secret" >/dev/null && break
  sleep 3
done
wait "$listener"
"$hush" cadet listen --home "$work/c" bulk --secret-file "$work/secret" </dev/null >"$work/received" &
listener=$!
sleep 1
start=$(date +%s.%N)
"$hush" cadet connect --home "$work/a" "$c_id" bulk --secret-file "$work/secret" <"$work/data" >/dev/null
wait "$listener"
end=$(date +%s.%N)
cmp -s "$work/data" "$work/received" || { echo "received data differs" >&2; exit 1; }
cadet=$(python3 -c "print(f'{$mib/($end-$start):.1f}')")

python3 - "$work/data" <<'PY' >"$work/raw"
import socket, sys, threading, time
data = open(sys.argv[1], "rb").read()
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def sink():
    c, _ = srv.accept(); n = 0
    while True:
        b = c.recv(1 << 20)
        if not b: break
        n += len(b)
    c.close()
t = threading.Thread(target=sink); t.start()
cl = socket.create_connection(srv.getsockname())
start = time.perf_counter(); cl.sendall(data); cl.shutdown(socket.SHUT_WR); t.join()
print(f"{len(data) / (1 << 20) / (time.perf_counter() - start):.1f}")
PY
echo "CADET over one relay: $cadet MiB/s; raw TCP: $(cat "$work/raw") MiB/s ($mib MiB, $(nproc) cores)"
