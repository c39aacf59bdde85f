#!/usr/bin/env python3
"""tcp_answer.py PORT FILE banner|reply — a tiny TCP server for tcp-check tests. Python stdlib only.

Each connection reads FILE afresh (so a test flips the answer by rewriting it):
  banner: sends FILE's bytes as soon as the connection is up, then closes (an SMTP-like greeting);
  reply:  reads up to the first "\\r\\n", sends FILE's bytes, then closes (a PING/PONG protocol).
tests/e2e/test_tcpcheck.sh runs it in the backend namespaces.
"""
import socketserver
import sys

PORT, FILE, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            if MODE == "reply":
                buf = b""
                while b"\r\n" not in buf and len(buf) < 4096:
                    d = self.request.recv(4096)
                    if not d:
                        return
                    buf += d
            with open(FILE, "rb") as f:
                self.request.sendall(f.read())
        except OSError:
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with Server(("0.0.0.0", PORT), Handler) as srv:
        srv.serve_forever()
