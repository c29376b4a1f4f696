#!/usr/bin/env python3
"""Signs one document N times through orgca's API (POST /api/v1/sign/{format}, raw bytes
in and out) with C clients, each on its own keep-alive connection, and prints one JSON
line: requests, concurrency, p50/p90/p99 latency in ms and signatures per second.

usage: sign_latency.py HOST:PORT TOKEN FORMAT FILE N C
"""
import http.client
import json
import sys
import threading
import time


def worker(addr, token, path, body, n, out, errors):
    conn = http.client.HTTPConnection(addr, timeout=60)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/octet-stream"}
    for _ in range(n):
        t = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        out.append(time.perf_counter() - t)
        if r.status != 200 or not data:
            errors.append(r.status)


def main():
    addr, token, fmt, file, n, c = sys.argv[1:7]
    n, c = int(n), int(c)
    body = open(file, "rb").read()
    path = "/api/v1/sign/%s?mode=personal" % fmt
    # Warm-up: connections, caches, the first key generation.
    worker(addr, token, path, body, 5, [], [])
    times, errors = [], []
    threads = [
        threading.Thread(target=worker, args=(addr, token, path, body, n // c, times, errors))
        for _ in range(c)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        sys.exit("%d requests failed: %s" % (len(errors), sorted(set(errors))))
    times.sort()
    q = lambda p: round(1000 * times[min(len(times) - 1, int(p * len(times)))], 2)
    print(json.dumps({
        "format": fmt, "bytes": len(body), "requests": len(times), "concurrency": c,
        "p50_ms": q(0.50), "p90_ms": q(0.90), "p99_ms": q(0.99),
        "per_second": round(len(times) / wall, 1),
    }))


if __name__ == "__main__":
    main()
