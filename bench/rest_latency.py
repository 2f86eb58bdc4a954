#!/usr/bin/env python3
"""Sequential HTTP/1.1 requests over one keep-alive unix-socket connection; prints per-run median latencies (ms).

Used by bench/run.sh for berthd and LXD alike, so client overhead is the same on both sides.
"""
import json
import socket
import statistics
import sys
import time


def main():
    sock_path, path, requests, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    f = s.makefile("rb")
    request = f"GET {path} HTTP/1.1\r\nHost: unix.socket\r\n\r\n".encode()

    def one():
        s.sendall(request)
        status = f.readline()
        if b" 200 " not in status:
            raise SystemExit(f"{path}: {status!r}")
        length, chunked = None, False
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int(f.readline().split(b";")[0], 16)
                f.read(size + 2)
                if size == 0:
                    break
        else:
            f.read(length or 0)

    deadline = time.monotonic() + 120
    for _ in range(min(500, requests)):
        one()
    medians = []
    for _ in range(runs):
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            one()
            samples.append(time.perf_counter() - start)
            if time.monotonic() > deadline:
                break
        medians.append(statistics.median(samples) * 1000)
    print(json.dumps(medians))


if __name__ == "__main__":
    main()
