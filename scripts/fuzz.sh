#!/usr/bin/env bash
# Long fuzz run of the bus framing and the live broker (docs/reliability.md).
#   scripts/fuzz.sh [frames] [hostile-connections] [seed]
# Defaults: 10,000,000 frames, 10,000 hostile connections, seed 20261123 (the CI run uses 1,000,000 and 1,500).
set -uo pipefail
cd "$(dirname "$0")/.."

export DECNET_FUZZ_FRAMES="${1:-10000000}"
export DECNET_FUZZ_CONNECTIONS="${2:-10000}"
export DECNET_FUZZ_SEED="${3:-20261123}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "fuzz: ${DECNET_FUZZ_FRAMES} frames, ${DECNET_FUZZ_CONNECTIONS} hostile connections, seed ${DECNET_FUZZ_SEED}"
dotnet test tests/Decnet.Bus.Unix.Hardening.Tests/Decnet.Bus.Unix.Hardening.Tests.csproj \
  --filter "FullyQualifiedName~Decnet.Bus.Unix.Hardening.Tests.Fuzz" \
  --logger "console;verbosity=detailed" >"$log" 2>&1
status=$?
grep -E "seed [0-9]+:|^\s+[a-z-]+ +(parsed|ERR then close)|broker rejection|managed heap|Passed |Failed |Total tests|Error Message" "$log"
exit "$status"
