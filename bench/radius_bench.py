#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""radius_bench.py - the RADIUS client of bench/radius.sh (stdlib only).

  radius_bench.py gen N OATHFILE USERSFILE
      users u0000000 .. u{N-1}: OATHFILE for `tfa-admin import oath` (HOTP,
      a 20-byte secret that is a fixed function of the number, counter 0)
      and USERSFILE for rlm_files (Cleartext-Password "pw-NAME")
  radius_bench.py run --pap PORT --tfa PORT --secret S --users N
                      [--conc C] [--secs S] [--rounds R] [--server-pid PID]
      logins per second, PAP cells and two-round cells alternating (R
      rounds of S seconds each), C requests in flight. A PAP login is one
      Access-Request (password) answered by Access-Accept. A two-round login
      is Access-Request (password) -> Access-Challenge with State ->
      Access-Request (State, the user's next HOTP code) -> Access-Accept.
      Every request carries Message-Authenticator; every reply's Response
      Authenticator is checked. In-flight slot i logs in users i, i+C, ...
      in turn, so that a user has at most one login in flight and his HOTP
      codes are consecutive. Prints one line per cell and a summary:
        RESULT MODE LOGINS FAILED SECONDS PER_SECOND [CPU_US]
      With --server-pid, CPU_US is the server's CPU time (user + system,
      /proc/PID/stat) per login, in microseconds, and RATIO is followed by
      the ratio of those: the CPU cost of a two-round login in PAP rounds,
      whatever the client's share of the cores.
      Exit status 1 if a login failed.
"""
import hashlib
import hmac
import os
import select
import socket
import struct
import sys
import time


def secret_of(u):
    return hashlib.sha1(b"tfa-radius-bench-%d" % u).digest()


def server_cpu(pid):
    """The server's CPU seconds so far (user + system, all threads)."""
    if not pid:
        return 0.0
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def name_of(u):
    return "u%07d" % u


def hotp(key, counter):
    d = hmac.new(key, struct.pack("!Q", counter), hashlib.sha1).digest()
    o = d[-1] & 15
    v = (struct.unpack("!I", d[o:o + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % v


def attr(t, v):
    return struct.pack("!BB", t, len(v) + 2) + v


def hide(password, secret, ra):
    p = password + b"\0" * (-len(password) % 16)
    if not p:
        p = b"\0" * 16
    out, last = b"", ra
    for i in range(0, len(p), 16):
        b = hashlib.md5(secret + last).digest()
        c = bytes(x ^ y for x, y in zip(p[i:i + 16], b))
        out += c
        last = c
    return out


def packet(ident, secret, user, password, state):
    ra = os.urandom(16)
    attrs = attr(1, user) + attr(2, hide(password, secret, ra))
    attrs += attr(4, b"\x7f\0\0\x01") + attr(5, b"\0\0\0\x01")
    if state is not None:
        attrs += attr(24, state)
    attrs += attr(80, b"\0" * 16)
    pkt = struct.pack("!BBH", 1, ident, 20 + len(attrs)) + ra + attrs
    mac = hmac.new(secret, pkt, hashlib.md5).digest()
    return pkt[:-16] + mac, ra


def parse(d, ra, secret):
    """(code, state) of a reply, None when its authenticator is wrong."""
    code, _, rlen = struct.unpack("!BBH", d[:4])
    d = d[:rlen]
    if hashlib.md5(d[:4] + ra + d[20:] + secret).digest() != d[4:20]:
        return None
    state, off = None, 20
    while off + 2 <= len(d):
        t, ln = d[off], d[off + 1]
        if t == 24:
            state = d[off + 2:off + ln]
        off += max(ln, 2)
    return code, state


class Cell:
    """One timed cell: MODE 'pap' or 'tfa' against one port."""

    def __init__(self, mode, port, secret, users, conc, counters):
        self.mode, self.port, self.secret = mode, port, secret
        self.users, self.conc, self.counters = users, conc, counters
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.next_id = 0
        self.inflight = {}          # ident -> (slot, ra, sent, step)
        self.cursor = [0] * conc    # per slot: its next user's index in its share
        self.ok = self.failed = 0

    def user_of(self, slot):
        share = (self.users - slot + self.conc - 1) // self.conc
        u = slot + self.conc * (self.cursor[slot] % share)
        return u

    def send(self, slot, user, step, state=None):
        ident = self.next_id
        self.next_id = (self.next_id + 1) % 256
        name = name_of(user).encode()
        if step == 2:
            pw = hotp(secret_of(user), self.counters[user]).encode()
            self.counters[user] += 1
        else:
            pw = b"pw-" + name
        pkt, ra = packet(ident, self.secret, name, pw, state)
        self.inflight[ident] = (slot, user, ra, time.monotonic(), step, pkt)
        self.sock.send(pkt)

    def start_login(self, slot):
        self.send(slot, self.user_of(slot), 1)
        self.cursor[slot] += 1

    def run(self, secs):
        t0 = time.monotonic()
        deadline = t0 + secs
        for s in range(self.conc):
            self.start_login(s)
        last = t0
        while self.inflight:
            now = time.monotonic()
            r, _, _ = select.select([self.sock], [], [], 0.5)
            if not r:
                for ident, (slot, user, ra, sent, step, pkt) in list(self.inflight.items()):
                    if now - sent > 5.0:
                        del self.inflight[ident]
                        self.fail(slot, user, "timeout at step %d" % step, deadline)
                continue
            while True:
                try:
                    d = self.sock.recv(4096)
                except BlockingIOError:
                    break
                if len(d) < 20 or d[1] not in self.inflight:
                    continue
                slot, user, ra, sent, step, pkt = self.inflight.pop(d[1])
                res = parse(d, ra, self.secret)
                now = time.monotonic()
                if res is None:
                    self.fail(slot, user, "bad Response Authenticator", deadline)
                    continue
                code, state = res
                if self.mode == "tfa" and step == 1 and code == 11 and state:
                    self.send(slot, user, 2, state)
                    continue
                if code == 2:
                    self.ok += 1
                    last = now
                else:
                    self.fail(slot, user, "code %d at step %d" % (code, step), deadline)
                    continue
                if now < deadline:
                    self.start_login(slot)
        self.sock.close()
        return self.ok, self.failed, last - t0

    def fail(self, slot, user, why, deadline):
        self.failed += 1
        if self.failed <= 5:
            sys.stderr.write("radius_bench: %s login of %s failed: %s\n"
                             % (self.mode, name_of(user), why))
        if time.monotonic() < deadline:
            self.start_login(slot)


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "gen":
        n = int(a[1])
        with open(a[2], "w") as o, open(a[3], "w") as f:
            for u in range(n):
                o.write("HOTP %s - %s 0\n" % (name_of(u), secret_of(u).hex()))
                # Tmp-String-1: the canonical name, as rlm_ldap would set it
                # (bench/radius.sh --lookup no)
                f.write('%s Cleartext-Password := "pw-%s", Tmp-String-1 := "%s"\n'
                        % (name_of(u), name_of(u), name_of(u)))
        return 0
    if not a or a[0] != "run":
        sys.stderr.write(__doc__)
        return 2
    o = {"--conc": "16", "--secs": "3", "--rounds": "3"}
    for i in range(1, len(a) - 1, 2):
        o[a[i]] = a[i + 1]
    users, conc = int(o["--users"]), int(o["--conc"])
    secret = o["--secret"].encode()
    counters = [0] * users
    pid = o.get("--server-pid")
    total = {"pap": [0, 0, 0.0, 0.0], "tfa": [0, 0, 0.0, 0.0]}
    for rnd in range(int(o["--rounds"])):
        for mode, port in (("pap", int(o["--pap"])), ("tfa", int(o["--tfa"]))):
            c0 = server_cpu(pid)
            ok, failed, secs = Cell(mode, port, secret, users, conc, counters).run(
                float(o["--secs"]))
            cpu = server_cpu(pid) - c0
            print("CELL %d %s %d %d %.3f %.0f%s" % (rnd, mode, ok, failed, secs, ok / secs,
                                                   " %.1f" % (cpu * 1e6 / ok) if pid and ok
                                                   else ""))
            sys.stdout.flush()
            t = total[mode]
            t[0] += ok
            t[1] += failed
            t[2] += secs
            t[3] += cpu
    us = {}
    for mode in ("pap", "tfa"):
        ok, failed, secs, cpu = total[mode]
        us[mode] = cpu * 1e6 / ok if ok else 0
        print("RESULT %s %d %d %.3f %.1f%s" % (mode, ok, failed, secs, ok / secs if secs else 0,
                                              " %.1f" % us[mode] if pid else ""))
    rp = total["pap"][0] / total["pap"][2]
    rt = total["tfa"][0] / total["tfa"][2] if total["tfa"][0] else 0
    print("RATIO %.2f%s" % (rp / rt if rt else float("inf"),
                            " %.2f" % (us["tfa"] / us["pap"]) if pid and us["pap"] else ""))
    return 1 if total["pap"][1] or total["tfa"][1] else 0


if __name__ == "__main__":
    sys.exit(main())
