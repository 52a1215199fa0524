#!/usr/bin/env bash
# End-to-end smoke test of the `decnet` CLI against a real broker process:
# bus starts, sub sees a pub, stats answers, SIGTERM removes the socket, clients then exit 69.
# Waits are on acknowledgements ("subscribed" on stderr, the socket appearing), bounded by timeouts.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build src/Decnet.Cli/Decnet.Cli.csproj -v q -nologo >/dev/null
dll=src/Decnet.Cli/bin/Debug/net10.0/decnet.dll
decnet() { dotnet "$dll" "$@"; }

work="$(mktemp -d /tmp/decnet-smoke.XXXXXX)"
export DECNET_BUS_SOCKET="$work/bus.sock" DECNET_BUS_GROUP=""
bus_pid=""
pipe_pid=""
# The piped subscriber runs in a process group of its own (4b): a failure kills all of it, not only its subshell.
cleanup() {
  [ -n "$pipe_pid" ] && kill -- -"$pipe_pid" 2>/dev/null
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "smoke: FAIL: $*" >&2; for f in "$work"/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done; exit 1; }
wait_for() { # wait_for DESCRIPTION SECONDS COMMAND...
  local what="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.05
  done
}

# 1. No broker yet: client commands say so and exit 69.
set +e
decnet pub decky.decky-01.mutation '{}' 2>"$work/unavail.log"; rc=$?
set -e
[ "$rc" -eq 69 ] || fail "pub without a broker exited $rc, expected 69"
grep -q "bus: unavailable at $DECNET_BUS_SOCKET (is 'decnet bus' running?)" "$work/unavail.log" || fail "unavailable message missing"

# 2. Start the broker; the socket appears with mode 0660.
# Started directly (not through the shell function) so $! is the broker itself and SIGTERM reaches it.
dotnet "$dll" bus >"$work/bus.log" 2>&1 &
bus_pid=$!
wait_for "the broker socket" 30 test -S "$DECNET_BUS_SOCKET"
[ "$(stat -c %a "$DECNET_BUS_SOCKET")" = "660" ] || fail "socket mode is $(stat -c %a "$DECNET_BUS_SOCKET"), expected 660"

# 3. A second broker on the same path refuses to start.
set +e
timeout 30 dotnet "$dll" bus >"$work/bus2.log" 2>&1; rc=$?
set -e
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "second broker exited $rc, expected a refusal"

# 4. sub receives what pub sends, as JSON.
decnet sub 'decky.>' --count 1 --timeout 30 --json >"$work/sub.out" 2>"$work/sub.log" &
sub_pid=$!
wait_for "the subscriber's acknowledgement" 30 grep -q "subscribed" "$work/sub.log"
decnet pub decky.decky-01.mutation '{"decky":"decky-01","old_services":["ssh"],"new_services":["http"]}'
wait "$sub_pid" || fail "sub exited $?"
grep -q '"topic":"decky.decky-01.mutation"' "$work/sub.out" || fail "sub did not print the event"
grep -q '"new_services":\["http"\]' "$work/sub.out" || fail "sub did not print the payload"

# 4b. `sub | head -1` ends once head has its line: the next write fails with EPIPE and sub exits 0 (issue 12, item 9).
# --timeout bounds it even if nothing here ends it; set -m gives it a process group that cleanup can kill.
set -m
( set +e; decnet sub 'pipe.>' --json --timeout 120 2>"$work/pipe.log" | head -1 >"$work/pipe.out"; echo "${PIPESTATUS[0]}" >"$work/pipe.rc" ) &
pipe_pid=$!
set +m
wait_for "the piped subscriber's acknowledgement" 30 grep -qs "subscribed" "$work/pipe.log"
# Publish until the pipeline ends: the event after head has exited is the one that meets the closed pipe.
deadline=$((SECONDS + 60))
until [ -s "$work/pipe.rc" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "sub | head -1 did not exit"
  decnet pub pipe.test '{"n":1}'
done
wait "$pipe_pid"
pipe_pid=""
[ "$(cat "$work/pipe.rc")" = "0" ] || fail "sub | head -1: sub exited $(cat "$work/pipe.rc"), expected 0"
grep -q '"topic":"pipe.test"' "$work/pipe.out" || fail "sub | head -1 printed no event"

# 5. sub times out with 124.
set +e
decnet sub 'nothing.here' --count 1 --timeout 1 >/dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 124 ] || fail "sub timeout exited $rc, expected 124"

# 6. stats answers over the socket.
decnet stats >"$work/stats.out" || fail "stats exited $?"
grep -qi "published" "$work/stats.out" || fail "stats printed no counters"

# 7. SIGTERM: clean exit, socket removed.
kill -TERM "$bus_pid"
wait "$bus_pid" || fail "broker exited $? on SIGTERM"
bus_pid=""
[ ! -e "$DECNET_BUS_SOCKET" ] || fail "socket still present after SIGTERM"

echo "smoke: ok"
