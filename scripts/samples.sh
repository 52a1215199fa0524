#!/usr/bin/env bash
# Packs the libraries and the decnet tool into a local folder feed, then builds and runs the samples against those
# *packages* (not project references), so a broken package fails here:
#   1. the FakeBus unit tests of the sample worker (TRX into $1 when given, for .ci/run's totals);
#   2. `decnet bus` installed from the feed as a .NET tool, the sample worker against it (it emits a mutation and
#      exits once its own subscription has seen it), then the sample correlator parsing the side channel it wrote.
# Waits are on acknowledgements (the socket appearing, the worker exiting), bounded by timeouts.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:-}"

# A version no earlier run used, so the NuGet cache can never hand back stale packages of the same number.
prefix="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' version.props)"
suffix="local.$(date +%s)"
version="$prefix-$suffix"
ids=(Decnet.Bus.Abstractions Decnet.Bus.Unix Decnet.Bus.Fake Decnet.Bus.Nats Decnet.Mutator.Events Decnet.Cli)

# Restoring the samples copies this run's packages into the NuGet cache, where no later run asks for that version
# again: cleanup removes them with the rest (each run used to leave six there).
packages="$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: *//p')"
work="$(mktemp -d /tmp/decnet-samples.XXXXXX)"
bus_pid=""
cleanup() {
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  rm -rf "$work"
  if [ -n "$packages" ]; then
    for id in "${ids[@]}"; do rm -rf "${packages%/}/${id,,}/$version"; done
  fi
  return 0
}
trap cleanup EXIT
fail() { echo "samples: FAIL: $*" >&2; for f in "$work"/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done; exit 1; }

feed="artifacts/feed"
rm -rf "$feed"
dotnet pack Decnet.Core.sln -c Release -p:VersionSuffix="$suffix" -o "$feed" -v q -nologo >"$work/pack.log" 2>&1 || fail "dotnet pack failed"
for id in "${ids[@]}"; do
  [ -f "$feed/$id.$version.nupkg" ] || fail "no package $id $version"
  [ -f "$feed/$id.$version.snupkg" ] || fail "no symbol package $id $version"
done

# 1. The sample unit tests (FakeBus injected).
logger=()
[ -n "$results" ] && logger=(--logger "trx;LogFileName=samples.trx" --results-directory "$results")
# The same per-test hang bound as .ci/run: a hung test is named and fails instead of stalling the run.
dotnet test samples/WorkerService.Tests -p:DecnetPackageVersion="$version" -nologo "${logger[@]}" \
  --blame-hang-timeout 5min --blame-hang-dump-type none || fail "sample tests failed"
dotnet build samples/Correlator -p:DecnetPackageVersion="$version" -v q -nologo >"$work/build.log" 2>&1 || fail "correlator build failed"

# 2. The tool from the feed, a broker, the worker against it, the correlator on the side channel.
dotnet tool install Decnet.Cli --version "$version" --tool-path "$work/tool" --add-source "$feed" >"$work/tool.log" 2>&1 \
  || fail "dotnet tool install failed"
export DECNET_BUS_SOCKET="$work/bus.sock" DECNET_BUS_GROUP="" DECNET_INGEST_LOG_FILE="$work/decnet.log"
"$work/tool/decnet" bus >"$work/bus.log" 2>&1 &
bus_pid=$!
deadline=$((SECONDS + 30))
until [ -S "$DECNET_BUS_SOCKET" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the broker socket did not appear in 30 s"
  kill -0 "$bus_pid" 2>/dev/null || fail "the broker exited"
  sleep 0.05
done

timeout 60 dotnet run --project samples/WorkerService --no-launch-profile -p:DecnetPackageVersion="$version" -- \
  --Watcher:EmitDecky=decky-42 --Watcher:ExitAfter=1 >"$work/worker.log" 2>&1 || fail "the worker did not see its mutation"
grep -q "decky decky-42 mutated: ssh -> ssh,http (operator)" "$work/worker.log" || fail "the worker log lacks the mutation"

timeout 60 dotnet samples/Correlator/bin/Debug/net10.0/Decnet.Samples.Correlator.dll "$DECNET_INGEST_LOG_FILE" --once \
  >"$work/correlator.log" 2>&1 || fail "the correlator failed"
grep -q "decky-42: \[ssh\] -> \[ssh,http\] (operator by sample)" "$work/correlator.log" || fail "the correlator did not print the mutation"

kill "$bus_pid"
wait "$bus_pid" || fail "the broker exited $? on SIGTERM"
bus_pid=""
echo "samples: ok (packages $version: tests, worker against decnet bus from the tool package, correlator)"
