#!/usr/bin/env python3
"""http_probe.py — raw-socket HTTP/1.1 and WebSocket clients for tests/e2e/test_http.sh (stdlib only).

Every subcommand prints result lines "KIND<TAB>TEXT" with KIND ok, bad or info; the test script
turns them into its ok/bad counters. TARGET is "haproxy" or "sluice": where HAProxy itself is
lenient (smuggling cases), the haproxy run reports an info line and the sluice run requires the
strict answer.

  headers VIP                          X-Forwarded-For/-Proto, set-header, del-header at the backend
  sticky VIP PORT TARGET OUT           HLS cookie stickiness (seed-hls backend_http_sticky)
  cookies VIP PORT TARGET OUT          cookie prefix / insert with nocache: Set-Cookie, Cache-Control
  redirect VIP PORT                    redirect scheme https (seed-https backend_http)
  ws VIP PORT IDLE                     WebSocket echo, idle IDLE s (> timeout client) in between
  upgrade VIP PORT                     426 / 200 to an Upgrade request: no tunnel
  slowloris VIP PORT TMO               408 after timeout http-request TMO s, then close
  smuggle VIP PORT TARGET OUT LOG...   malformed/ambiguous requests: 400 + close, backend never sees
  keepalive VIP PORT STOPFILE OUT      keep-alive GET loop until STOPFILE exists (run in background)
  compare VIP OUT [final]              normalized status + headers of a fixed request set
"""
import base64
import hashlib
import json
import os
import re
import socket
import struct
import sys
import threading
import time


def out(kind, text):
    print(f"{kind}\t{text}", flush=True)


def check(cond, text):
    out("ok" if cond else "bad", text)
    return cond


# ----------------------------------------------------------------------------- HTTP/1.x client

def parse_one(buf, eof, head_only=False):
    """One response from buf: (resp, rest), or (None, buf) when incomplete."""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        return None, buf
    head = buf[:i + 4]
    lines = buf[:i].decode("latin-1").split("\r\n")
    status = lines[0]
    m = re.match(r"HTTP/\d\.\d (\d{3})", status)
    code = int(m.group(1)) if m else 0
    hdrs = []
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hdrs.append((k, v.strip()))
    rest = buf[i + 4:]
    resp = {"status": status, "code": code, "headers": hdrs, "head": head, "body": b""}
    get = lambda n: [v for k, v in hdrs if k.lower() == n]
    if 100 <= code < 200 or code in (204, 304) or head_only:
        return resp, rest
    te = ",".join(get("transfer-encoding")).lower()
    if "chunked" in te:
        body, p = b"", 0
        while True:
            j = rest.find(b"\r\n", p)
            if j < 0:
                return None, buf
            size = int(rest[p:j].split(b";")[0].strip() or b"0", 16)
            if size == 0:
                k = rest.find(b"\r\n\r\n", j)
                if k < 0:
                    return None, buf
                resp["body"] = body
                return resp, rest[k + 4:]
            if len(rest) < j + 2 + size + 2:
                return None, buf
            body += rest[j + 2:j + 2 + size]
            p = j + 2 + size + 2
    cl = get("content-length")
    if cl:
        n = int(cl[0])
        if len(rest) < n:
            return None, buf
        resp["body"] = rest[:n]
        return resp, rest[n:]
    if not eof:
        return None, buf
    resp["body"] = rest
    return resp, b""


class Conn:
    def __init__(self, host, port, timeout=5.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.reset = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.s.sendall(data)

    def fill(self, timeout):
        if self.eof:
            return False
        self.s.settimeout(max(timeout, 0.001))
        try:
            d = self.s.recv(262144)
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, BrokenPipeError):
            self.eof = self.reset = True
            return True
        if not d:
            self.eof = True
        self.buf += d
        return True

    def response(self, timeout=5.0, head_only=False, interim=None):
        """The next final response (interim 1xx ones are appended to `interim`), or None."""
        end = time.monotonic() + timeout
        while True:
            r, rest = parse_one(self.buf, self.eof, head_only)
            if r is not None:
                self.buf = rest
                if 100 <= r["code"] < 200 and r["code"] != 101:
                    if interim is not None:
                        interim.append(r)
                    continue
                return r
            left = end - time.monotonic()
            if self.eof or left <= 0:
                return None
            self.fill(left)

    def closed_within(self, t):
        """True when the peer closes (FIN or RST) within t seconds; bytes received meanwhile are kept."""
        end = time.monotonic() + t
        while not self.eof:
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.fill(left)
        return True

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def hget(resp, name):
    return [v for k, v in resp["headers"] if k.lower() == name.lower()]


def request(host, port, path="/", method="GET", headers=(), version="HTTP/1.1", host_hdr="x",
            timeout=5.0):
    c = Conn(host, port, timeout)
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    hosth = f"Host: {host_hdr}\r\n" if host_hdr is not None else ""
    c.send(f"{method} {path} {version}\r\n{hosth}{h}\r\n")
    r = c.response(timeout, head_only=(method == "HEAD"))
    c.close()
    return r


def echo_lines(body):
    d = {}
    for line in body.decode("latin-1").splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            d[k] = v
        elif line.endswith(":"):
            d[line[:-1]] = ""
    return d


# ----------------------------------------------------------------------------- subcommands

def cmd_headers(vip):
    cli = "10.77.0.10"
    r = request(vip, 8080, "/echo-headers", headers=[("X-Test", "no"), ("X-Remove-Me", "secret")])
    if not check(r is not None and r["code"] == 200, f"8080 /echo-headers answers 200 ({r and r['status']})"):
        return
    e = echo_lines(r["body"])
    check(e.get("x-forwarded-for") == cli, f"option forwardfor: the backend sees X-Forwarded-For: {e.get('x-forwarded-for')!r}")
    check(e.get("x-forwarded-proto") == "http", f"reqadd: the backend sees X-Forwarded-Proto: {e.get('x-forwarded-proto')!r}")
    check(e.get("x-test") == "yes", f"http-request set-header X-Test yes replaces the client's 'no' ({e.get('x-test')!r})")
    check(e.get("x-remove-me") == "", f"http-request del-header X-Remove-Me ({e.get('x-remove-me')!r} at the backend)")
    out("info", f"8080: the backend sees connection: {e.get('connection')!r}, host: {e.get('host')!r}, protocol {e.get('protocol')!r}")
    r = request(vip, 8080, "/echo-headers", headers=[("X-Forwarded-For", "192.0.2.7")])
    e = echo_lines(r["body"]) if r else {}
    check(e.get("x-forwarded-for") == f"192.0.2.7, {cli}",
          f"a client-sent X-Forwarded-For is kept and the real address appended ({e.get('x-forwarded-for')!r})")
    r = request(vip, 5080, "/echo-headers", headers=[("X-Forwarded-For", "192.0.2.7, 198.51.100.1")])
    e = echo_lines(r["body"]) if r else {}
    check(e.get("x-forwarded-for") == f"192.0.2.7, 198.51.100.1, {cli}",
          f"seed http_lb (defaults' option forwardfor): {e.get('x-forwarded-for')!r}")
    check(e.get("x-forwarded-proto") == "", f"seed http_lb adds no X-Forwarded-Proto ({e.get('x-forwarded-proto')!r})")


def cmd_sticky(vip, port, target, outf):
    rec = []
    port = int(port)
    r = request(vip, port, "/vod/live.m3u8")
    if not check(r is not None and r["code"] == 200, f"HLS playlist without cookie: 200 ({r and r['status']})"):
        return
    sc = hget(r, "set-cookie")
    rec.append(f"{target} HLS first response head: {r['head']!r}")
    m = re.fullmatch(r"JSESSIONID=(ams[12])~(be[12])-([0-9a-f]+); Path=/", sc[0]) if len(sc) == 1 else None
    if not check(m is not None, f"Set-Cookie carries the server prefix: {sc!r}"):
        return
    srv, be, val = m.group(1), m.group(2), m.group(3)
    check(srv[-1] == be[-1], f"prefix {srv}~ names the server that set it ({be})")
    cc = hget(r, "cache-control")
    out("info", f"{target}: Cache-Control on the prefixed Set-Cookie response: {cc!r}")
    rec.append(f"{target} HLS Set-Cookie: {sc!r} Cache-Control: {cc!r}")
    cookie = f"JSESSIONID={srv}~{be}-{val}"
    for path in ("/vod/live.m3u8", "/vod/live-3.ts"):
        backends, seen, setc = {}, set(), 0
        for _ in range(50):
            r = request(vip, port, path, headers=[("Cookie", cookie)])
            if r is None:
                backends["none"] = backends.get("none", 0) + 1
                if backends["none"] >= 3:
                    break
                continue
            b = (hget(r, "x-backend") or ["?"])[0]
            backends[b] = backends.get(b, 0) + 1
            seen.add(echo_lines(r["body"]).get("cookie"))
            setc += len(hget(r, "set-cookie"))
        check(backends == {be: 50}, f"{path}: 50 requests with {srv}~ cookie all on {be} ({backends})")
        check(seen == {f"JSESSIONID={be}-{val}"}, f"{path}: the backend sees the cookie without the prefix ({sorted(map(str, seen))})")
        check(setc == 0, f"{path}: no new Set-Cookie while the cookie is there ({setc})")
    backends, bad_prefix = {}, 0
    for _ in range(50):
        r = request(vip, port, "/vod/live.m3u8")
        if r is None:
            backends["none"] = backends.get("none", 0) + 1
            if backends["none"] >= 3:
                break
            continue
        b = (hget(r, "x-backend") or ["?"])[0]
        backends[b] = backends.get(b, 0) + 1
        sc = hget(r, "set-cookie")
        if not (len(sc) == 1 and sc[0].startswith(f"JSESSIONID=ams{b[-1]}~{b}-")):
            bad_prefix += 1
    check(backends.get("be1", 0) > 0 and backends.get("be2", 0) > 0 and sum(backends.values()) == 50,
          f"50 requests without cookie spread over both backends ({backends})")
    check(bad_prefix == 0, f"each of them got a cookie prefixed with its own server ({bad_prefix} wrong)")
    # a cookie naming no server: load balanced, prefix still stripped
    r = request(vip, port, "/vod/live.m3u8", headers=[("Cookie", "JSESSIONID=ams9~zz; other=1")])
    seen = echo_lines(r["body"]).get("cookie") if r else None
    out("info", f"{target}: cookie JSESSIONID=ams9~zz (no such server) -> {r and r['status']!r}, backend sees {seen!r}")
    with open(outf, "a") as f:
        f.write("\n".join(rec) + "\n")


def cmd_cookies(vip, port, target, outf):
    port = int(port)
    rec = []
    # prefix + nocache: the server's own Set-Cookie gets the server's prefix
    r = request(vip, port, "/setcookie")
    sc = hget(r, "set-cookie") if r else []
    m = re.fullmatch(r"JSESSIONID=(ams[12])~abc123; Path=/", sc[0]) if len(sc) == 1 else None
    check(m is not None and hget(r, "x-backend") == ["be" + m.group(1)[-1]],
          f"cookie prefix: the server's Set-Cookie is prefixed with its cookie ({sc!r}, {r and hget(r, 'x-backend')})")
    cc = hget(r, "cache-control") if r else None
    check(cc == [], f"cookie prefix nocache: no Cache-Control added (HAProxy adds one only when it inserts): {cc!r}")
    if r:
        out("info", f"{target} prefix/nocache head: {r['head']!r}")
        rec.append(f"{target} prefix/nocache head: {r['head']!r}")
    r = request(vip, port, "/setcookie", headers=[("Cookie", "JSESSIONID=ams2~abc123")])
    sc = hget(r, "set-cookie") if r else []
    check(r is not None and hget(r, "x-backend") == ["be2"] and sc == ["JSESSIONID=ams2~abc123; Path=/"],
          f"cookie prefix: with JSESSIONID=ams2~ the request goes to ams2, whose Set-Cookie is prefixed again ({sc!r})")
    # insert indirect nocache: the proxy's own Set-Cookie, and Cache-Control: private on a
    # cacheable response (a static file: ETag/Last-Modified), none on a non-cacheable one
    for path, want_cc, what in (("/up/ins.txt", ["private"], "a cacheable response (static file)"),
                                ("/ins/a", [], "a response without validator nor expiry (not cacheable)")):
        r = request(vip, port, path)
        sc = hget(r, "set-cookie") if r else []
        be = (hget(r, "x-backend") or ["?"])[0] if r else "?"
        want_srv = {"be1": "s1", "be2": "s2"}.get(be)
        check(r is not None and r["code"] == 200 and sc == [f"SRVID={want_srv}; path=/"],
              f"cookie insert: the proxy sets SRVID=<server> on {path} ({sc!r} from {be})")
        cc = hget(r, "cache-control") if r else None
        check(cc == want_cc, f"cookie insert nocache, {what}: Cache-Control {want_cc!r} ({cc!r})")
        if r:
            out("info", f"{target} insert/nocache {path} head: {r['head']!r}")
            rec.append(f"{target} insert/nocache {path} head: {r['head']!r}")
    bes = set()
    for _ in range(10):
        r = request(vip, port, "/ins/b", headers=[("Cookie", "SRVID=s2")])
        bes.add((hget(r, "x-backend") or ["?"])[0] if r else None)
        if r is None:
            break
        if r is not None and (hget(r, "set-cookie") or hget(r, "cache-control")):
            bes.add("set-cookie/cache-control again")
    check(bes == {"be2"}, f"cookie insert indirect: SRVID=s2 pins s2, no new Set-Cookie ({sorted(map(str, bes))})")
    with open(outf, "a") as f:
        f.write("\n".join(rec) + "\n")


def cmd_redirect(vip, port):
    r = request(vip, int(port), "/live/app?x=1", host_hdr=f"{vip}:{port}")
    if not check(r is not None and r["code"] in (301, 302, 303, 307, 308),
                 f"plain HTTP to the seed-https backend_http is redirected ({r and r['status']})"):
        return
    loc = hget(r, "location")
    check(loc == [f"https://{vip}:{port}/live/app?x=1"], f"Location: {loc!r}")
    out("info", f"redirect head: {r['head']!r}")


def ws_frame(op, payload):
    mask = os.urandom(4)
    n = len(payload)
    hdr = struct.pack("!BB", 0x80 | op, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x80 | op, 0xFE, n)
    return hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def ws_read(c, timeout):
    end = time.monotonic() + timeout
    while True:
        b = c.buf
        if len(b) >= 2:
            n, off = b[1] & 0x7F, 2
            if n == 126 and len(b) >= 4:
                n, off = struct.unpack("!H", b[2:4])[0], 4
            if n < 126 and len(b) >= off + n:
                c.buf = b[off + n:]
                return b[0] & 0x0F, b[off:off + n]
        left = end - time.monotonic()
        if c.eof or left <= 0:
            return None, None
        c.fill(left)


def cmd_ws(vip, port, idle):
    idle = float(idle)
    c = Conn(vip, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    c.send(f"GET /ws HTTP/1.1\r\nHost: {vip}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    r = c.response(5, head_only=True)
    if not check(r is not None and r["code"] == 101, f"WebSocket handshake through the proxy: {r and r['status']!r}"):
        return
    want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    check(hget(r, "sec-websocket-accept") == [want], f"Sec-WebSocket-Accept is the server's ({hget(r, 'sec-websocket-accept')})")
    c.send(ws_frame(1, b"hello one"))
    op, data = ws_read(c, 5)
    check((op, data) == (1, b"hello one"), f"first message echoed ({op}, {data!r})")
    t0 = time.monotonic()
    gone = c.closed_within(idle)
    check(not gone, f"idle {idle:.1f} s (longer than timeout client): the tunnel stays open (timeout tunnel)")
    if gone:
        return
    c.send(ws_frame(1, b"hello two, after the idle time"))
    op, data = ws_read(c, 5)
    check((op, data) == (1, b"hello two, after the idle time"),
          f"second message echoed after {time.monotonic() - t0:.1f} s ({op}, {data!r})")
    c.send(ws_frame(8, b"\x03\xe8"))
    op, data = ws_read(c, 5)
    check(op == 8, f"close handshake ({op})")
    c.close()


def cmd_upgrade(vip, port):
    for code in (426, 200):
        c = Conn(vip, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        c.send(f"GET /ws-{code} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        r = c.response(5)
        check(r is not None and r["code"] == code and b"served-by: ws-echo" in r["body"],
              f"Upgrade request answered {code} by the server is passed on ({r and r['status']!r})")
        # same connection: an HTTP request again, routed by the proxy (to nginx, not ws-echo)
        c.send("GET /echo-headers HTTP/1.1\r\nHost: x\r\n\r\n")
        r2 = c.response(5)
        e = echo_lines(r2["body"]) if r2 else {}
        check(r2 is not None and r2["code"] == 200 and e.get("backend", "").startswith("be")
              and e.get("x-forwarded-for") == "10.77.0.10",
              f"after the {code}: the next request on the same connection is parsed as HTTP and routed "
              f"({r2 and r2['status']!r}, backend {e.get('backend')!r})")
        c.close()


def cmd_slowloris(vip, port, tmo):
    tmo = float(tmo)
    res = {}

    def partial():
        c = Conn(vip, int(port), timeout=tmo + 5)
        t0 = time.monotonic()
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\nX-Partial: ")
        r = c.response(tmo + 4)
        res["partial"] = (r, time.monotonic() - t0, r is not None and c.closed_within(1.5))
        c.close()

    def drip():
        c = Conn(vip, int(port), timeout=tmo + 5)
        t0 = time.monotonic()
        data = b"GET /drip HTTP/1.1\r\nHost: x\r\n" + b"X-Drip: " + b"a" * 200
        r = None
        for i in range(len(data)):
            try:
                c.send(data[i:i + 1])
            except OSError:
                break
            if c.closed_within(0.25) or c.buf:
                break
            if time.monotonic() - t0 > tmo + 4:
                break
        r = c.response(2)
        res["drip"] = (r, time.monotonic() - t0, r is not None and c.closed_within(1.5))
        c.close()

    th = [threading.Thread(target=partial), threading.Thread(target=drip)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    for name, what in (("partial", "a partial request head, then nothing"),
                       ("drip", "a request head dripped one byte every 0.25 s")):
        r, dt, closed = res[name]
        check(r is not None and r["code"] == 408 and tmo - 0.3 <= dt <= tmo + 2.5,
              f"slowloris, {what}: {r and r['status']!r} after {dt:.1f} s (timeout http-request {tmo:g} s)")
        check(closed, f"slowloris, {what}: the connection is closed after the 408")
        if name == "partial" and r is not None:
            out("info", f"408 head: {r['head']!r}")


def smuggle_cases(mk):
    """(id, description, raw request, expected) with expected "refuse" or "forward"."""
    def m(i):
        return f"/{mk}-{i}"
    cs = []
    body = f"0\r\n\r\nGET {m('cl-te')}-smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    cs.append(("cl-te", "Content-Length with Transfer-Encoding: chunked",
               f"POST {m('cl-te')} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\nTransfer-Encoding: chunked\r\n\r\n{body}"))
    body = f"0\r\n\r\nGET {m('te-cl')}-smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    cs.append(("te-cl", "Transfer-Encoding: chunked, then Content-Length",
               f"POST {m('te-cl')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n{body}"))
    for i, cl, b in (("cl-dup", None, "abcd"), ("cl-plus", "+1", "a"), ("cl-hex", "0x10", "a" * 16),
                     ("cl-neg", "-1", ""), ("cl-list", "1,2", "ab"),
                     ("cl-huge", "99999999999999999999999", "a")):
        clh = "Content-Length: 3\r\nContent-Length: 4\r\n" if cl is None else f"Content-Length: {cl}\r\n"
        desc = "two differing Content-Length headers (3, 4)" if cl is None else f"Content-Length: {cl}"
        cs.append((i, desc, f"POST {m(i)} HTTP/1.1\r\nHost: x\r\n{clh}\r\n{b}"))
    chunked = "5\r\nhello\r\n0\r\n\r\n"
    cs.append(("te-chunked-gzip", "Transfer-Encoding: chunked, gzip",
               f"POST {m('te-chunked-gzip')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n{chunked}"))
    cs.append(("te-chunked-twice", "Transfer-Encoding: chunked in two header lines",
               f"POST {m('te-chunked-twice')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}"))
    cs.append(("te-chunked-chunked", "Transfer-Encoding: chunked, chunked",
               f"POST {m('te-chunked-chunked')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n{chunked}"))
    cs.append(("chunk-zz", "chunk size 'zz'",
               f"POST {m('chunk-zz')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"))
    cs.append(("bare-lf", "bare LF line endings", f"GET {m('bare-lf')} HTTP/1.1\nHost: x\nX-A: b\n\n"))
    cs.append(("bare-cr", "bare CR as a line ending", f"GET {m('bare-cr')} HTTP/1.1\rHost: x\r\n\r\n"))
    cs.append(("bare-cr-value", "bare CR inside a header value", f"GET {m('bare-cr-value')} HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"))
    cs.append(("empty-name", "empty header name", f"GET {m('empty-name')} HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"))
    cs.append(("space-colon", "space before the colon", f"GET {m('space-colon')} HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n"))
    cs.append(("obs-fold", "obs-fold (header continuation line)", f"GET {m('obs-fold')} HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n"))
    cs.append(("nul-value", "NUL in a header value", f"GET {m('nul-value')} HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"))
    cs.append(("no-host", "HTTP/1.1 without Host", f"GET {m('no-host')} HTTP/1.1\r\nX-A: b\r\n\r\n"))
    cs.append(("two-hosts", "two Host headers", f"GET {m('two-hosts')} HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"))
    cs.append(("authority-host", "absolute-form target naming another host than Host",
               f"GET http://a.example{m('authority-host')} HTTP/1.1\r\nHost: b.example\r\n\r\n"))
    cs.append(("userinfo", "userinfo in an absolute-form target (RFC 9110 4.2.4)",
               f"GET http://u:p@a.example{m('userinfo')} HTTP/1.1\r\nHost: a.example\r\n\r\n"))
    cs.append(("empty-host", "absolute-form target with an empty host (RFC 9110 4.2.1)",
               f"GET http://:80{m('empty-host')} HTTP/1.1\r\nHost: :80\r\n\r\n"))
    cs.append(("bad-target", "request-target 'foo' (no slash)", f"GET {mk}-bad-target HTTP/1.1\r\nHost: x\r\n\r\n"))
    cs.append(("http12", "version HTTP/1.2", f"GET {m('http12')} HTTP/1.2\r\nHost: x\r\n\r\n"))
    cs.append(("http20", "version HTTP/2.0", f"GET {m('http20')} HTTP/2.0\r\nHost: x\r\n\r\n"))
    return cs


def run_case(vip, port, raw, expect_forward=False):
    t0 = time.monotonic()
    try:
        c = Conn(vip, port, 6)
        c.send(raw)
    except OSError as e:
        return {"status": f"connect/send error {e}", "code": 0, "closed": True, "extra": [], "dt": 0}
    r = c.response(4.5)
    extra = []
    closed = c.eof if r is None else c.closed_within(1.0)
    while True:   # responses after the first (a smuggled request answered, or a 408)
        r2, rest = parse_one(c.buf, c.eof)
        if r2 is None:
            break
        c.buf = rest
        extra.append(r2["status"])
    c.close()
    return {"status": r["status"] if r else ("none (closed, nothing sent)" if c.eof else "none (no answer)"),
            "code": r["code"] if r else 0, "closed": closed, "reset": c.reset, "extra": extra,
            "head": (r["head"].decode("latin-1") if r else ""), "dt": round(time.monotonic() - t0, 2)}


def cmd_smuggle(vip, port, target, outf, *logs):
    port = int(port)
    mk = f"smg-{target}-{os.getpid()}"
    cases = smuggle_cases(mk)
    ok_case = ("te-gzip-chunked", "Transfer-Encoding: gzip, chunked (valid)",
               f"POST /{mk}-te-gzip-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    res = {}

    def one(cid, raw):
        res[cid] = run_case(vip, port, raw)

    th = [threading.Thread(target=one, args=(cid, raw)) for cid, _, raw in cases + [ok_case]]
    for t in th:
        t.start()
    for t in th:
        t.join()
    time.sleep(1.0)   # let the backends write their access log lines
    text = ""
    for lf in logs:
        try:
            text += open(lf, errors="replace").read()
        except OSError:
            pass
    seen = lambda cid: (f"{mk}-{cid} " in text or f"{mk}-{cid}-smuggled " in text or
                        f"{mk}-{cid}?" in text)
    rows = []
    for cid, desc, raw in cases:
        r = res[cid]
        saw = seen(cid)
        r["backend_saw"] = saw
        good = r["code"] == 400 and r["closed"] and not saw and not r["extra"]
        summary = (f"{r['status']!r}{' + ' + repr(r['extra']) if r['extra'] else ''}, "
                   f"connection {'closed' if r['closed'] else 'kept open'}"
                   f"{' (RST)' if r.get('reset') else ''}, "
                   f"backend {'SAW it' if saw else 'never saw it'} ({r['dt']} s)")
        rows.append(f"{cid:20s} {desc:48s} {summary}")
        if good:
            out("ok", f"smuggling: {desc}: 400 + close, the backend never saw it")
        elif target == "haproxy":
            out("info", f"HAProxy differs from '400 + close' for {desc}: {summary}")
        else:
            out("bad", f"smuggling: {desc}: want 400 + close + unseen, got {summary}")
    # "gzip, chunked" is valid HTTP/1.1 and must be forwarded (nginx then answers 501 itself).
    # HAProxy 2.5+ refuses every coding but chunked with its own 422 (haproxy issue #1301).
    first400 = next((res[cid]["head"] for cid, _, _ in cases if res[cid]["code"] == 400 and not res[cid]["backend_saw"]), None)
    if first400:
        out("info", f"{target}'s own 400 head: {first400!r}")
    r = res[ok_case[0]]
    saw = seen(ok_case[0])
    summary = (f"{r['status']!r}, connection {'closed' if r['closed'] else 'kept open'}, "
               f"backend {'saw it' if saw else 'never saw it'}")
    rows.append(f"{ok_case[0]:20s} {ok_case[1]:48s} {summary}")
    if saw:
        out("ok", f"smuggling: {ok_case[1]} is accepted and forwarded ({summary})")
    elif target == "haproxy":
        out("info", f"HAProxy refuses {ok_case[1]} itself: {summary}")
    else:
        out("bad", f"smuggling: {ok_case[1]} must be forwarded: {summary}")
    with open(outf, "w") as f:
        f.write("\n".join(rows) + "\n")


def cmd_keepalive(vip, port, stopfile, outf):
    st = {"ok": 0, "non200": 0, "errors": 0, "connections": 0, "last_error": ""}
    c = None
    while not os.path.exists(stopfile):
        try:
            if c is None:
                c = Conn(vip, int(port), 5)
                st["connections"] += 1
            c.send("GET /ka HTTP/1.1\r\nHost: x\r\n\r\n")
            r = c.response(5)
            if r is None:
                raise OSError("no response")
            if r["code"] == 200:
                st["ok"] += 1
            else:
                st["non200"] += 1
                st["last_error"] = r["status"]
        except OSError as e:
            st["errors"] += 1
            st["last_error"] = str(e)
            if c:
                c.close()
            c = None
        time.sleep(0.02)
    if c:
        c.close()
    with open(outf, "w") as f:
        json.dump(st, f)


# ----------------------------------------------------------------------------- comparison

IGNORE = {"date", "server", "last-modified", "etag", "accept-ranges"}


def normalize(name, resp, pinned=False, echo=False, head=False):
    lines = [f"== {name}"]
    if resp is None:
        return lines + ["no response"]
    lines.append(f"status: {resp['status']}")
    hs = []
    for k, v in resp["headers"]:
        k = k.lower()
        if k in IGNORE or (k == "content-length" and (resp["code"] >= 400 or head)):
            continue
        if k == "x-backend" and not pinned:
            v = re.sub(r"^be[12]$", "beN", v)
        if k == "set-cookie":
            v = re.sub(r"ams([12])~be([12])-[0-9a-f]+",
                       lambda m: "amsN~beN-ID" if m[1] == m[2] else m[0], v)
            v = re.sub(r"^JSESSIONID=be[12]-[0-9a-f]+", "JSESSIONID=beN-ID", v)
            if not pinned:
                v = re.sub(r"ams[12]~abc123", "amsN~abc123", v)
                v = re.sub(r"^SRVID=s[12];", "SRVID=sN;", v)
        hs.append(f"{k}: {v}")
    lines += sorted(hs)
    if echo:
        e = echo_lines(resp["body"])
        for k in ("method", "uri", "protocol", "host", "x-forwarded-for", "x-forwarded-proto",
                  "cookie", "connection", "x-test", "x-remove-me"):
            lines.append(f"backend sees {k}: {e.get(k, '<absent>')}")
    elif head:   # lib/head_echo.py: the request-line and the Host lines the proxy forwarded
        fwd = resp["body"].decode("latin-1").split("\r\n")
        lines.append(f"backend request-line: {fwd[0]}")
        lines.append(f"backend host lines: {[l for l in fwd[1:] if l.lower().startswith('host:')]}")
    elif resp["body"].startswith(b"backend be") and b"cookie:" in resp["body"]:
        lines.append(f"backend sees {resp['body'].decode().splitlines()[1]}")
    return lines


def authority_reqs():
    """One authority per request: absolute-form targets against their Host, as cmd_compare
    entries (HAProxy 2.6 refuses a mismatch with 400, cuts a default port, keeps one of two equal
    Hosts; the backend :9002 shows what was forwarded)."""
    A, E = "/head-echo", {"head": True}
    H = lambda *kv: list(kv)
    return [
        ("authority: absolute-form, the same Host", (8080, f"http://a.example{A}"),
         {"host_hdr": "a.example"}, E),
        ("authority: absolute-form, another Host: 400", (8080, f"http://a.example{A}"),
         {"host_hdr": "b.example"}, {}),
        ("authority: absolute-form HTTP/1.0, another Host: 400", (8080, f"http://a.example{A}"),
         {"host_hdr": "b.example", "version": "HTTP/1.0"}, {}),
        ("authority: case differs", (8080, f"http://A.Example{A}"), {"host_hdr": "a.example"}, E),
        ("authority: target's default port cut, Host replaced", (8080, f"http://a.example:80{A}"),
         {"host_hdr": "A.EXAMPLE:80"}, E),
        ("authority: default port in the Host only, kept", (8080, f"http://a.example{A}"),
         {"host_hdr": "a.example:80"}, E),
        ("authority: https, default port cut", (8080, f"https://a.example:443{A}"),
         {"host_hdr": "a.example"}, E),
        ("authority: empty ports cut", (8080, f"http://a.example:{A}"), {"host_hdr": "a.example:"}, E),
        ("authority: another port in the target only: 400", (8080, f"http://a.example:8080{A}"),
         {"host_hdr": "a.example"}, {}),
        ("authority: another port in the Host only: 400", (8080, f"http://a.example{A}"),
         {"host_hdr": "a.example:8080"}, {}),
        ("authority: the same other port", (8080, f"http://a.example:8080{A}"),
         {"host_hdr": "a.example:8080"}, E),
        ("authority: https, port 80 in the Host: 400", (8080, f"https://a.example{A}"),
         {"host_hdr": "a.example:80"}, {}),
        ("authority: the same Host twice, one forwarded", (8080, f"http://a.example{A}"),
         {"host_hdr": "a.example", "headers": H(("Host", "A.example"))}, E),
        ("authority: two different Hosts: 400", (8080, A),
         {"host_hdr": "a.example", "headers": H(("Host", "b.example"))}, {}),
        ("authority: HTTP/1.0 absolute-form without Host", (8080, f"http://a.example:80{A}"),
         {"version": "HTTP/1.0", "host_hdr": None}, E),
        ("authority: a query right after the authority: 400", (8080, "http://a.example?q=1"),
         {"host_hdr": "a.example"}, {}),
        ("authority: empty Host: 400", (8080, f"http://a.example{A}"), {"host_hdr": ""}, {}),
        ("authority: CONNECT, another Host: 400", (8080, "a.example:443"),
         {"method": "CONNECT", "host_hdr": "b.example:443"}, {}),
        ("authority: redirect from the Host, not the target's case", (8081, "http://a.example/live/app"),
         {"host_hdr": "A.example"}, {}),
        ("authority: redirect, default port cut", (8081, "http://a.example:80/live/app"),
         {"host_hdr": "a.example:80"}, {}),
        ("authority: redirect, HTTP/1.0 absolute-form without Host", (8081, "http://a.example/live/app"),
         {"version": "HTTP/1.0", "host_hdr": None}, {}),
    ]


def cmd_compare(vip, outf, final=""):
    """The fixed request set, sent in parallel (a stalled target costs one timeout, not one per
    request); the normalized answers are written in a fixed order."""
    H = lambda *kv: {"headers": list(kv)}
    if final:   # a proxy may retry a refused connection for a few seconds
        reqs = [("503 GET / :5080 (both backends stopped)", (5080, "/"), {}, {}),
                ("503 GET /vod/a.m3u8 :5080 with cookie (both backends stopped)", (5080, "/vod/a.m3u8"),
                 H(("Cookie", "JSESSIONID=ams1~x")), {}),
                ("503 GET / :8080 (both backends stopped)", (8080, "/"), {}, {})]
    else:
        reqs = [
            ("GET / :5080", (5080, "/"), {}, {}),
            ("HEAD / :5080", (5080, "/"), {"method": "HEAD"}, {}),
            ("GET / :5080 Connection: close", (5080, "/"), H(("Connection", "close")), {}),
            ("GET / :5080 HTTP/1.0", (5080, "/"), {"version": "HTTP/1.0"}, {}),
            ("GET / :5080 HTTP/1.0 keep-alive", (5080, "/"),
             {"version": "HTTP/1.0", "headers": [("Connection", "keep-alive")]}, {}),
            ("GET /echo-headers :5080 with X-Forwarded-For", (5080, "/echo-headers"),
             H(("X-Forwarded-For", "192.0.2.1")), {"echo": True}),
            ("GET /echo-headers :8080", (8080, "/echo-headers"),
             H(("X-Test", "no"), ("X-Remove-Me", "1"), ("Cookie", "JSESSIONID=ams2~q")), {"pinned": True, "echo": True}),
            ("GET /vod/a.m3u8 :5080 no cookie", (5080, "/vod/a.m3u8"), {}, {}),
            ("GET /vod/a.ts :5080 cookie ams2~", (5080, "/vod/a.ts"),
             H(("Cookie", "JSESSIONID=ams2~be2-0")), {"pinned": True}),
            ("GET /vod/a.m3u8 :5080 cookie ams1~ + other", (5080, "/vod/a.m3u8"),
             H(("Cookie", "JSESSIONID=ams1~be1-0; other=1")), {"pinned": True}),
            ("GET /vod/a.m3u8 :5080 cookie for no server", (5080, "/vod/a.m3u8"),
             H(("Cookie", "JSESSIONID=ams9~zz")), {}),
            ("GET /setcookie :8080", (8080, "/setcookie"), {}, {}),
            ("GET /setcookie :8080 cookie ams1~", (8080, "/setcookie"),
             H(("Cookie", "JSESSIONID=ams1~abc123")), {"pinned": True}),
            ("GET /ins/a :8080 (cookie insert nocache)", (8080, "/ins/a"), {}, {}),
            ("GET /up/ins.txt :8080 (cookie insert nocache, cacheable)", (8080, "/up/ins.txt"), {}, {}),
            ("GET /ins/a :8080 cookie SRVID=s1", (8080, "/ins/a"), H(("Cookie", "SRVID=s1")), {"pinned": True}),
            ("GET /live/app?x=1 :8081 (redirect)", (8081, "/live/app?x=1"), {"host_hdr": f"{vip}:8081"}, {}),
            ("GET / :8081 HTTP/1.0 without Host (redirect)", (8081, "/"),
             {"version": "HTTP/1.0", "host_hdr": None}, {}),
            ("400: two differing Content-Length :8080", (8080, None),
             {"raw": "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"}, {}),
            ("404 from the backend :8080 /ws-nothing via ws-echo", (8080, "/ws-nothing"), {}, {}),
        ] + authority_reqs()
    got = {}

    def one(i, port, path, kw):
        try:
            if "raw" in kw:
                got[i] = Conn_req(vip, port, kw["raw"])
            else:
                got[i] = request(vip, port, path, timeout=15 if final else 5, **kw)
        except OSError as e:
            got[i] = None
            out("info", f"compare: {reqs[i][0]}: {e}")

    th = [threading.Thread(target=one, args=(i, a[0], a[1], kw)) for i, (_, a, kw, _) in enumerate(reqs)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    L = []
    for i, (name, _, _, nkw) in enumerate(reqs):
        L += normalize(name, got.get(i), **nkw)
        if final and got.get(i):
            out("info", f"{name}: {got[i]['head']!r}")
    with open(outf, "a") as f:
        f.write("\n".join(L) + "\n")


def Conn_req(vip, port, raw):
    c = Conn(vip, port)
    c.send(raw)
    r = c.response(5)
    c.close()
    return r


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        globals()["cmd_" + cmd](*args)
    except Exception as e:   # a crash is a failed check, with its reason
        import traceback
        traceback.print_exc()
        out("bad", f"http_probe {cmd}: {type(e).__name__}: {e}")
