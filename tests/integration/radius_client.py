#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""radius_client.py - a small RADIUS client for t_radius.sh (stdlib only).

  radius_client.py PORT SECRET USER PASSWORD [--state HEX] [--no-ma]
                   [--send N] [--timeout S]

Sends one Access-Request to 127.0.0.1:PORT (User-Name, User-Password hidden
as RFC 2865 says, State when given, Message-Authenticator unless --no-ma),
N times the same datagram with --send N (a NAS retransmitting), and prints
KEY=VALUE lines (one per key; Reply-Messages joined by " | "): code (Access-Accept, Access-Reject, Access-Challenge or
timeout), reply_message (list), state (the State as text), ma ("valid",
"invalid" or "absent": the reply's Message-Authenticator, RFC 3579),
auth_ok (the Response Authenticator checks), replies (datagrams received).
"""
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

CODES = {2: "Access-Accept", 3: "Access-Reject", 11: "Access-Challenge"}


def attr(t, v):
    return struct.pack("!BB", t, len(v) + 2) + v


def hide(password, secret, ra):
    p = password + b"\0" * (-len(password) % 16 or 0)
    if not p:
        p = b"\0" * 16
    out, last = b"", ra
    for i in range(0, len(p), 16):
        b = hashlib.md5(secret + last).digest()
        c = bytes(x ^ y for x, y in zip(p[i:i + 16], b))
        out += c
        last = c
    return out


def main():
    args = sys.argv[1:]
    opts = {"state": None, "ma": True, "send": 1, "timeout": 3.0}
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--state":
            opts["state"] = args[i + 1]; i += 2
        elif a == "--no-ma":
            opts["ma"] = False; i += 1
        elif a == "--send":
            opts["send"] = int(args[i + 1]); i += 2
        elif a == "--timeout":
            opts["timeout"] = float(args[i + 1]); i += 2
        else:
            pos.append(a); i += 1
    port, secret, user, password = int(pos[0]), pos[1].encode(), pos[2].encode(), pos[3].encode()
    ra = os.urandom(16)
    ident = os.urandom(1)[0]
    attrs = attr(1, user) + attr(2, hide(password, secret, ra))
    attrs += attr(4, socket.inet_aton("127.0.0.1")) + attr(5, struct.pack("!I", 1))
    if opts["state"]:
        attrs += attr(24, opts["state"].encode())
    if opts["ma"]:
        attrs += attr(80, b"\0" * 16)
    length = 20 + len(attrs)
    pkt = struct.pack("!BBH", 1, ident, length) + ra + attrs
    if opts["ma"]:
        mac = hmac.new(secret, pkt, hashlib.md5).digest()
        pkt = pkt[:-16] + mac
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    replies = []
    for n in range(opts["send"]):
        s.send(pkt)
        if n + 1 < opts["send"]:
            time.sleep(0.3)
    deadline = time.time() + opts["timeout"]
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        except ConnectionRefusedError:
            break
        if len(d) >= 20 and d[1] == ident:
            replies.append(d)
        if len(replies) >= opts["send"]:
            # a retransmit may get its answer too: wait a little for it
            deadline = min(deadline, time.time() + 0.3)
    if not replies:
        print("code=timeout\nreplies=0")
        return
    d = replies[0]
    code, _, rlen = struct.unpack("!BBH", d[:4])
    d = d[:rlen]
    auth_ok = hashlib.md5(d[:4] + ra + d[20:] + secret).digest() == d[4:20]
    msgs, state, ma = [], "", "absent"
    off = 20
    while off + 2 <= len(d):
        t, ln = d[off], d[off + 1]
        v = d[off + 2:off + ln]
        if t == 18:
            msgs.append(v.decode("utf-8", "replace"))
        elif t == 24:
            state = v.decode("ascii", "replace")
        elif t == 80:
            z = d[:4] + ra + d[20:off + 2] + b"\0" * 16 + d[off + ln:]
            ma = "valid" if hmac.compare_digest(hmac.new(secret, z, hashlib.md5).digest(), v) else "invalid"
        off += max(ln, 2)
    out = {"code": CODES.get(code, str(code)), "reply_message": " | ".join(msgs),
           "state": state, "ma": ma, "auth_ok": "yes" if auth_ok else "no",
           "replies": len(replies)}
    for k, v in out.items():
        print("%s=%s" % (k, str(v).replace("\n", " ")))


if __name__ == "__main__":
    main()
