"""Network workloads for bench/run.sh; each prints a JSON list of per-run values.

  network_bench.py lease SOCKET LXC_ENV NAME_PATTERN RUNS   ms from `lxc start` to an IPv4 on eth0 in GET .../state
  network_bench.py rtt PORT RUNS                             median round trip (ms) of a 16-byte message, per run
  network_bench.py bulk PORT[,PORT2] RUNS MB                 ms to push MB megabytes through and see the far end close;
                                                             with two ports, one list per port, their runs alternating
"""
import http.client, json, os, socket, statistics, subprocess, sys, time


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def has_ipv4(conn, name):
    conn.request("GET", f"/1.0/instances/{name}/state")
    state = json.loads(conn.getresponse().read())["metadata"] or {}
    eth0 = (state.get("network") or {}).get("eth0") or {}
    return any(a["family"] == "inet" for a in eth0.get("addresses") or [])


def lease(sock, env_spec, pattern, runs):
    env = dict(os.environ, **dict(kv.split("=", 1) for kv in env_spec.split(",")))
    out = []
    for i in range(runs):
        name = pattern.replace("{i}", str(i))
        conn = UnixHTTP(sock)
        start = time.perf_counter()
        subprocess.run(["lxc", "start", name], env=env, check=True, stdout=subprocess.DEVNULL)
        deadline = start + 30
        while not has_ipv4(conn, name):
            if time.perf_counter() > deadline:
                print('"failed"')
                return
            time.sleep(0.005)
        out.append((time.perf_counter() - start) * 1000)
    print(json.dumps(out))


def rtt(port, runs, count=2000):
    out = []
    for _ in range(runs):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        msg, times = b"0123456789abcdef", []
        for _ in range(count):
            t = time.perf_counter()
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += s.recv(64)
            times.append((time.perf_counter() - t) * 1000)
        s.close()
        out.append(statistics.median(times))
    print(json.dumps(out))


def bulk(ports, runs, mb):
    # Alternating between the forwarders, so a change in the machine's load during the runs hits both alike.
    chunk = b"\0" * (1 << 20)
    out = {port: [] for port in ports}
    for _ in range(runs):
        for port in ports:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            t = time.perf_counter()
            for _ in range(mb):
                s.sendall(chunk)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
            out[port].append((time.perf_counter() - t) * 1000)
            s.close()
    for port in ports:
        print(json.dumps(out[port]))


mode = sys.argv[1]
if mode == "lease":
    lease(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
elif mode == "rtt":
    rtt(int(sys.argv[2]), int(sys.argv[3]))
else:
    bulk([int(p) for p in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]))
