#!/usr/bin/env python3
"""Start-up time of Easel: from `easel serve` to the first 200 of /healthz.

    bench/startup.py BINARY [RUNS]

Each run starts the binary on a fresh, empty SQLite database (migrations
included) in its own temporary folder and polls /healthz every millisecond,
so the figure is the server's and not the poll's. Prints each run and the
median in milliseconds, then `startup_median_ms=N` for the scripts.
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# A server that is not up after this long has failed: stop, do not wait on.
GIVE_UP_AFTER_S = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port):
    """True once /healthz answers 200; False while the port is not open yet."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def one_start(binary):
    folder = tempfile.mkdtemp(prefix="easel-bench.startup.")
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{folder}/easel.db",
        EASEL_BIND=f"127.0.0.1:{port}",
        EASEL_DATA_DIR=f"{folder}/data",
        EASEL_UPLOADS_DIR=f"{folder}/uploads",
        RUST_LOG="warn",
    )
    log = open(f"{folder}/server.log", "w")
    started = time.monotonic()
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    try:
        while not healthy(port):
            if server.poll() is not None or time.monotonic() - started > GIVE_UP_AFTER_S:
                log.flush()
                sys.stderr.write(open(f"{folder}/server.log").read()[-2000:])
                raise SystemExit(f"easel did not answer /healthz (exit status {server.poll()})")
            time.sleep(0.001)
        return (time.monotonic() - started) * 1000
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    times = [one_start(binary) for _ in range(runs)]
    print("start-up runs (ms): " + " ".join(f"{t:.0f}" for t in times))
    print(f"startup_median_ms={statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
