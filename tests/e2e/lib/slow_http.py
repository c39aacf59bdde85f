#!/usr/bin/env python3
# A test backend (stdlib only): GET /sleep/SECONDS answers 200 "slept N" after that long;
# GET /bytes/N answers N bytes at once; GET /peak answers "peak N", the most /sleep requests it
# served at once since the last /peak (then starts counting again); any other GET answers 200 at
# once; POST answers 200 once the whole body has arrived. Threaded, HTTP/1.1 with Content-Length.
# Usage: slow_http.py PORT NAME
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


LOCK = threading.Lock()
SLEEPING = [0, 0]  # now, peak


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = self.path.split("/")
        body = ("%s %s\n" % (sys.argv[2], self.path)).encode()
        if len(parts) >= 3 and parts[1] == "sleep":
            with LOCK:
                SLEEPING[0] += 1
                SLEEPING[1] = max(SLEEPING)
            time.sleep(float(parts[2]))
            with LOCK:
                SLEEPING[0] -= 1
        if parts[1:2] == ["peak"]:
            with LOCK:
                body = ("peak %d\n" % SLEEPING[1]).encode()
                SLEEPING[1] = SLEEPING[0]
        if len(parts) >= 3 and parts[1] == "bytes":
            body = b"x" * int(parts[2])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Backend", sys.argv[2])
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        # the whole body first (a server that answers early would hide a client timeout)
        n = int(self.headers.get("Content-Length", "0"))
        got = self.rfile.read(n)
        body = ("%s %s %d\n" % (sys.argv[2], self.path, len(got))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Backend", sys.argv[2])
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
