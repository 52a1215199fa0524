#!/usr/bin/env bash
# Soak: load AND a SIGKILL/restart loop at the same time (docs/reliability-crash-and-soak.md §8). `decnet bus` runs as a child
# process of the driver (tests/Decnet.Bus.Soak) while real UnixSocketBus publishers and subscribers run; each round
# kills the broker N times (restarting it), then balances the last broker lifetime exactly and stops it with SIGTERM.
#   scripts/soak.sh [duration-s] [publishers] [subscribers] [epoch-s] [kills-per-round] [rate-per-publisher]
# Defaults: 600 s, 100 publishers, 100 subscribers, 3 s per broker lifetime, 4 SIGKILLs per round, 50 events/s each
# (0 = flat out). Prints one summary per round, the last exact per-subscription table, and exits non-zero on any
# failure (an inexact balance, a reconnect over 2 s, a publisher exception, an out-of-order or duplicate event).
set -uo pipefail
cd "$(dirname "$0")/.."

duration="${1:-600}"
publishers="${2:-100}"
subscribers="${3:-100}"
epoch="${4:-3}"
kills="${5:-4}"
rate="${6:-50}"
project=tests/Decnet.Bus.Soak/Decnet.Bus.Soak.csproj

dotnet build "$project" -c Release -v quiet -nologo >/dev/null || { echo "soak: build failed" >&2; exit 1; }
exec dotnet "tests/Decnet.Bus.Soak/bin/Release/net10.0/Decnet.Bus.Soak.dll" \
  --duration "$duration" --publishers "$publishers" --subscribers "$subscribers" \
  --epoch "$epoch" --kills "$kills" --rate "$rate"
