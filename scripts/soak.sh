#!/usr/bin/env bash
# Soak: repeats the load-accounting burst and the SIGKILL restart loop until a duration has passed
# (docs/reliability.md §6-§8). The two run one after the other in each round, NOT at the same time.
#   scripts/soak.sh [duration-seconds] [clients-per-side] [events-per-publisher] [kill-cycles-per-round]
# Defaults: 600 s, 100 publishers + 100 subscribers, 2000 events each, 20 SIGKILL cycles per round.
set -uo pipefail
cd "$(dirname "$0")/.."

duration="${1:-600}"
export DECNET_LOAD_PUBLISHERS="${2:-100}"
export DECNET_LOAD_SUBSCRIBERS="${2:-100}"
export DECNET_LOAD_EVENTS="${3:-2000}"
export DECNET_KILL_CYCLES="${4:-20}"
project=tests/Decnet.Bus.Unix.Hardening.Tests/Decnet.Bus.Unix.Hardening.Tests.csproj
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

dotnet build "$project" -v quiet >/dev/null || exit 1
echo "soak: ${duration} s; ${DECNET_LOAD_PUBLISHERS} publishers x ${DECNET_LOAD_EVENTS} events, ${DECNET_LOAD_SUBSCRIBERS} subscribers; ${DECNET_KILL_CYCLES} SIGKILL cycles per round"
end=$((SECONDS + duration))
round=0
failed=0
while [ "$SECONDS" -lt "$end" ]; do
  round=$((round + 1))
  dotnet test "$project" --no-build \
    --filter "FullyQualifiedName~Load.AccountingTests|FullyQualifiedName~Crash.KillLoopTests" \
    --logger "console;verbosity=detailed" >"$log" 2>&1 || failed=$((failed + 1))
  echo "round ${round} (${SECONDS} s):"
  grep -E "publishers x|SIGKILL cycles|Failed |Error Message" "$log" | sed 's/^ */  /'
done
# The last round's per-subscription accounting table.
echo "last accounting table:"
grep -E "^\s+sub-[0-9]+ " "$log"
echo "soak: ${round} rounds, ${failed} failed"
[ "$failed" -eq 0 ]
