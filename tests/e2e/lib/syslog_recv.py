#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A syslog receiver for e2e tests: every datagram received on UDP ADDR:PORT is appended to
FILE as one line (its trailing newline, if any, not doubled).

usage: syslog_recv.py ADDR PORT FILE
"""
import socket
import sys


def main():
    addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(path, "a", buffering=1) as f:
        while True:
            msg = s.recv(65536).decode("utf-8", "replace").rstrip("\n")
            f.write(msg + "\n")


if __name__ == "__main__":
    main()
