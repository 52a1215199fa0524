#!/usr/bin/python3
"""A DECNET Python-bus client for the interop tests, standard library only (json, socket, struct).

Written from the description of the Python bus's wire in docs/text-protocol.md: each frame is an ASCII
header line `VERB[ args]\\n`, a 4-byte big-endian body length, then the body (a JSON object, or nothing). It speaks
to `decnet bus` exactly as DECNET's own Python workers do (HELLO on connect, PUB with the Event dict as body), and
lets a test send malformed frames on purpose.

Usage: decnet_text_client.py SOCKET NAME

Reads commands on stdin, one per line:
  sub PATTERN | unsub PATTERN          SUB / UNSUB
  pub TOPIC TYPE PAYLOAD_JSON          PUB with the body DECNET's client sends: {v, id, topic, type, ts, payload}
  pubbody TOPIC BODY                   PUB with BODY written verbatim (may be empty, or not JSON at all)
  raw HEX                              write these bytes as they are
  bye                                  BYE
  shutdown                             half-close (the broker sees EOF after what was written)
  exit                                 close and exit
Prints on stdout, one line each: `READY` once connected (after HELLO), `EVT <topic> <body as compact JSON>` per
event, `BYE` when the broker says BYE, `CLOSED` when the broker closes the connection, `ERROR <text>` when the
broker sends something this client cannot parse (it then reads no more). An EVT body must be a JSON object in UTF-8
as docs/text-protocol.md §2 defines JSON: `NaN`, `Infinity` and a number beyond float64 (`1e999`) are refused, and
so is nesting deeper than Python's recursion limit (about 1,000 levels; the broker sends at most 66). Every printed
line is escaped as the C# side's UntrustedText escapes a string from the wire: a control character (C0, DEL, C1:
ESC, CR, LF...), a Unicode format character, a line or paragraph separator and a lone surrogate are printed as
`\\uXXXX` (`\\UXXXXXXXX` beyond the BMP), so nothing the broker sends can move the cursor or start a terminal
escape sequence.
"""

import binascii
import json
import math
import socket
import struct
import sys
import threading
import time
import unicodedata
import uuid

MAX_HEADER = 4096
MAX_BODY = 1024 * 1024
_out = threading.Lock()


# What UntrustedText.Escape escapes: control, format, line and paragraph separator, lone surrogate.
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
    # Lines quote the broker (topics, error texts): escaped here, once, so no path can print one raw.
    with _out:
        sys.stdout.write(untrusted(line) + "\n")
        sys.stdout.flush()


def _refuse_constant(name):
    raise ValueError("EVT body is not JSON: %s" % name)


def _finite_float(text):
    # json reads 1e999 as inf (and would write it back as Infinity): beyond float64, as the broker refuses it (§2).
    value = float(text)
    if math.isinf(value):
        raise ValueError("EVT body has a number beyond float64: %s" % text[:64])
    return value


def decode_evt_body(body):
    """The EVT body as a dict: strict UTF-8 JSON without NaN/Infinity; ValueError for anything else."""
    if not body:
        return {}
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        # Python's json recurses once per level: a body nested ~1,000 deep is not an error json reports as one.
        raise ValueError("EVT body nests deeper than this client can parse") from None
    if not isinstance(data, dict):
        raise ValueError("EVT body is not an object")
    return data


def encode(verb, args="", body=None):
    data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
    header = (verb + " " + args).rstrip() + "\n"
    return header.encode("ascii") + struct.pack(">I", len(data)) + data


def read_exactly(stream, count):
    data = stream.read(count)
    if data is None or len(data) < count:
        raise EOFError("closed mid-frame")
    return data


def read_loop(sock):
    stream = sock.makefile("rb")
    try:
        while True:
            header = stream.readline(MAX_HEADER + 1)
            if not header:
                say("CLOSED")
                return
            if not header.endswith(b"\n"):
                raise ValueError("header without LF or over 4096 bytes")
            line = header.rstrip(b"\r\n").decode("ascii")
            verb, _, args = line.partition(" ")
            (length,) = struct.unpack(">I", read_exactly(stream, 4))
            if length > MAX_BODY:
                raise ValueError("body length %d over 1 MiB" % length)
            body = read_exactly(stream, length) if length else b""
            if verb == "BYE":
                say("BYE")
            elif verb == "EVT":
                data = decode_evt_body(body)
                text = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)
                say("EVT %s %s" % (args.strip(), text))
            else:
                raise ValueError("unexpected verb \"%s\"" % verb)
    except (EOFError, ConnectionResetError):
        # A broker that closes with our unread bytes in its buffer resets the connection: closed all the same.
        say("CLOSED")
    except (OSError, ValueError, RecursionError) as exc:
        # RecursionError too (json.dumps of a deep body): the thread must print a line, never die with a traceback.
        say("ERROR %s" % exc)


def main():
    path, name = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(encode("HELLO", name))
    threading.Thread(target=read_loop, args=(sock,), daemon=True).start()
    say("READY")
    for raw in sys.stdin:
        command, _, rest = raw.rstrip("\n").partition(" ")
        try:
            if command in ("sub", "unsub"):
                sock.sendall(encode(command.upper(), rest))
            elif command == "pub":
                topic, event_type, payload = rest.split(" ", 2)
                body = {"v": 1, "id": uuid.uuid4().hex, "topic": topic, "type": event_type,
                        "ts": time.time(), "payload": json.loads(payload)}
                sock.sendall(encode("PUB", topic, body))
            elif command == "pubbody":
                topic, _, body = rest.partition(" ")
                data = body.encode("utf-8")
                sock.sendall(("PUB " + topic + "\n").encode("ascii") + struct.pack(">I", len(data)) + data)
            elif command == "raw":
                sock.sendall(binascii.unhexlify(rest))
            elif command == "bye":
                sock.sendall(encode("BYE"))
            elif command == "shutdown":
                sock.shutdown(socket.SHUT_WR)
            elif command == "exit":
                break
            else:
                say("ERROR unknown command %r" % command)
        except OSError as exc:
            say("ERROR send: %s" % exc)
    sock.close()


if __name__ == "__main__":
    main()
