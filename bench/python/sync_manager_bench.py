"""Python's own SyncManager, driven like managerd in bench/: rows a (sequential dict set/get),
c (N client processes), d (create then release objects), e (queue ping-pong between two
clients) and f (lock acquire/release). Prints one JSON line: ops, seconds, per_second."""

import argparse
import json
import multiprocessing as mp
import queue
import sys
import threading
import time
from multiprocessing.managers import AcquirerProxy, DictProxy, SyncManager

AUTHKEY = b"bench"

# Objects living in the manager's server process (it is forked after these exist), handed out
# by registered callables: the documented way to share objects with remote clients.
_d = {}
_ping = queue.Queue()
_pong = queue.Queue()
_lock = threading.Lock()


class BenchManager(SyncManager):
    pass


BenchManager.register("get_d", callable=lambda: _d, proxytype=DictProxy)
BenchManager.register("get_ping", callable=lambda: _ping)
BenchManager.register("get_pong", callable=lambda: _pong)
BenchManager.register("get_lock", callable=lambda: _lock, proxytype=AcquirerProxy)


def client(address, op, duration, ready, go, out):
    m = BenchManager(address=address, authkey=AUTHKEY)
    m.connect()
    d, ping, pong, lock = m.get_d(), m.get_ping(), m.get_pong(), m.get_lock()
    lat = []
    ready.set()
    go.wait()
    n = 0
    start = time.perf_counter()
    until = start + duration
    while op == "pong":
        # Echo until the ping side says it is done: a timed stop here could strand it.
        v = ping.get()
        if v is None:
            break
        pong.put(v)
        n += 1
    while op != "pong" and time.perf_counter() < until:
        if op == "seq":
            t0 = time.perf_counter()
            if n % 2 == 0:
                d["k%d" % (n % 1000)] = n
            else:
                d.get("k%d" % (n % 1000))
            lat.append(time.perf_counter() - t0)
        elif op == "churn":
            x = m.dict()
            del x
        elif op == "ping":
            ping.put(n)
            pong.get()
        elif op == "lock":
            lock.acquire()
            lock.release()
        n += 1
    if op == "ping":
        ping.put(None)
    result = {"ops": n, "seconds": time.perf_counter() - start}
    if lat:
        lat.sort()
        result["p50us"] = lat[len(lat) // 2] * 1e6
        result["p99us"] = lat[int(len(lat) * 0.99)] * 1e6
    out.put(result)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--op", required=True, choices=["seq", "churn", "pingpong", "lock"])
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--duration", type=float, default=2.0)
    args = p.parse_args()

    mp.set_start_method("fork")
    mp.current_process().authkey = AUTHKEY  # proxies rebuilt in clients authenticate with it
    manager = BenchManager(address=("127.0.0.1", 0), authkey=AUTHKEY)
    manager.start()
    ops = {"seq": ["seq"] * args.procs, "churn": ["churn"] * args.procs, "pingpong": ["ping", "pong"], "lock": ["lock"] * args.procs}[args.op]
    ready = [mp.Event() for _ in ops]
    go = mp.Event()
    out = mp.Queue()
    procs = [mp.Process(target=client, args=(manager.address, op, args.duration, r, go, out)) for op, r in zip(ops, ready)]
    for pr in procs:
        pr.start()
    for r in ready:
        r.wait()
    go.set()
    results = [out.get() for _ in procs]
    for pr in procs:
        pr.join()
    manager.shutdown()
    total = results[0]["ops"] if args.op == "pingpong" else sum(r["ops"] for r in results)
    seconds = max(r["seconds"] for r in results)
    summary = {"ops": total, "seconds": seconds, "per_second": total / seconds}
    if "p50us" in results[0]:
        summary["p50us"] = results[0]["p50us"]
        summary["p99us"] = results[0]["p99us"]
    print(json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
