#!/usr/bin/env python3
"""hold_conns.py — N TCP connections to VIP:PORT open at the same time (stdlib only).

  hold_conns.py VIP PORT N OPEN_TIMEOUT HOLD_SECONDS

Opens N connections (each given OPEN_TIMEOUT seconds), waits until every one is open or has
failed, prints "open at once: K", keeps them HOLD_SECONDS more (the caller looks at the server's
side meanwhile), then sends "GET / HTTP/1.0" on each and reads the answer to its end. Prints
"completed: G of N" (answers "HTTP/1.1 200" naming a backend "backend be..."); exits 0 when all
N opened and completed, else 1.
"""
import asyncio
import resource
import sys


async def one(vip, port, tmo, opened, go):
    r, w = await asyncio.wait_for(asyncio.open_connection(vip, port), tmo)
    opened.append(w)
    await go.wait()  # every connection is open at the same time
    w.write(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    await w.drain()
    data = await asyncio.wait_for(r.read(), 20)
    w.close()
    return data.startswith(b"HTTP/1.1 200") and b"backend be" in data


async def main(vip, port, n, tmo, hold):
    opened, go = [], asyncio.Event()
    tasks = [asyncio.create_task(one(vip, port, tmo, opened, go)) for _ in range(n)]
    for _ in range(int(tmo * 10) + 10):
        if len(opened) + sum(t.done() for t in tasks) >= n:
            break
        await asyncio.sleep(0.1)
    print("open at once:", len(opened), flush=True)
    await asyncio.sleep(hold)
    go.set()
    res = await asyncio.gather(*tasks, return_exceptions=True)
    good = sum(1 for x in res if x is True)
    print("completed:", good, "of", n, flush=True)
    return 0 if good == n and len(opened) == n else 1


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
    a = sys.argv
    sys.exit(asyncio.run(main(a[1], int(a[2]), int(a[3]), float(a[4]), float(a[5]))))
