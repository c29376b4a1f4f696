#!/usr/bin/env python3
"""Latency of orgca's certificate search through the HTTP API, one keep-alive connection,
one request at a time: p50 and p99 per kind of query, as one JSON object per line.

    search_latency.py --port P --sample sample.json --token-big T1 --token-small T2 [--n 300]
    search_latency.py --port P --floor [--n 300]      # the same client against any URL "/"

The sample comes from `orgca-bench search-fill`. Every answer must be 200 (and, for the
exact look-ups, hold at least one certificate), or the run fails.
"""
import argparse, http.client, json, random, statistics, sys, time, urllib.parse


def measure(conn, path, token, n, check):
    times = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for i in range(n):
        p = path(i)
        t = time.perf_counter()
        conn.request("GET", p, headers=headers)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t) * 1000)
        if r.status != 200:
            sys.exit(f"{p}: {r.status} {body[:300]!r}")
        if check and not json.loads(body)["items"]:
            sys.exit(f"{p}: no match")
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
            "max_ms": round(times[-1], 3), "n": n}


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--sample")
    a.add_argument("--token-big")
    a.add_argument("--token-small")
    a.add_argument("--n", type=int, default=300)
    a.add_argument("--floor", action="store_true")
    a.add_argument("--label", default="")
    args = a.parse_args()
    conn = http.client.HTTPConnection("127.0.0.1", args.port)
    if args.floor:
        r = measure(conn, lambda i: "/", None, args.n, False)
        print(json.dumps({"what": "floor", **r}))
        return
    sample = json.load(open(args.sample))
    rnd = random.Random(7)
    q = lambda v: "/api/v1/certificates?limit=50&q=" + urllib.parse.quote(v)
    for org, token in (("big", args.token_big), ("small", args.token_small)):
        s = sample[org]
        cases = [
            ("uuid", lambda i: q(rnd.choice(s["uuids"])), True),
            ("serial", lambda i: q(rnd.choice(s["serials"])), True),
            ("email", lambda i: q(rnd.choice(s["emails"])), True),
            ("contact_prefix", lambda i: q(rnd.choice(s["contact_prefixes"])), False),
            ("free_text", lambda i: q(rnd.choice(s["words"]) + " " + str(rnd.randrange(97))), False),
            ("list_newest", lambda i: "/api/v1/certificates?limit=50", True),
            ("expiring_soonest", lambda i: "/api/v1/certificates?limit=50&status=active&sort=not_after", True),
        ]
        # Warm-up: the first requests open database pages.
        measure(conn, cases[0][1], token, 20, False)
        for name, path, check in cases:
            r = measure(conn, path, token, args.n, check)
            print(json.dumps({"what": name, "org": org, "certificates": s["certificates"],
                              "label": args.label, **r}))


if __name__ == "__main__":
    main()
