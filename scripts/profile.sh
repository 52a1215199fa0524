#!/usr/bin/env bash
# Profiling driver for the 1 -> 1 path, or 1 -> K with --clients (issue 7, docs/performance.md): one `decnet bus`, one
# subscriber and one publisher of the bench driver, each its own process, on a temp socket. Prints the roles' JSON lines
# and the broker's CPU seconds (start-up included: compare against a run with --count 100), and keeps the broker's
# counters after the run in $out/broker.stats.json (events lost at the broker show there, not in the roles' lines).
#
# usage: scripts/profile.sh [--count N] [--pace-us U] [--perf broker|sub|pub] [--seconds S] [--stat] [--idle-ms M] [--handlers]
#                          [--inline] [--literals L] [--clients K] [--perf-delay D]
#   --idle-ms M  the subscriber gives up after M ms without an event (default 3000; raise it on a loaded box, where a
#                publisher's start-up alone can take longer)
#   --handlers   the subscriber consumes through the handler API (one delivery loop) instead of an enumerator
#   --inline     inline delivery: with --handlers the handlers run on the receive thread while nothing is queued;
#                without, the enumerable consumer resumes on that thread when events arrive
#   --literals L W4's shape: the publisher cycles through L topics, the subscriber holds one subscription per topic
#                plus a wildcard (W4 is --literals 10000 --handlers --inline)
#   --clients K  the subscriber process opens K connections, each subscribing to the stream (W2's shape is --clients 10;
#                its JSON line then counts each connection's deliveries)
#   --perf ROLE  perf record -F 999 -g on that process for S seconds (default 2) once the load runs -> $out/perf.data
#   --perf-delay D  start recording D seconds after the publisher starts (default 0.5); with DOTNET_ReadyToRun=0 the
#                JIT fills the first seconds, so raise it with --count
#   --stat       perf stat --per-thread (sendto, recvmsg, sched_yield, context switches, CPU) on every process for
#                1 s -> $out/stat.<role>
# DECNET_PROFILE_LOAD=path runs the clients from another build of the bench driver (a published one, say), and
# DECNET_PROFILE_BROKER=path the broker from another build of decnet. DECNET_PROFILE_START_S (default 60) bounds the
# waits for the broker's socket and the subscriber's READY line: past it, or when either exits first, the script says so
# in one line, stops what it started and exits 1.
# Needs the Release builds (`dotnet build -c Release src/Decnet.Cli` and `bench/Decnet.Bench.Load`, as
# scripts/bench.sh does) and, for --perf/--stat, linux-perf. Output directory: $PROFILE_OUT or a new temp dir.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
count=1000000
pace=0
perf_role=""
perf_delay=0.5
seconds=2
stat=false
idle_ms=3000
handlers=""
inline=""
literals=()
clients=1
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --pace-us) pace=$2; shift ;;
    --perf) perf_role=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --perf-delay) perf_delay=$2; shift ;;
    --stat) stat=true ;;
    --idle-ms) idle_ms=$2; shift ;;
    --handlers) handlers=--handlers ;;
    --inline) inline=--inline ;;
    --literals) literals=(--literals "$2"); shift ;;
    --clients) clients=$2; shift ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "profile: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

decnet="${DECNET_PROFILE_BROKER:-$root/src/Decnet.Cli/bin/Release/net10.0/decnet}"
load="${DECNET_PROFILE_LOAD:-$root/bench/Decnet.Bench.Load/bin/Release/net10.0/Decnet.Bench.Load}"
for exe in "$decnet" "$load"; do
  [ -x "$exe" ] || { echo "profile: $exe is missing; build it in Release first" >&2; exit 1; }
done

out=${PROFILE_OUT:-$(mktemp -d /tmp/decnet-profile.XXXXXX)}
mkdir -p "$out"
sock="$out/bus.sock"
rm -f "$sock"
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0

start_bound=${DECNET_PROFILE_START_S:-60}
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# W4's shape needs more subscriptions per connection than the default allows (the bench's broker raises it the same
# way, bench/Decnet.Bench.Load/Orchestration/Broker.cs); the cap is only checked, nothing is reserved for it.
DECNET_BUS_MAX_SUBSCRIPTIONS=100000 "$decnet" bus --socket "$sock" --group '' >"$out/broker.log" 2>&1 &
broker=$!
pids+=("$broker")
deadline=$((SECONDS + start_bound))
until [ -S "$sock" ]; do
  kill -0 "$broker" 2>/dev/null || { echo "profile: the broker exited before its socket appeared; see $out/broker.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "profile: the broker's socket did not appear in ${start_bound} s; see $out/broker.log" >&2; exit 1; }
  sleep 0.05
done

"$load" sub --target "$sock" --topic bench --count "$count" --idle-ms "$idle_ms" --clients "$clients" $handlers $inline ${literals[@]+"${literals[@]}"} --system decnet >"$out/sub.out" 2>"$out/sub.err" &
sub=$!
pids+=("$sub")
deadline=$((SECONDS + start_bound))
until grep -q READY "$out/sub.out" 2>/dev/null; do
  kill -0 "$sub" 2>/dev/null || { echo "profile: the subscriber exited; see $out/sub.err" >&2; exit 1; }
  kill -0 "$broker" 2>/dev/null || { echo "profile: the broker exited; see $out/broker.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "profile: the subscriber printed no READY in ${start_bound} s; see $out/sub.err" >&2; exit 1; }
  sleep 0.05
done

"$load" pub --target "$sock" --topic bench --count "$count" --pace-us "$pace" ${literals[@]+"${literals[@]}"} --system decnet >"$out/pub.out" 2>"$out/pub.err" &
pub=$!
pids+=("$pub")

if [ -n "$perf_role" ]; then
  case "$perf_role" in
    broker) target=$broker ;;
    sub) target=$sub ;;
    pub) target=$pub ;;
    *) echo "profile: --perf takes broker, sub or pub" >&2; exit 2 ;;
  esac
  sleep "$perf_delay"
  perf record -F 999 -g -o "$out/perf.data" -p "$target" -- sleep "$seconds" >/dev/null 2>&1
fi

if $stat; then
  sleep 0.3
  events=raw_syscalls:sys_enter,syscalls:sys_enter_sendto,syscalls:sys_enter_recvmsg,syscalls:sys_enter_sched_yield,sched:sched_switch,task-clock
  stats=()
  for role in broker:$broker sub:$sub pub:$pub; do
    perf stat --per-thread -e "$events" -p "${role#*:}" -o "$out/stat.${role%%:*}" -- sleep 1 &
    stats+=("$!")
  done
  wait "${stats[@]}"
fi

wait "$pub"
wait "$sub"
# The broker's own counters (its drops included) after both clients are gone; a loss at the broker shows here.
"$decnet" stats --socket "$sock" --json >"$out/broker.stats.json" 2>&1 || true
echo "broker cpu_s: $(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$broker/stat")"
kill "$broker"
wait "$broker" 2>/dev/null || true
grep -h '^{' "$out/pub.out" "$out/sub.out"
echo "profile: output in $out" >&2
