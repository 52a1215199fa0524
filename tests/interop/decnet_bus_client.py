#!/usr/bin/python3
"""A minimal DECNET bus client written only from docs/wire-protocol.md.

It exists to prove the document is complete: if this client talks to the C# broker, a client in any language can be
written from the page alone. Needs Debian's python3-msgpack (`apt-get install python3-msgpack`).

Usage:
  decnet_bus_client.py sub SOCKET PATTERN COUNT
      Subscribes, prints `READY <sid>` after SUBACK, then prints each delivered event as one JSON line
      (topic, type, id, ts, payload, publisher, sids, and trace when the EVT carries one) until COUNT events arrived;
      then says BYE. A bin value is printed as {"$bin": base64}, an ext as {"$ext": {"type", "data"}}, as the broker
      writes them for Python clients (text-protocol.md §2). A NaN or infinite float, which JSON has no number for, is
      printed as `decnet sub` prints it: the string "NaN", "Infinity" or "-Infinity", so every line is JSON.
  decnet_bus_client.py pub SOCKET TOPIC TYPE PAYLOAD_JSON
      Publishes one event, then PING and waits for PONG (frames are processed in order, so the PUB was routed),
      prints `PUBLISHED <id>`, then says BYE. The payload is read as `decnet pub` reads it (its JsonPayload.cs): a
      JSON object; an integer beyond int64/uint64 is sent as a float. What `decnet pub` refuses is refused before
      connecting, as one `ERROR <text>` line and exit code 2: text that is not JSON (Python's NaN, Infinity and
      -Infinity literals included), a number too large to be finite (1e999, or an integer past 1.8e308 however long),
      arrays and objects nested deeper than 64 (the top level included), a top level that is not an object.
  decnet_bus_client.py badtopic SOCKET TOPIC
      Publishes on an invalid topic and prints `ERR <code> <message>` when the broker refuses it, then `OPEN` if the
      broker kept the connection (an ERR naming the request, §6) or `CLOSED` if it closed it.

Connecting, the handshake and each request (SUB, PING) wait at most DECNET_BUS_CLIENT_TIMEOUT seconds (default 10);
a subscriber then waits for events as long as it takes (the broker's PINGs are answered meanwhile). A frame this
client cannot decode (not MessagePack, a string that is not UTF-8) or print (an event with a bin map key, which JSON
has no form for) prints `ERROR <text>` on one line and exits 1; an ERR that ends a command (one refusing the
handshake, the SUB, or closing the connection) prints `ERR <code> <message>` and exits 1. Every printed line is escaped
as the C# side's UntrustedText escapes a string from the wire (decnet_text_client.py does the same): a control
character (C0, DEL, C1: ESC, CR, LF...), a Unicode format character, a line or paragraph separator and a lone
surrogate are printed as `\\uXXXX` (`\\UXXXXXXXX` beyond the BMP), so nothing the broker sends can move the cursor or
start a terminal escape sequence.
"""

import base64
import json
import math
import os
import re
import secrets
import socket
import struct
import sys
import time
import unicodedata

try:
    import msgpack
except ImportError:
    sys.stderr.write("python3-msgpack is missing: run `apt-get install -y python3-msgpack`\n")
    sys.exit(3)

# §3 frame kinds.
HELLO, WELCOME, PUB, SUB, SUBACK, UNSUB, EVT, PING, PONG, ERR, BYE, STATS, STATS_REPLY = range(1, 14)
VERSION = 1
TIMEOUT = float(os.environ.get("DECNET_BUS_CLIENT_TIMEOUT", "10"))


# What UntrustedText.Escape escapes: control, format, line and paragraph separator, lone surrogate. The same function
# as decnet_text_client.py's: each script stands alone, needing nothing but what its docstring names.
_UNSAFE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))


def untrusted(text):
    """`text` with every unsafe character written as \\uXXXX (\\UXXXXXXXX beyond the BMP), as UntrustedText does."""
    out = []
    for ch in text:
        if " " <= ch <= "~" or unicodedata.category(ch) not in _UNSAFE:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append("\\U%08X" % ord(ch))
        else:
            out.append("\\u%04X" % ord(ch))
    return "".join(out)


def say(line):
    # Lines quote the broker (its ERR messages, the texts of frames it cannot decode): escaped here, once, so no path
    # can print one raw.
    sys.stdout.write(untrusted(line) + "\n")
    sys.stdout.flush()


class DecodeError(Exception):
    """A frame from the broker that is not what §2/§3 describe: printed as one ERROR line, not a traceback."""


# bin and ext have no JSON form: a subscriber prints them as the broker writes them for Python clients
# (text-protocol.md §2). An ext is converted as it is unpacked (msgpack's ExtType is a tuple, which json would print
# as an array), bin and the timestamp ext (unpacked as a Timestamp) when printed.
def ext_json(code, data):
    return {"$ext": {"type": code, "data": base64.b64encode(data).decode("ascii")}}


def json_default(value):
    if isinstance(value, bytes):
        return {"$bin": base64.b64encode(value).decode("ascii")}
    if isinstance(value, msgpack.Timestamp):
        return ext_json(-1, value.to_bytes())
    raise TypeError(f"{type(value).__name__} has no JSON form")


def non_finite_json(value):
    """`value` with each NaN or infinite float replaced as `decnet sub` writes it (its MessagePackJson.cs): the string
    "NaN", "Infinity" or "-Infinity", so every line is JSON (Python's json would write the literal NaN, which is not).
    Map keys are str or bin here: msgpack's strict_map_key refuses any other key as it unpacks (an ERROR line)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [non_finite_json(item) for item in value]
    if isinstance(value, dict):
        return {key: non_finite_json(item) for key, item in value.items()}
    return value


def event_json(event):
    """One event as one JSON line, or DecodeError when it has none. The broker checks only a payload's own keys and
    forwards nested maps unchecked (wire-protocol.md §2), so a bin key can arrive. JSON has no form for one, and the
    broker has none either (it drops such an event for text-protocol subscribers, text-protocol.md §2); inventing one
    (a base64 string key) could collide with a real str key. So, like any other value json cannot write, it is the
    broker's data this client cannot print: one ERROR line, not a traceback."""
    try:
        # allow_nan=False: a non-finite float the walk missed is an ERROR line, never a line that is not JSON.
        return json.dumps(non_finite_json(event), default=json_default, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DecodeError(f"event cannot be printed as JSON: {exc}") from None


class UsageError(Exception):
    """A PAYLOAD_JSON `decnet pub` refuses: printed as one ERROR line, exit code 2 as `decnet pub`'s usage errors."""


_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise UsageError(f"payload has a number that is not finite: {text}")
    return value


def _int_or_float(text):
    # As `decnet pub`: an integer msgpack can carry stays one; a larger one is a float (still finite, or refused).
    # Over 20 digits is past 64 bits: straight to float, since int() raises ValueError past 4,300 digits.
    if len(text.lstrip("-")) <= 20:
        value = int(text)
        if _INT64_MIN <= value <= _UINT64_MAX:
            return value
    return _finite_float(text)


# `decnet pub`'s JsonDocumentOptions.MaxDepth: 64 arrays and objects, one inside the other, the top-level one included.
_MAX_DEPTH = 64
# In valid JSON a bracket outside a string opens or closes a level; a string is skipped whole, escapes included.
_LEVELS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth(text):
    """How deeply the arrays and objects of valid JSON `text` nest, counted on the text as System.Text.Json counts
    (a key given twice counts although json.loads keeps only the last)."""
    depth = deepest = 0
    for token in _LEVELS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _not_json(name):
    # json.loads accepts NaN, Infinity and -Infinity, which RFC 8259 and `decnet pub` do not.
    raise UsageError(f"payload is not valid JSON: {name} is not a JSON number")


def payload_json(text):
    """PAYLOAD_JSON as the map to publish, or UsageError for what `decnet pub` refuses."""
    try:
        value = json.loads(text, parse_constant=_not_json, parse_float=_finite_float, parse_int=_int_or_float)
    except json.JSONDecodeError as exc:
        raise UsageError(f"payload is not valid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"payload is not valid JSON: the maximum depth of {_MAX_DEPTH} has been exceeded") from None
    if _depth(text) > _MAX_DEPTH:
        raise UsageError(f"payload is not valid JSON: the maximum depth of {_MAX_DEPTH} has been exceeded")
    if not isinstance(value, dict):
        kind = {list: "array", str: "string", int: "number", float: "number", bool: str(value).lower()}
        raise UsageError(f"payload must be a JSON object, not {kind.get(type(value), 'null')}")
    try:
        msgpack.packb(value, use_bin_type=True)
    except UnicodeEncodeError:
        # "\ud800" is JSON syntax, but a lone surrogate is no string MessagePack (UTF-8) can carry.
        raise UsageError("payload is not valid JSON: a string holds a lone surrogate") from None
    except ValueError:
        raise UsageError("payload is not valid JSON: it is nested too deeply") from None
    return value


class BrokerError(Exception):
    """ERR from the broker (§6). With three elements it closes the connection after it; with five
    ([10, code, message, kind, sid]) it refused one request (a PUB, or the SUB with that sid) and the connection stays."""

    def __init__(self, frame):
        super().__init__(f"ERR {frame[1]} {frame[2]}")
        self.code = frame[1]
        self.message = frame[2]
        self.request = frame[3] if len(frame) >= 5 else None
        self.sid = frame[4] if len(frame) >= 5 else None
        self.closes = self.request is None


class Client:
    def __init__(self, path, name, echo=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.next_sid = 1
        # §4.1: until WELCOME, accept frames of the broker default size.
        self.max_in = 2 * 1024 * 1024
        self.send([HELLO, VERSION, name, echo, 0, 0])
        welcome = self.read()
        if welcome[0] == ERR:
            raise BrokerError(welcome)
        if welcome[0] != WELCOME:
            raise DecodeError(f"expected WELCOME, got kind {welcome[0]}")
        # Extra trailing WELCOME elements are ignored (§3).
        _, version, self.broker_pid, self.max_frame, self.max_topic, self.max_subs, self.queue_size = welcome[:7]
        if version != VERSION:
            raise DecodeError(f"broker speaks version {version}")
        # §4.1: an EVT is its PUB (at most max_frame) plus our sid array and the publisher's credentials.
        self.max_in = max(2 * self.max_frame, self.max_frame + 5 * self.max_subs + 64)

    # §2 framing: uint32 big-endian body length, then one MessagePack array.
    def send(self, body):
        packed = msgpack.packb(body, use_bin_type=True)
        self.sock.sendall(struct.pack(">I", len(packed)) + packed)

    def _exact(self, n):
        chunks = []
        while n > 0:
            chunk = self.sock.recv(n)
            if not chunk:
                raise EOFError("the broker closed the connection")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def read(self):
        (length,) = struct.unpack(">I", self._exact(4))
        if length == 0 or length > self.max_in:
            raise DecodeError(f"bad frame length {length}")
        data = self._exact(length)
        try:
            body = msgpack.unpackb(data, raw=False, ext_hook=ext_json)
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            # UnicodeDecodeError (a str that is not UTF-8) is a ValueError, as are msgpack's own format errors.
            raise DecodeError(f"frame is not valid MessagePack: {exc}") from None
        if not isinstance(body, list) or not body:
            raise DecodeError("frame body is not a non-empty array")
        return body

    def next_control(self):
        """Reads frames, answering PING, until one that is not EVT/PING; ERR raises, BYE ends."""
        while True:
            frame = self.read()
            kind = frame[0]
            if kind == PING:
                self.send([PONG])
            elif kind == ERR:
                raise BrokerError(frame)
            elif kind == EVT:
                continue  # a caller that wanted events would use next_event
            else:
                return frame

    def subscribe(self, pattern):
        sid = self.next_sid
        self.next_sid += 1
        self.send([SUB, sid, pattern])
        while True:
            frame = self.next_control()
            if frame[0] == SUBACK and frame[1] == sid:
                return sid

    def publish(self, topic, payload, type_=""):
        event_id = secrets.token_hex(16)  # 32 lowercase hex chars, 128 random bits
        self.send([PUB, topic, type_, event_id, float(time.time()), payload])
        return event_id

    def ping(self):
        self.send([PING])
        while self.next_control()[0] != PONG:
            pass

    def next_event(self):
        while True:
            frame = self.read()
            kind = frame[0]
            if kind == EVT:
                # §3: 8 elements, or 9 when the publisher traced (the trace map, which a receiver may ignore).
                if len(frame) not in (8, 9) or not isinstance(frame[3], list) or len(frame[3]) != 3:
                    raise DecodeError(f"EVT has {len(frame)} elements or no [pid, uid, gid], expected 8 or 9")
                _, sids, topic, publisher, type_, event_id, ts, payload = frame[:8]
                event = {
                    "sids": sids,
                    "topic": topic,
                    "publisher": {"pid": publisher[0], "uid": publisher[1], "gid": publisher[2]},
                    "type": type_,
                    "id": event_id,
                    "ts": ts,
                    "payload": payload,
                }
                if len(frame) == 9:
                    event["trace"] = frame[8]
                return event
            if kind == PING:
                self.send([PONG])
            elif kind == ERR:
                raise BrokerError(frame)
            elif kind == BYE:
                raise EOFError("the broker said BYE")

    def close(self):
        self.send([BYE])
        self.sock.shutdown(socket.SHUT_WR)
        self.sock.close()


def main(argv):
    mode = argv[1]
    if mode == "sub":
        path, pattern, count = argv[2], argv[3], int(argv[4])
        client = Client(path, "py-sub")
        sid = client.subscribe(pattern)
        # Events may be any time apart: only connecting, the handshake and the SUBACK were bounded.
        client.sock.settimeout(None)
        say(f"READY {sid}")
        for _ in range(count):
            say(event_json(client.next_event()))
        client.close()
    elif mode == "pub":
        # Checked before connecting, as `decnet pub` does: a refused payload does not depend on the broker.
        path, topic, type_, payload = argv[2], argv[3], argv[4], payload_json(argv[5])
        client = Client(path, "py-pub")
        event_id = client.publish(topic, payload, type_)
        client.ping()
        say(f"PUBLISHED {event_id}")
        client.close()
    elif mode == "badtopic":
        path, topic = argv[2], argv[3]
        client = Client(path, "py-bad")
        client.publish(topic, {})
        try:
            client.send([PING])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the broker may already have refused the PUB and closed: its ERR is still waiting to be read
        try:
            while client.next_control()[0] != PONG:
                pass
        except BrokerError as err:
            say(f"ERR {err.code} {err.message}")
            if not err.closes:
                # The broker refused the PUB alone: our PING is still answered.
                while client.next_control()[0] != PONG:
                    pass
                say("OPEN")
                client.close()
                return 0
            try:
                client.read()
            except (EOFError, ConnectionResetError):
                # A reset is a close too: the broker closed with our PING unread, which the kernel reports as a reset.
                say("CLOSED")
            return 0
        say("NO ERR")
        return 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


def run(argv):
    try:
        return main(argv)
    except DecodeError as exc:
        say(f"ERROR {exc}")
        return 1
    except UsageError as exc:
        say(f"ERROR {exc}")
        return 2
    except BrokerError as err:
        # An ERR that ends the command (it refused the handshake or the SUB, or closes the connection): its message is
        # the broker's text, printed escaped rather than in a traceback.
        say(f"ERR {err.code} {err.message}")
        return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv))
