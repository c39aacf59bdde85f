#!/usr/bin/env python3
"""head_echo.py PORT — answers every HTTP/1.x request with 200 and, as the body, the request head
exactly as it arrived (request-line through the empty line), then closes. Python stdlib only.

tests/e2e/test_http.sh puts it behind the proxy under test to see the bytes the proxy forwards:
the request-target and the Host field of absolute-form requests, which nginx's variables do not
show as sent. Requests with a body are not expected (the body is not read).
"""
import socketserver
import sys


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf and len(buf) < 65536:
                d = self.request.recv(65536)
                if not d:
                    return
                buf += d
        except OSError:
            return
        head = buf[:buf.find(b"\r\n\r\n") + 4]
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Backend: head-echo\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(head) + head)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    Server(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
