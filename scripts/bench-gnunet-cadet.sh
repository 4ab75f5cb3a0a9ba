#!/usr/bin/env bash
# Measures bulk transfer through GNUnet 0.19's CADET between two local
# GNUnet peers, as the reference for hush's CADET benchmarks.
#
#   sudo scripts/bench-gnunet-cadet.sh [MiB]
#
# It creates a network namespace that has only a loopback interface, and
# in it two GNUnet peers, A and B, whose only transport is TCP on
# 127.0.0.1 (fixed ports, which is safe because the namespace is new).
# Every service that could reach another host (hostlist, NAT, STUN, UPnP,
# DNS, VPN, exit, resolver) is switched off in their configuration. A and
# B learn each other's HELLO with `gnunet-peerinfo -p`, and the topology
# daemon connects them. The script waits until gnunet-core lists the
# connection on both sides.
#
# Then, for each direction, the receiver runs `gnunet-cadet -o PORT` into
# a file, and the sender runs `gnunet-cadet PEERID PORT` with MiB
# (default 64) mebibytes of random bytes on standard input. A short
# warm-up message first builds and keys the tunnel. The clock starts when
# the sender starts, so it includes opening the channel, and stops when
# polling the received file (every 50 ms) shows all bytes. After
# TRANSFER_LIMIT seconds (default 120) the script gives up on that
# direction and reports the bytes received so far and their rate.
# NSE_WORKDELAY sets the network size estimation service's delay between
# proof-of-work rounds (default "1 h", Debian's is "5 ms"), see
# write_config.
#
# Output: one line per direction with the bytes received, the seconds,
# the rate in MB/s (1 MB = 10^6 bytes), whether the received bytes are
# identical to the sent ones, and the pauses of more than 1 s without
# progress. The header lines show the load average, because other
# programs on the machine change the result. The namespace, the peers and
# the temporary directory are removed at the end, also on failure or
# Ctrl-C (the directory stays, without the data files, on failure).
#
# Needs root (for `ip netns`), iproute2 and Debian's gnunet 0.19 package.
set -euo pipefail
# The C locale gives EPOCHREALTIME and awk a decimal point.
export LC_ALL=C

mib=${1:-64}
# Seconds to wait for one direction's transfer before reporting it incomplete.
transfer_limit=${TRANSFER_LIMIT:-120}
# Delay between the proof-of-work rounds of the network size estimation
# service (see write_config). Debian's default is "5 ms".
nse_workdelay=${NSE_WORKDELAY:-1 h}
# Seconds to wait for the peers to start and to connect.
start_limit=60
connect_limit=90
port_a=24801
port_b=24802
cadet_port=hush-bench

if ! [[ $mib =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-gnunet-cadet: invalid size '$mib', expected a whole number of MiB" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "bench-gnunet-cadet: needs root to create a network namespace; run it with sudo" >&2
  exit 2
fi
for tool in ip gnunet-arm gnunet-peerinfo gnunet-core gnunet-cadet; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench-gnunet-cadet: $tool not found on PATH (install Debian's gnunet and iproute2 packages)" >&2
    exit 2
  fi
done

# A short directory keeps the UNIX socket paths of GNUnet's services
# under the 107 bytes Linux allows.
work=$(mktemp -d /tmp/hgc.XXXXXX)
netns=hush-gnunet-cadet-$$
pids=()

# Stops the peers, kills whatever still runs in the namespace (all of it
# started here) and deletes the namespace. It deletes the temporary
# directory too, unless the script failed.
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if ip netns list | grep -qw "$netns"; then
    for peer in a b; do
      [[ -f $work/$peer/gnunet.conf ]] && gn "$peer" gnunet-arm -e >/dev/null 2>&1 || true
    done
    for _ in $(seq 50); do
      local pids
      pids=$(ip netns pids "$netns")
      [[ -z $pids ]] && break
      for pid in $pids; do
        kill -KILL "$pid" 2>/dev/null || true
      done
      sleep 0.1
    done
    ip netns del "$netns" || echo "bench-gnunet-cadet: failed to delete network namespace $netns" >&2
  fi
  if [[ $status -ne 0 ]]; then
    rm -f "$work"/data "$work"/received-* "$work"/*.fifo
    echo "bench-gnunet-cadet: exited with status $status; the peers' logs and gnunet-cadet's error output are kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the environment that keeps GNUnet's tools away from the user's
# own GNUnet configuration and data.
peer_env() {
  local home=$work/$1
  echo "HOME=$home GNUNET_HOME=$home XDG_CONFIG_HOME=$home/xdg XDG_DATA_HOME=$home/xdg XDG_CACHE_HOME=$home/xdg XDG_RUNTIME_DIR=$home/xdg"
}

# Runs a GNUnet tool for one peer inside the namespace, stopping it after
# LIMIT seconds, because GNUnet's tools wait for their service forever:
#   gn_for LIMIT PEER TOOL ARGS...
# `timeout` passes SIGTERM on to the tool, so killing the process that
# gn_exec leaves (the `timeout` process) stops the tool.
gn_for() {
  local limit=$1 peer=$2 tool=$3
  shift 3
  # shellcheck disable=SC2046 # peer_env prints words without spaces.
  ip netns exec "$netns" timeout -k 5 "$limit" env $(peer_env "$peer") \
    "$tool" -c "$work/$peer/gnunet.conf" "$@"
}

# Runs like gn_for but replaces the calling background shell, so that $!
# is the `timeout` process: gn_exec LIMIT PEER TOOL ARGS...
gn_exec() {
  local limit=$1 peer=$2 tool=$3
  shift 3
  # shellcheck disable=SC2046 # peer_env prints words without spaces.
  exec ip netns exec "$netns" timeout -k 5 "$limit" env $(peer_env "$peer") \
    "$tool" -c "$work/$peer/gnunet.conf" "$@"
}

# Runs a short GNUnet command (20 s limit): gn PEER TOOL ARGS...
gn() {
  gn_for 20 "$@"
}

# Writes PEER's configuration: TCP on 127.0.0.1:PORT as the only
# transport, and nothing that looks beyond this machine.
write_config() {
  local home=$work/$1 port=$2 service
  mkdir -p "$home/log" "$home/xdg"
  {
    cat <<EOF
[PATHS]
GNUNET_HOME = $home
GNUNET_DATA_HOME = $home/data/
GNUNET_CONFIG_HOME = $home/config/
GNUNET_CACHE_HOME = $home/cache/
GNUNET_RUNTIME_DIR = $home/run/
GNUNET_USER_RUNTIME_DIR = $home/run/
GNUNET_TMP = $home/tmp/

[arm]
START_SYSTEM_SERVICES = YES
START_USER_SERVICES = YES
GLOBAL_POSTFIX = -l $home/log/{}.log

[hostlist]
IMMEDIATE_START = NO
START_ON_DEMAND = NO
SERVERS =
OPTIONS =

[peerinfo]
USE_INCLUDED_HELLOS = NO

[topology]
IMMEDIATE_START = YES
FRIENDS-ONLY = NO
MINIMUM-FRIENDS = 0

[nat]
ENABLE_UPNP = NO
USE_STUN = NO
STUN_SERVERS =
DISABLEV6 = YES
BEHIND_NAT = NO
ENABLE_ICMP_SERVER = NO
ENABLE_ICMP_CLIENT = NO
USE_LOCALADDR = YES
RETURN_LOCAL_ADDRESSES = YES
INTERNAL_ADDRESS = 127.0.0.1
EXTERNAL_ADDRESS = 127.0.0.1

# The network size estimation service computes a proof of work in rounds
# with WORKDELAY (5 ms in Debian's nse.conf) between them. With that
# delay it used about half a core per peer for the whole run on a 2-core
# AMD EPYC machine.
# A long delay keeps it from competing with CADET for the CPU, and it
# changes no message that CADET sends.
[nse]
WORKDELAY = $nse_workdelay

[transport]
PLUGINS = tcp

[transport-tcp]
PORT = $port
ADVERTISED_PORT = $port
BINDTO = 127.0.0.1
DISABLEV6 = YES

[dhtu-ip]
ENABLED = NO

[gns]
INTERCEPT_DNS = NO
IMMEDIATE_START = NO
START_ON_DEMAND = NO

EOF
    # Services that could reach other hosts, or that CADET does not need.
    for service in nat-auto dns exit pt vpn dns2gns gns-proxy resolver fs \
      rest reclaim bcd fcfsd messenger conversation zonemaster revocation; do
      printf '[%s]\nIMMEDIATE_START = NO\nSTART_ON_DEMAND = NO\n\n' "$service"
    done
  } >"$home/gnunet.conf"
}

# Waits until PEER's peerinfo service prints its own HELLO with a TCP
# address and prints that HELLO URI.
wait_hello() {
  local peer=$1 deadline=$((SECONDS + start_limit)) hello
  while ((SECONDS < deadline)); do
    hello=$(gn_for 10 "$peer" gnunet-peerinfo -s -g 2>/dev/null | grep -o 'gnunet://hello/[^ ]*' | head -n 1 || true)
    if [[ $hello == *tcp* ]]; then
      echo "$hello"
      return 0
    fi
    sleep 1
  done
  echo "bench-gnunet-cadet: peer $peer printed no HELLO with a TCP address within ${start_limit} s" >&2
  return 1
}

# Waits until core on PEER reports a connection to the peer ID OTHER.
# gnunet-core prints only the first four characters of a peer ID, which
# tell the two peers apart.
wait_connected() {
  local peer=$1 other=$2 deadline=$((SECONDS + connect_limit))
  while ((SECONDS < deadline)); do
    if gn_for 5 "$peer" gnunet-core 2>/dev/null | grep -q "connection established *${other:0:4}"; then
      return 0
    fi
    sleep 1
  done
  echo "bench-gnunet-cadet: peers did not connect within ${connect_limit} s (core on $peer does not list $other)" >&2
  return 1
}

# Starts `gnunet-cadet -o` on PEER, writing what it receives to FILE, and
# sets listener_pid. Its standard input is a FIFO that a sleeping writer
# keeps open, because gnunet-cadet shuts down at end of input.
start_listener() {
  local peer=$1 file=$2 fifo=$work/listen-$1.fifo
  rm -f "$fifo"
  mkfifo "$fifo"
  sleep $((transfer_limit + 60)) >"$fifo" &
  pids+=($!)
  gn_exec $((transfer_limit + 30)) "$peer" gnunet-cadet -o "$cadet_port" \
    <"$fifo" >"$file" 2>"$work/listen-$peer.err" &
  listener_pid=$!
  pids+=("$listener_pid")
}

# Starts `gnunet-cadet PEER_ID PORT` on PEER and sets sender_pid. Its
# standard input is FILE followed by a FIFO that stays open, because at
# end of input gnunet-cadet 0.19.3 closes the channel at once and loses
# what is still queued (360000 of 8388608 bytes arrived in one test).
start_sender() {
  local peer=$1 to_id=$2 file=$3 fifo=$work/send-$1.fifo
  rm -f "$fifo"
  mkfifo "$fifo"
  { cat "$file"; exec sleep $((transfer_limit + 60)); } >"$fifo" &
  pids+=($!)
  gn_exec $((transfer_limit + 30)) "$peer" gnunet-cadet "$to_id" "$cadet_port" \
    <"$fifo" >/dev/null 2>"$work/send-$peer.err" &
  sender_pid=$!
  pids+=("$sender_pid")
}

# Stops the sender and the listener of the last transfer and their input
# writers.
stop_transfer() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

# Sends a short message from peer FROM to peer TO, so that the timed
# transfer runs over a tunnel that CADET has already built and keyed.
warm_up() {
  local from=$1 to=$2 to_id=$3 file=$work/warm-$1$2
  echo "warm-up $from to $to" >"$work/warm-data"
  start_listener "$to" "$file"
  sleep 1
  start_sender "$from" "$to_id" "$work/warm-data"
  local deadline=$((SECONDS + 60))
  until cmp -s "$work/warm-data" "$file"; do
    if ((SECONDS >= deadline)); then
      stop_transfer
      echo "bench-gnunet-cadet: warm-up message from $from to $to not received within 60 s" >&2
      return 1
    fi
    sleep 0.2
  done
  stop_transfer
}

# Prints the current time in microseconds since the epoch.
now_us() {
  echo "${EPOCHREALTIME/./}"
}

# Prints a duration given in microseconds as seconds with three decimals.
seconds() {
  awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'
}

# Sends the data file from peer FROM to peer TO over CADET and prints the
# result line. The clock starts when the sender starts, so it includes
# opening the channel, and stops when the last byte arrives. A pause is
# a time of more than 1 s between two polls that show progress.
transfer() {
  local from=$1 to=$2 to_id=$3 received=$work/received-$1$2
  local size=$((mib << 20)) got=0 last=0 start last_time first_time="" now
  local pauses=0 longest_pause=0
  start_listener "$to" "$received"
  sleep 1

  start=$(now_us)
  last_time=$start
  start_sender "$from" "$to_id" "$work/data"
  while ((got < size)); do
    sleep 0.05
    got=$(stat -c %s "$received")
    now=$(now_us)
    if ((got != last)); then
      if [[ -z $first_time ]]; then
        first_time=$now
      elif ((now - last_time > 1000000)); then
        pauses=$((pauses + 1))
        ((now - last_time > longest_pause)) && longest_pause=$((now - last_time))
      fi
      last=$got
      last_time=$now
    fi
    if ((now - start >= transfer_limit * 1000000)); then
      break
    fi
  done
  stop_transfer

  local duration rate intact
  duration=$(seconds $((last_time - start)))
  rate=$(awk -v n="$got" -v s="$duration" 'BEGIN { printf "%.2f", (s > 0 ? n / s / 1e6 : 0) }')
  local pause_text="$pauses pauses over 1 s, longest $(seconds "$longest_pause") s"
  if ((got == size)); then
    cmp -s "$work/data" "$received" && intact=yes || intact=no
    printf '%s -> %s: %d bytes in %s s = %s MB/s, intact: %s, first byte after %s s, %s\n' \
      "${from^^}" "${to^^}" "$got" "$duration" "$rate" "$intact" \
      "$(seconds $((first_time - start)))" "$pause_text"
    return
  fi
  cmp -s -n "$got" "$work/data" "$received" && intact=yes || intact=no
  printf '%s -> %s: INCOMPLETE, %d of %d bytes within %s s: %s MB/s up to the last progress at %s s, %s, received prefix intact: %s\n' \
    "${from^^}" "${to^^}" "$got" "$size" "$transfer_limit" "$rate" "$duration" "$pause_text" "$intact"
}

ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
write_config a "$port_a"
write_config b "$port_b"
head -c "$((mib << 20))" /dev/urandom >"$work/data"

for peer in a b; do
  if ! gn_for 30 "$peer" gnunet-arm -s >"$work/$peer/arm.out" 2>&1; then
    echo "bench-gnunet-cadet: gnunet-arm failed to start peer $peer:" >&2
    cat "$work/$peer/arm.out" >&2
    exit 1
  fi
done
hello_a=$(wait_hello a)
hello_b=$(wait_hello b)
id_a=$(gn a gnunet-peerinfo -s -q)
id_b=$(gn b gnunet-peerinfo -s -q)
gn a gnunet-peerinfo -p "$hello_b"
gn b gnunet-peerinfo -p "$hello_a"
wait_connected a "$id_b"
wait_connected b "$id_a"
version=$(ip netns exec "$netns" gnunet-arm -v | awk '{ print $2 }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "GNUnet $version, $mib MiB per direction, A=$id_a B=$id_b"
echo "$(nproc) cores ($cpu), NSE WORKDELAY $nse_workdelay, load average before the transfers: $(cut -d' ' -f1-3 /proc/loadavg)"

warm_up a b "$id_b"
transfer a b "$id_b"
warm_up b a "$id_a"
transfer b a "$id_a"
