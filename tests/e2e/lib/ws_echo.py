#!/usr/bin/env python3
"""ws_echo.py PORT — a tiny WebSocket echo server (Python stdlib only) for tests/e2e/test_http.sh.

  GET /ws...      with "Upgrade: websocket" and a Sec-WebSocket-Key: 101 Switching Protocols with
                  Sec-WebSocket-Accept (RFC 6455), then every text/binary message is echoed back,
                  ping gets pong, close gets close.
  GET /ws-426...  426 Upgrade Required, no switch (Content-Length, keep-alive)
  GET /ws-200...  200 OK, no switch (Content-Length, keep-alive)
  anything else   404 (keep-alive)

Non-upgraded responses carry "X-Backend: ws-echo" and a body naming the server and the
X-Forwarded-For it saw, so a client can tell who answered. One line per request on stdout.
"""
import base64
import hashlib
import socket
import socketserver
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def log(*a):
    print(*a, flush=True)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        d = sock.recv(n - len(buf))
        if not d:
            raise EOFError
        buf += d
    return buf


def send_frame(sock, opcode, payload):
    n = len(payload)
    if n < 126:
        hdr = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        hdr = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        hdr = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    sock.sendall(hdr + payload)


def read_frame(sock):
    b0, b1 = recv_exact(sock, 2)
    opcode = b0 & 0x0F
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(sock, 8))[0]
    mask = recv_exact(sock, 4) if b1 & 0x80 else None
    data = recv_exact(sock, n) if n else b""
    if mask:
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
    return opcode, data


def ws_loop(sock, peer):
    while True:
        try:
            op, data = read_frame(sock)
        except (EOFError, OSError):
            log(f"ws {peer}: peer gone")
            return
        if op in (1, 2):
            log(f"ws {peer}: echo {len(data)} bytes")
            send_frame(sock, op, data)
        elif op == 9:
            send_frame(sock, 10, data)
        elif op == 8:
            send_frame(sock, 8, data[:2])
            log(f"ws {peer}: close")
            return


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        peer = "%s:%d" % self.client_address
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                try:
                    d = sock.recv(65536)
                except OSError:
                    return
                if not d:
                    return
                buf += d
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            reqline = lines[0]
            hdrs = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    k = k.strip().lower()
                    hdrs[k] = (hdrs[k] + ", " if k in hdrs else "") + v.strip()
            cl = int(hdrs.get("content-length", "0") or 0)
            while len(buf) < cl:
                d = sock.recv(65536)
                if not d:
                    return
                buf += d
            buf = buf[cl:]
            parts = reqline.split()
            path = parts[1] if len(parts) > 1 else ""
            log(f"req {peer}: {reqline!r} upgrade={hdrs.get('upgrade', '')!r}")
            body = ("served-by: ws-echo\nx-forwarded-for: %s\n" % hdrs.get("x-forwarded-for", "")).encode()
            if path.startswith("/ws-426"):
                status = "426 Upgrade Required"
            elif path.startswith("/ws-200"):
                status = "200 OK"
            elif path.startswith("/ws") and hdrs.get("upgrade", "").lower() == "websocket" \
                    and "sec-websocket-key" in hdrs:
                acc = base64.b64encode(hashlib.sha1(hdrs["sec-websocket-key"].encode() + GUID).digest())
                sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
                ws_loop(sock, peer)
                return
            else:
                status = "404 Not Found"
            sock.sendall(("HTTP/1.1 %s\r\nContent-Type: text/plain\r\nX-Backend: ws-echo\r\n"
                          "Content-Length: %d\r\n\r\n" % (status, len(body))).encode() + body)
            if hdrs.get("connection", "").lower() == "close":
                return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9001
    with Server(("0.0.0.0", port), Handler) as srv:
        log(f"ws_echo listening on :{port}")
        srv.serve_forever()
