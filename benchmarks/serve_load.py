"""Load on ``trace serve``: a large index, concurrent clients on loopback, checks alone and with a writer.

``python benchmarks/serve_load.py [--docs 100000] [--clients 32] [--seconds 30] [--write-rate 10]
[--workers 2] [--dir DIR] [--json]``

The index and the drafts are those of ``benchmarks/check_speed.py`` (edited variants of the
Reuters-21578 and BBC originals in ``../shared/corpora``; drafts: copied paragraphs, credited
copy, spun copy, held-out originals).  With ``--dir`` they are kept there and reused by the
next run (``check_speed.py --keep DIR`` makes the same files).  Each run serves a fresh copy
of the index, so the writer's articles do not pile up between runs.

One ``trace serve`` process (``--workers`` uvicorn workers) listens on a free 127.0.0.1 port;
``--clients`` threads each keep one HTTP connection and post drafts to ``/v1/check`` back to
back for ``--seconds`` (closed loop: latency includes queueing).  Phase 1 is checks alone;
phase 2 adds a writer posting one new article to ``/v1/articles`` every 1/``--write-rate``
seconds.  Before the server starts, the library call (``check()`` on an open index, no HTTP)
is timed on the same drafts for comparison.  Reported per phase: requests, throughput,
p50/p95/p99/max latency, errors (any non-200 answer or broken connection), verdicts as
expected for the draft kind; for the
writer, adds answered and their latency.  Every request goes to 127.0.0.1 and every loop
stops at its deadline.

Without the corpora it prints ``skipped: ...`` and exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.check_speed import (  # noqa: E402
    EXPECTED,
    KINDS,
    _edit,
    _vocabulary,
    make_corpus,
    make_drafts,
    time_checks,
)
from benchmarks.common import exit_if_no_corpora  # noqa: E402

DOCS_DEFAULT = 100_000
CLIENTS_DEFAULT = 32
SECONDS_DEFAULT = 30.0
WRITE_RATE_DEFAULT = 10.0
WORKERS_DEFAULT = 2
DRAFTS = 40
STARTUP_SECONDS = 120


def prepare(folder: Path, docs: int, seed: int) -> tuple[Path, list[dict], list[tuple[str, Path]]]:
    """The index, its records and the drafts in ``folder``: reused when there, made otherwise."""
    from provenance.prepublish.index import Index, build_index
    from provenance.stages.load import load_articles

    db, corpus = folder / "index.sqlite", folder / "corpus.jsonl"
    drafts = sorted(folder.glob("draft-*.txt"))
    if db.exists() and corpus.exists() and drafts:
        with Index.open(db) as index:
            count = index.stats().documents
        if count == docs:
            print(f"reusing {db} ({count} documents)", file=sys.stderr)
            records = [json.loads(line) for line in corpus.open(encoding="utf-8")]
            return db, records, [(path.name.split("-")[1], path) for path in drafts]
    print(f"making {docs} documents and building the index ...", file=sys.stderr)
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), *drafts):
        stale.unlink(missing_ok=True)
    corpus, records, held = make_corpus(docs, max(1, DRAFTS // len(KINDS)), seed, folder)
    pairs = make_drafts(records, held, DRAFTS, seed, folder)
    build_index(load_articles(corpus, max_file_size=corpus.stat().st_size + 1).articles, db)
    return db, records, pairs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, token_file: Path, workers: int) -> tuple[subprocess.Popen, int]:
    """``python -m provenance serve`` on a free loopback port, once it answers /v1/health."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    process = subprocess.Popen([sys.executable, "-m", "provenance", "serve", "--db", str(db), "--port", str(port),
                                "--workers", str(workers), "--token-file", str(token_file)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"trace serve exited with {process.returncode}")
        try:
            status, _ = _request(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/v1/health")
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("trace serve did not answer in time")


def _request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read()


def _client(port: int, bodies: list[tuple[str, bytes]], offset: int, deadline: float,
            out: list[tuple[float, bool, bool]]) -> None:
    """Post drafts back to back until the deadline: (seconds, answered 200, verdict as expected) each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = offset
    while time.monotonic() < deadline:
        kind, body = bodies[i % len(bodies)]
        i += 1
        start = time.perf_counter()
        try:
            status, data = _request(conn, "POST", "/v1/check", body)
            ok = status == 200
            right = ok and json.loads(data)["verdict"] == EXPECTED[kind]
        except (OSError, http.client.HTTPException, ValueError):
            ok = right = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((time.perf_counter() - start, ok, right))
    conn.close()


def _writer(port: int, token: str, records: list[dict], rate: float, deadline: float, seed: int,
            out: list[tuple[float, bool]]) -> None:
    """Post one new article every 1/rate s (on a fixed schedule) until the deadline."""
    rng, vocab = random.Random(seed), _vocabulary()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    due, n = time.monotonic(), 0
    while True:
        due += 1.0 / rate
        if due >= deadline:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        source = rng.choice(records)
        body = json.dumps({"id": f"serve-load-{seed}-{n}", "title": source["title"], "outlet": source["outlet"],
                           "text": "\n".join(_edit(source["text"].split("\n"), rng, vocab))}).encode()
        n += 1
        start = time.perf_counter()
        try:
            status, _ = _request(conn, "POST", "/v1/articles", body, headers)
            ok = status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((time.perf_counter() - start, ok))
    conn.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def run_phase(port: int, bodies: list[tuple[str, bytes]], clients: int, seconds: float, writer: dict | None,
              ) -> dict[str, Any]:
    """One timed phase: ``clients`` checking threads, and the writer when given."""
    deadline = time.monotonic() + seconds
    results: list[list[tuple[float, bool, bool]]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, bodies, i * 7, deadline, results[i]))
               for i in range(clients)]
    writes: list[tuple[float, bool]] = []
    if writer is not None:
        threads.append(threading.Thread(target=_writer, args=(port, writer["token"], writer["records"],
                                                              writer["rate"], deadline, writer["seed"], writes)))
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    every = [r for rs in results for r in rs]
    ok = [seconds_ for seconds_, answered, _ in every if answered]
    out = {"requests": len(every), "seconds": round(elapsed, 2), "throughput_rps": round(len(every) / elapsed, 1),
           "errors": sum(not answered for _, answered, _ in every),
           "expected_verdicts": f"{sum(right for _, _, right in every)}/{len(every)}",
           "p50_ms": round(1000 * _pct(ok, 0.5), 1), "p95_ms": round(1000 * _pct(ok, 0.95), 1),
           "p99_ms": round(1000 * _pct(ok, 0.99), 1), "max_ms": round(1000 * max(ok, default=float("nan")), 1)}
    if writer is not None:
        done = [s for s, answered in writes if answered]
        out["writes"] = {"sent": len(writes), "answered_200": len(done),
                         "rate_per_s": round(len(done) / elapsed, 1),
                         "p50_ms": round(1000 * _pct(done, 0.5), 1), "p95_ms": round(1000 * _pct(done, 0.95), 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=DOCS_DEFAULT, help="documents in the index")
    parser.add_argument("--clients", type=int, default=CLIENTS_DEFAULT, help="concurrent checking clients")
    parser.add_argument("--seconds", type=float, default=SECONDS_DEFAULT, help="length of each phase")
    parser.add_argument("--write-rate", type=float, default=WRITE_RATE_DEFAULT, help="articles added per second")
    parser.add_argument("--workers", type=int, default=WORKERS_DEFAULT, help="trace serve --workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="keep (and reuse) corpus, drafts and index here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    exit_if_no_corpora()
    with tempfile.TemporaryDirectory(prefix="provenance-serve-load-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db, records, drafts = prepare(folder, args.docs, args.seed)
        work = Path(tmp) / "serving.sqlite"
        shutil.copyfile(db, work)
        token = secrets.token_urlsafe(24)
        token_file = Path(tmp) / "token"
        token_file.write_text(token + "\n", encoding="utf-8")
        bodies = [(kind, json.dumps({"text": path.read_text(encoding="utf-8"), "id": path.name}).encode())
                  for kind, path in drafts]
        print("timing the library call on the same drafts (no HTTP) ...", file=sys.stderr)
        library = time_checks(db, drafts)["all"]
        process, port = start_server(work, token_file, args.workers)
        try:
            run_phase(port, bodies, min(args.clients, 4), 3.0, None)  # warm every worker's caches
            print(f"phase 1: {args.clients} clients checking for {args.seconds:.0f} s ...", file=sys.stderr)
            alone = run_phase(port, bodies, args.clients, args.seconds, None)
            print(f"phase 2: the same while adding {args.write_rate:g} articles/s ...", file=sys.stderr)
            writer = {"token": token, "records": records, "rate": args.write_rate, "seed": args.seed}
            busy = run_phase(port, bodies, args.clients, args.seconds, writer)
        finally:
            process.terminate()
            process.wait(timeout=60)
    result = {"docs": args.docs, "clients": args.clients, "seconds": args.seconds, "workers": args.workers,
              "write_rate": args.write_rate, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
              "library_check": library, "checks_alone": alone,
              "checks_with_writer": busy}
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0
    rows = []
    for name, phase in (("checks alone", alone), ("checks + writer", busy)):
        rows.append([name, phase["requests"], phase["throughput_rps"], phase["p50_ms"], phase["p95_ms"],
                     phase["p99_ms"], phase["max_ms"], phase["errors"], phase["expected_verdicts"]])
    print(f"{args.docs} documents, {args.clients} clients, {args.seconds:g} s per phase, "
          f"{args.workers} workers, {os.cpu_count()} CPUs")
    print(tabulate(rows, headers=["phase", "checks", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
                                  "verdicts as expected"], disable_numparse=True))
    print(f"library check() in one process, no HTTP: median {library['median_ms']:.1f} ms, "
          f"p95 {library['p95_ms']:.1f} ms; load average at the end {os.getloadavg()[0]:.1f}")
    w = busy["writes"]
    print(f"writer: {w['answered_200']}/{w['sent']} adds answered 200 ({w['rate_per_s']}/s), "
          f"p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
