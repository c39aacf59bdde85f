#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A small authoritative DNS server over UDP for e2e tests: answers A queries from a zone file
read again at every query, so a test changes the answers by rewriting the file.

Zone file lines: `NAME A IP [IP...]`, `NAME NX` (NXDOMAIN), `NAME REFUSED`, `NAME DROP` (no
answer: the client times out). A name not in the file gets NXDOMAIN. Queries seen are counted
per name into COUNTS (`NAME N` lines) for the test to read.

usage: dns_server.py ADDR PORT ZONE COUNTS
"""
import os
import socket
import struct
import sys


def read_zone(path):
    zone = {}
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and not w[0].startswith("#"):
                    zone[w[0].lower().rstrip(".")] = w[1:]
    except OSError:
        pass
    return zone


def qname(msg):
    """The question's name (labels only, no compression in questions) and the offset after it."""
    off, labels = 12, []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def answer(msg, zone):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    name, off = qname(msg)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    entry = zone.get(name.lower(), ["NX"])
    rd = flags & 0x0100
    if entry[0] == "DROP":
        return None
    rcode, records = 0, []
    if entry[0] == "NX":
        rcode = 3
    elif entry[0] == "REFUSED":
        rcode = 5
    elif entry[0] == "A" and qtype == 1:
        for ip in entry[1:]:
            records.append(struct.pack("!HHHIH", 0xC00C, 1, 1, 1, 4) + socket.inet_aton(ip))
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd | 0x0080 | rcode, 1, len(records), 0, 0)
    return hdr + question + b"".join(records)


def main():
    addr, port, zone_path, counts_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    counts = {}
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            name, _ = qname(msg)
            counts[name] = counts.get(name, 0) + 1
            with open(counts_path + ".tmp", "w") as f:
                for k, v in sorted(counts.items()):
                    f.write(f"{k} {v}\n")
            os.replace(counts_path + ".tmp", counts_path)
            out = answer(msg, read_zone(zone_path))
        except (IndexError, struct.error, UnicodeError):
            continue
        if out is not None:
            s.sendto(out, peer)


if __name__ == "__main__":
    main()
