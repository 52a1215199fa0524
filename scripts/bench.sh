#!/usr/bin/env bash
# Side-by-side benchmark (issue 7): Decnet.Core vs nats-server (official Go client) vs Redis (StackExchange.Redis)
# vs a raw C# relay ceiling vs a no-broker socket hop (W1, W3), plus the bridged cross-host path (issue 15: decnet bus A
# -> decnet bridge -> nats-server -> decnet bridge -> decnet bus B; W1, W3). Every workload runs --runs times (default 3)
# per system in this one invocation; the medians go to bench/results/<date>-<host>[-quick].md and .json.
#
# usage: scripts/bench.sh [--quick] [--runs N] [--workloads W1,W2,...] [--systems decnet,nats,bridge,redis,raw,hop] [--micro]
#   --micro also runs the BenchmarkDotNet allocation micro-benchmarks (bench/Decnet.Bench, Transport/*)
#   and writes their table to bench/results/<date>-<host>-micro.md.
#   --micro-only runs just those (no peers needed beyond the .NET SDK).
#   W1S is W1 after a warm-up of unmeasured events back to back and 100 ms of quiet (every system): steady-state rate
#   and client CPU, without process start-up and first compilations, which W1's one-second window includes.
#   W2S is W2 after a warm-up the same way: the fan-out's steady state.
#   W1I is W1 with decnet's enumerable subscriber asking for inline delivery (it resumes on its receive thread, as a
#   consumer that only counts may; decnet only; W1 keeps the default). W3I is W3 with the same option.
#   W1P is W1 with a second subscriber speaking the Python text protocol (a .NET role; decnet only): the broker's
#   JSON translation cost, per published event, against W1's.
#   --keep-logs keeps the temp dir with every server and role log (it is kept anyway when the run fails).
#
# It installs missing peers with apt-get (as root), starts every server itself in a temp dir (loopback port or temp
# UNIX socket), and stops only the processes it started. It never touches system services.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=false
runs=3
default_workloads=W1,W1I,W1S,W1P,W2,W2S,W3,W3I,W4,W5,W6
workloads=$default_workloads
systems=decnet,nats,bridge,redis,raw,hop
micro=false
micro_flag=""
load=true
keep_logs=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --runs) runs=$2; shift ;;
    --workloads) workloads=$2; shift ;;
    --systems) systems=$2; shift ;;
    --micro) micro=true; micro_flag=--micro ;;
    --micro-only) micro=true; load=false; micro_flag=--micro-only ;;
    --keep-logs) keep_logs=true ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# --- peers ---------------------------------------------------------------------------------------------------
if $load; then
nats_src=/usr/share/gocode/src/github.com/nats-io/nats.go
missing=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d "$nats_src" ] || missing+=(golang-github-nats-io-go-nats-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bench: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nats_server=$(command -v nats-server || echo /usr/sbin/nats-server)
redis_server=$(command -v redis-server || echo /usr/bin/redis-server)
fi

# --- temp dir and cleanup of exactly what we started ---------------------------------------------------------
tmp=$(mktemp -d /tmp/decnet-bench.XXXXXX)
export DECNET_BENCH_RUN="$tmp"   # every child inherits it: cleanup kills a pid only if its environ carries it
ours() { [ -r "/proc/$1/environ" ] && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qx "DECNET_BENCH_RUN=$tmp"; }
cleanup() {
  status=$?
  if [ -f "$tmp/pids" ]; then
    while read -r pid; do
      if ours "$pid"; then kill -CONT "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; fi
    done <"$tmp/pids"
    sleep 1
    while read -r pid; do
      if ours "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done <"$tmp/pids"
  fi
  if [ $status -eq 0 ] && ! $keep_logs; then
    rm -rf "$tmp"
  else
    echo "bench: logs kept in $tmp" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -----------------------------------------------------------------------------------------------------
echo "bench: building (Release)" >&2
dotnet build Decnet.Core.sln -c Release -nologo -v quiet >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log" >&2; exit 1; }
if $load; then
  GOCACHE="$tmp/gocache" GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$tmp/natsbench" ./bench/nats-go
fi

decnet="$root/src/Decnet.Cli/bin/Release/net10.0/decnet"
load_driver="$root/bench/Decnet.Bench.Load/bin/Release/net10.0/Decnet.Bench.Load"
host=$(hostname -s)

if $load; then
nats_client_version=$(dpkg-query -W -f '${Version}' golang-github-nats-io-go-nats-dev 2>/dev/null || echo unknown)
versions="$("$nats_server" --version 2>&1 | head -1), $("$redis_server" --version | cut -d' ' -f1-3), nats.go $nats_client_version (Debian), StackExchange.Redis 2.13.17"

suffix=""
quick_flag=()
if $quick; then suffix="-quick"; quick_flag=(--quick); fi
out="$root/bench/results/$(date +%F)-$host$suffix"
mkdir -p "$root/bench/results"

command_line="scripts/bench.sh"
$quick && command_line="$command_line --quick"
[ "$runs" != 3 ] && command_line="$command_line --runs $runs"
[ "$workloads" != "$default_workloads" ] && command_line="$command_line --workloads $workloads"
[ "$systems" != decnet,nats,bridge,redis,raw,hop ] && command_line="$command_line --systems $systems"

echo "bench: running (logs in $tmp)" >&2
"$load_driver" run "${quick_flag[@]}" --runs "$runs" --workloads "$workloads" --systems "$systems" \
  --tmp "$tmp" --decnet "$decnet" --natsbench "$tmp/natsbench" --nats-server "$nats_server" --redis-server "$redis_server" \
  --versions "$versions" --command "$command_line" --out "$out" &
echo $! >>"$tmp/pids"
wait $!
cat "$out.md"
fi

if $micro; then
  echo "bench: micro-benchmarks (BenchmarkDotNet, short job)" >&2
  (cd "$tmp" && dotnet "$root/bench/Decnet.Bench/bin/Release/net10.0/Decnet.Bench.dll" --filter '*Transport*' --job short \
    --inProcess --artifacts "$tmp/bdn" >"$tmp/micro.log" 2>&1) &
  echo $! >>"$tmp/pids"
  wait $!
  micro_out="$root/bench/results/$(date +%F)-$host-micro.md"
  {
    echo "# Transport micro-benchmarks (BenchmarkDotNet [MemoryDiagnoser], short job, in-process)"
    echo
    echo "Command: \`scripts/bench.sh $micro_flag\`. Allocated = bytes per operation (per event for encode, parse, route, match)."
    for report in "$tmp"/bdn/results/*-report-github.md; do echo; cat "$report"; done
  } >"$micro_out"
  cat "$micro_out"
fi
