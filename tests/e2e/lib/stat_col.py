#!/usr/bin/env python3
# tests/e2e/lib/stat_col.py SOCKET PXNAME SVNAME COLUMN — one field of `show stat` read from a
# stats socket (sluice's or HAProxy's), found by the column's name in the header line; prints
# nothing when the row is absent, an empty line for an empty field.
import socket
import sys

sock, px, sv, col = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sock)
s.sendall(b"show stat\n")
out = b""
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    out += d
lines = out.decode().splitlines()
head = lines[0].lstrip("# ").split(",")
for line in lines[1:]:
    f = line.split(",")
    if len(f) == len(head) and f[0] == px and f[1] == sv:
        print(f[head.index(col)])
