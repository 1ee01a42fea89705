#!/usr/bin/env python3
"""A few NATS requests for the shipping tests, over the plain NATS protocol
(no client library in Debian for Python): what a stream holds per subject,
and publishing a capture file's chunks as messages the way aa-capture
--ship does, with one of them foreign, damaged, missing or sent twice.

  natsctl.py subjects PORT STREAM          "SUBJECT COUNT" per subject
  natsctl.py ship PORT SUBJECT FILE [--foreign-after N] [--foreign-before N] [--damage N]
                                     [--skip N] [--twice N] [--no-headers]
  natsctl.py free-ports N                  N free TCP ports on 127.0.0.1
"""
import json
import socket
import struct
import sys


class Nats:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.line()  # INFO
        self.s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                       b'"no_responders":true,"protocol":1}\r\nPING\r\n')
        while self.line() != b"PONG":
            pass
        self.sid = 0

    def recv(self):
        d = self.s.recv(65536)
        if not d:  # the server closed (it wants TLS or credentials): say so, never spin
            raise SystemExit("nats: connection closed by the server")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.recv()
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def take(self, n):
        while len(self.buf) < n + 2:
            self.recv()
        d, self.buf = self.buf[:n], self.buf[n + 2:]
        return d

    def hpub(self, subject, headers, payload, reply=None):
        h = b"NATS/1.0\r\n" + b"".join(
            k.encode() + b": " + v.encode() + b"\r\n" for k, v in headers) + b"\r\n"
        r = (" " + reply) if reply else ""
        self.s.sendall(("HPUB %s%s %d %d\r\n" % (subject, r, len(h), len(h) + len(payload))).encode()
                       + h + payload + b"\r\n")

    def request(self, subject, payload, headers=()):
        self.sid += 1
        inbox = "_INBOX.aatest.%d" % self.sid
        self.s.sendall(("SUB %s %d\r\n" % (inbox, self.sid)).encode())
        self.hpub(subject, list(headers), payload, reply=inbox)
        while True:
            l = self.line()
            if l == b"PING":
                self.s.sendall(b"PONG\r\n")
                continue
            parts = l.split()
            if parts[0] == b"MSG":
                return self.take(int(parts[-1]))
            if parts[0] == b"HMSG":
                d = self.take(int(parts[-1]))
                return d[int(parts[-2]):]
            if parts[0].startswith(b"-ERR"):
                raise SystemExit("nats: " + l.decode())


def blocks(data):
    at = 0
    while at < len(data):
        typ, ln = struct.unpack_from("<II", data, at)
        yield typ, data[at:at + ln]
        at += ln


def chunk_messages(data):
    """The file's bytes grouped as aa-capture ships them: the blocks without a
    chunk, then the EPB that follows them."""
    pending = b""
    for typ, b in blocks(data):
        pending += b
        if typ == 6:
            idx = struct.unpack_from("<I", b, 28 + 8)[0]
            yield idx, pending
            pending = b""


def ship(port, subject, path, opts):
    n = Nats(port)
    data = open(path, "rb").read()
    session = subject.split(".")[2]
    for i, (idx, msg) in enumerate(chunk_messages(data)):
        if idx == opts.get("foreign_before"):
            n.request(subject, b"hello from another program\n", [("Content-Type", "text/plain")])
        if idx == opts.get("skip"):
            continue
        if idx == opts.get("damage"):
            m = bytearray(msg)
            m[-40] ^= 0x55  # inside the zstd frame: the chunk's crc no longer matches
            msg = bytes(m)
        hdrs = [] if opts.get("no_headers") else [
            ("Nats-Msg-Id", "%s-0-%d" % (session, idx)), ("Aa-Session", session),
            ("Aa-File-Seq", "0"), ("Aa-Chunk", str(idx))]
        for _ in range(2 if idx == opts.get("twice") else 1):
            if idx == opts.get("twice"):
                hdrs = [h for h in hdrs if h[0] != "Nats-Msg-Id"]  # past de-duplication
            ack = json.loads(n.request(subject, msg, hdrs))
            if "error" in ack:
                raise SystemExit("publish: %s" % ack)
        if idx == opts.get("foreign_after"):
            n.request(subject, b"hello from another program\n", [("Content-Type", "text/plain")])


def subjects(port, stream):
    n = Nats(port)
    r = json.loads(n.request("$JS.API.STREAM.INFO." + stream,
                             json.dumps({"subjects_filter": ">"}).encode()))
    if "error" in r:
        raise SystemExit("stream info: %s" % r["error"])
    for s, c in sorted((r["state"].get("subjects") or {}).items()):
        print(s, c)


def main():
    cmd = sys.argv[1]
    if cmd == "free-ports":
        socks = [socket.socket() for _ in range(int(sys.argv[2]))]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        print(" ".join(str(s.getsockname()[1]) for s in socks))
    elif cmd == "subjects":
        subjects(int(sys.argv[2]), sys.argv[3])
    elif cmd == "ship":
        opts, args = {}, sys.argv[5:]
        while args:
            a = args.pop(0)
            if a == "--no-headers":
                opts["no_headers"] = True
            else:
                opts[a[2:].replace("-", "_")] = int(args.pop(0))
        ship(int(sys.argv[2]), sys.argv[3], sys.argv[4], opts)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
