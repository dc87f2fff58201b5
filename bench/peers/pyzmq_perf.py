# SPDX-License-Identifier: MIT
"""libzmq's four perf tools on pyzmq (Debian python3-zmq), for bench/harness.ts.

    python3 bench/peers/pyzmq_perf.py local_thr|remote_thr|local_lat|remote_lat <endpoint> <size> <count>

Prints libzmq's lines on stdout; a bound half prints "bound <endpoint>" on stderr.
"""
import sys
import time

import zmq

tool, endpoint, size, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = zmq.Context()


def bound(sock):
    sock.bind(endpoint)
    print("bound " + sock.getsockopt_string(zmq.LAST_ENDPOINT), file=sys.stderr, flush=True)


if tool == "local_thr":
    s = ctx.socket(zmq.PULL)
    bound(s)
    s.recv()
    t0 = time.perf_counter()
    for _ in range(count - 1):
        s.recv(copy=False)
    us = max(1.0, (time.perf_counter() - t0) * 1e6)
    thr = count / us * 1e6
    print(f"message size: {size} [B]\nmessage count: {count}")
    print(f"mean throughput: {int(thr)} [msg/s]\nmean throughput: {thr * size * 8 / 1e6:.3f} [Mb/s]")
elif tool == "remote_thr":
    s = ctx.socket(zmq.PUSH)
    s.connect(endpoint)
    body = bytes(size)
    for _ in range(count):
        s.send(body, copy=size > 1024)
elif tool == "local_lat":
    s = ctx.socket(zmq.REP)
    bound(s)
    for _ in range(count):
        s.send(s.recv())
elif tool == "remote_lat":
    s = ctx.socket(zmq.REQ)
    s.connect(endpoint)
    body = bytes(size)
    t0 = time.perf_counter()
    for _ in range(count):
        s.send(body)
        s.recv()
    us = (time.perf_counter() - t0) * 1e6
    print(f"message size: {size} [B]\nroundtrip count: {count}\naverage latency: {us / (2 * count):.3f} [us]")
else:
    sys.exit(f"unknown tool {tool}")
s.close(linger=60000)
ctx.term()
