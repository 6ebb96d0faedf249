"""``trace serve`` as a CMS meets it: real server processes on free 127.0.0.1 ports, real HTTP, real SQLite.

Each server is ``python -m provenance serve`` in its own process (the off-loopback
policy is the one exception: an in-process uvicorn bound to 127.0.0.1 whose
settings name another host, since nothing here may listen off loopback).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INDEPENDENT, SEEDS, WIRE, spin

from provenance.model import JSON_VERSION

pytest.importorskip("fastapi", reason="trace serve needs the serve extra (pip install -e '.[serve]')")
pytest.importorskip("uvicorn", reason="trace serve needs the serve extra (pip install -e '.[serve]')")
httpx = pytest.importorskip("httpx", reason="the serve tests talk HTTP with httpx (test extra)")

from test_html_browser import browser  # noqa: E402, F401 - the Chromium fixture, shared

from provenance.cli import cli  # noqa: E402
from provenance.prepublish.index import Index  # noqa: E402
from provenance.prepublish.serve_schema import CheckOut  # noqa: E402

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NATO = "000_ff1cc9cdafb8e1cb.txt"
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TRACE_SERVE_TOKEN", None)
    repo = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not answer /v1/health in time")


@contextmanager
def serve(db: Path, *extra: str, token_file: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A ``trace serve`` process on a free loopback port: (base URL, process); stopped on exit."""
    port = _free_port()
    args = [sys.executable, "-m", "provenance", "serve", "--db", str(db), "--port", str(port), *extra]
    if token_file is not None:
        args += ["--token-file", str(token_file)]
    process = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stderr.close()


def _build(db: Path, source: Path) -> None:
    result = CliRunner().invoke(cli, ["index", "build", str(source), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def token_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("token") / "token"
    path.write_text(TOKEN + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "seeds.sqlite"
    _build(db, SEEDS)
    return db


@pytest.fixture(scope="module")
def server(seed_db: Path, token_file: Path) -> Iterator[str]:
    with serve(seed_db, token_file=token_file) as (url, _):
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


def _paragraphs(name: str, count: int) -> str:
    lines = [p for p in (SEEDS / name).read_text(encoding="utf-8").split("\n") if p.strip()]
    return "\n".join(lines[:count])


def _cli_check(draft: Path, db: Path, *options: str) -> dict:
    result = CliRunner().invoke(cli, ["check", str(draft), "--against", str(db), "--format", "json", *options])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _without_path(answer: dict) -> dict:
    """The draft's path is the file for the CLI and none over HTTP; everything else must agree."""
    answer = json.loads(json.dumps(answer))
    answer["draft"].pop("path")
    return answer


def _assert_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["message"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


# ----------------------------------------------------------------------------- check == trace check


DRAFTS = {
    "copied paragraphs": (_paragraphs(NATO, 5), ()),
    "credited copy": ("By Jane Doe\nCredit | Reuters\n" + _paragraphs("004_7fdd438a3d7ae7ec.txt", 4), ()),
    "original": (INDEPENDENT, ()),
    "html page": ("<!DOCTYPE html><html><head><title>Summit</title></head><body><article><p>"
                  + "</p><p>".join(_paragraphs(NATO, 4).split("\n")) + "</p></article></body></html>", ()),
    "high threshold": (_paragraphs(NATO, 2), ("--threshold", "0.9", "--passage-words", "400")),
}


@pytest.mark.parametrize("name", sorted(DRAFTS))
def test_check_answers_as_trace_check_json(name: str, client: httpx.Client, seed_db: Path,
                                           tmp_path: Path) -> None:
    text, options = DRAFTS[name]
    suffix = ".html" if text.startswith("<!DOCTYPE") else ".txt"
    draft = tmp_path / f"draft{suffix}"
    draft.write_text(text, encoding="utf-8")
    body = {"text": text, "id": draft.name}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        body[flag.lstrip("-").replace("-", "_")] = float(value) if "." in value else int(value)
    response = client.post("/v1/check", json=body)
    assert response.status_code == 200, response.text
    assert _without_path(response.json()) == _without_path(_cli_check(draft, seed_db, *options))
    CheckOut.model_validate(response.json())  # the answer is what /openapi.json says (sources included)


def test_check_verdicts_differ_between_the_drafts(client: httpx.Client) -> None:
    verdicts = {name: client.post("/v1/check", json={"text": text}).json()["verdict"]
                for name, (text, _) in DRAFTS.items() if name in ("copied paragraphs", "original")}
    assert verdicts == {"copied paragraphs": "uncredited-copy", "original": "original"}


# Shares no words worth a shingle with the seeds (nor with the articles later tests add).
UNRELATED = ("Volunteers at the village orchard picked the last of the pear harvest on Sunday and pressed "
             "most of it into cider for the winter fair.\nThe orchard's oldest tree, planted before the "
             "railway came, gave more fruit than any year its keepers can remember.\n")


def test_a_draft_sharing_nothing_is_original_at_threshold_zero(client: httpx.Client, seed_db: Path,
                                                                tmp_path: Path) -> None:
    # schemathesis found it: threshold 0 is in the schema, and 0 >= 0 once made any draft a copy.
    response = client.post("/v1/check", json={"text": UNRELATED, "threshold": 0})
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "original" and response.json()["sources"] == []
    draft = tmp_path / "draft.txt"
    draft.write_text(UNRELATED, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(draft), "--against", str(seed_db), "--threshold", "0"])
    assert result.exit_code == 0 and "Verdict: original" in result.stdout, result.output


# ----------------------------------------------------------------------------- adds, reads, family


def test_an_add_is_seen_by_the_next_check_and_by_the_reads(client: httpx.Client) -> None:
    draft = {"text": spin(WIRE), "id": "spun-draft"}
    before = client.post("/v1/check", json=draft).json()
    assert "harbour-wire" not in [s["id"] for s in before["sources"]]
    added = client.post("/v1/articles", headers=AUTH, json={
        "id": "harbour-wire", "text": WIRE, "title": "Harbour lane closed", "outlet": "Reuters",
        "date": "2024-03-05T08:00:00Z"})
    assert added.status_code == 200, added.text
    assert added.json()["added"] == 1 and added.json()["ids"] == ["harbour-wire"]
    after = client.post("/v1/check", json=draft).json()
    assert after["verdict"] == "uncredited-copy"
    assert after["sources"][0]["id"] == "harbour-wire" and after["sources"][0]["outlet"] == "Reuters"

    article = client.get("/v1/articles/harbour-wire").json()
    assert article["text"] == WIRE and article["published"].startswith("2024-03-05T08:00:00")
    assert article["title"] == "Harbour lane closed"

    # A reprint and a trimmed copy in one batch: the family is the wire story and its copies.
    batch = {"articles": [{"id": "harbour-reprint", "text": "The Coastal Courier\n" + WIRE},
                          {"id": "harbour-trimmed", "text": "\n".join(WIRE.split("\n")[:4]) + "\n"}]}
    assert client.post("/v1/articles", headers=AUTH, json=batch).json()["added"] == 2
    family = client.get("/v1/articles/harbour-trimmed/family").json()
    assert family["version"] == JSON_VERSION and len(family["families"]) == 1
    members = set(family["families"][0]["members"])
    assert {"harbour-wire", "harbour-reprint", "harbour-trimmed"} <= members
    assert {d["id"] for d in family["documents"]} == members
    assert all(e["child"] in members for e in family["edges"])
    assert NATO not in members


def test_re_adding_the_same_article_changes_nothing(client: httpx.Client) -> None:
    article = {"id": "storm-1", "text": INDEPENDENT}
    first = client.post("/v1/articles", headers=AUTH, json=article).json()
    again = client.post("/v1/articles", headers=AUTH, json=article).json()
    assert (again["added"], again["unchanged"], again["documents"]) == (0, 1, first["documents"])


def test_health_counts_the_index(client: httpx.Client, seed_db: Path) -> None:
    health = client.get("/v1/health").json()
    with Index.open(seed_db) as index:
        assert health["documents"] == index.stats().documents
    assert health["status"] == "ok" and health["uptime_seconds"] >= 0 and health["version"]


# ----------------------------------------------------------------------------- security and errors


def test_writes_need_the_token(client: httpx.Client) -> None:
    article = {"id": "no-token", "text": "A few words about nothing at all."}
    _assert_error(client.post("/v1/articles", json=article), 401)
    wrong = _assert_error(client.post("/v1/articles", json=article, headers={"Authorization": "Bearer nope"}), 401)
    assert "token" in wrong["message"]
    assert client.get("/v1/articles/no-token").status_code == 404
    assert client.post("/v1/articles", json=article, headers=AUTH).status_code == 200


def test_a_server_without_token_takes_no_writes_and_a_smaller_cap(seed_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    db.write_bytes(seed_db.read_bytes())
    with serve(db, "--max-body", "3000") as (url, _):
        response = httpx.post(f"{url}/v1/articles", json={"id": "x", "text": "some words"}, headers=AUTH)
        assert "--token-file" in _assert_error(response, 401)["message"]
        assert httpx.post(f"{url}/v1/check", json={"text": INDEPENDENT[:2500]}).status_code == 200
        _assert_error(httpx.post(f"{url}/v1/check", json={"text": "word " * 700}), 413)


@contextmanager
def in_process(app: object) -> Iterator[str]:
    """An app served by uvicorn in a thread of this process on a free loopback port: its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started:
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_off_loopback_every_request_needs_the_token(seed_db: Path) -> None:
    from provenance.prepublish.serve import create_app
    from provenance.prepublish.serve_settings import ServeSettings

    # The policy of a server bound elsewhere, served on 127.0.0.1 (nothing may listen off loopback here).
    app = create_app(ServeSettings(db=str(seed_db), host="192.0.2.10", token=TOKEN))
    with in_process(app) as url:
        for method, path, body in (("GET", "/v1/health", None), ("POST", "/v1/check", {"text": INDEPENDENT}),
                                   ("GET", f"/v1/articles/{NATO}", None)):
            _assert_error(httpx.request(method, url + path, json=body), 401)
            assert httpx.request(method, url + path, json=body, headers=AUTH).status_code == 200
        page = httpx.post(url + "/", data={"text": INDEPENDENT})
        assert page.status_code == 401 and 'name="token"' in page.text
        assert httpx.post(url + "/", data={"text": INDEPENDENT, "token": TOKEN}).status_code == 200


def test_an_internal_error_is_a_json_500_without_traceback(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.prepublish import serve as serve_module
    from provenance.prepublish.serve_settings import ServeSettings

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug with a secret path /etc/x in its message")

    monkeypatch.setattr(serve_module, "run_check", broken)
    with in_process(serve_module.create_app(ServeSettings(db=str(seed_db)))) as url:
        body = _assert_error(httpx.post(f"{url}/v1/check", json={"text": INDEPENDENT}), 500)
    assert body["message"] == "internal error (RuntimeError); see the server log"


def test_bodies_over_the_cap_get_413(client: httpx.Client, server: str) -> None:
    big = {"text": "word " * (2 * 1024 * 1024 // 5 + 10)}
    _assert_error(client.post("/v1/check", json=big), 413)
    _assert_error(client.post("/v1/articles", json={"id": "big", **big}, headers=AUTH), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"text": "'
        for _ in range(25):
            yield b"a" * 100_000
        yield b'"}'

    _assert_error(client.post("/v1/check", content=chunks(), headers={"Content-Type": "application/json"}), 413)
    assert client.post("/v1/check", json={"text": "word " * 1000}).status_code == 200


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "/v1/check", b"{not json", 400),
    ("POST", "/v1/check", {"text": "!!! ??? ..."}, 400),
    ("POST", "/v1/check", {"text": INDEPENDENT, "date": "the day after tomorrow"}, 400),
    ("POST", "/v1/articles", {"articles": [{"id": "d", "text": "one"}, {"id": "d", "text": "two"}]}, 400),
    ("POST", "/v1/articles", {"id": "  ", "text": "blank id"}, 400),
    ("GET", "/v1/articles/no-such-article", None, 404),
    ("GET", "/v1/articles/no-such-article/family", None, 404),
    ("GET", "/v2/nothing", None, 404),
    ("POST", "/v1/check", {"text": ""}, 422),
    ("POST", "/v1/check", {"text": INDEPENDENT, "threshold": 2}, 422),
    ("POST", "/v1/check", {"text": INDEPENDENT, "surprise": 1}, 422),
    ("POST", "/v1/articles", {"articles": []}, 422),
    ("POST", "/v1/articles", {"text": "no id"}, 422),
])
def test_errors_are_one_json_object(client: httpx.Client, method: str, path: str, body: object,
                                    status: int) -> None:
    if isinstance(body, bytes):
        response = client.request(method, path, content=body, headers={"Content-Type": "application/json", **AUTH})
    else:
        response = client.request(method, path, json=body, headers=AUTH)
    _assert_error(response, status)


def test_a_foreign_host_header_is_refused_on_loopback(server: str) -> None:
    response = httpx.get(f"{server}/v1/health", headers={"Host": "attacker.example"})
    assert "Host" in _assert_error(response, 400)["message"]


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> {{ 7*7 }}'


def test_article_text_is_escaped_on_the_page(client: httpx.Client) -> None:
    text = f"{HOSTILE}\n" + _paragraphs(NATO, 3)
    article = {"id": f"<b>{HOSTILE}</b>", "text": text, "title": HOSTILE, "outlet": HOSTILE}
    assert client.post("/v1/articles", headers=AUTH, json=article).status_code == 200
    page = client.post("/", data={"text": text, "title": HOSTILE})
    assert page.status_code == 200 and "data-verdict=\"" in page.text, page.text[-3000:]
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text and "{{ 7*7 }}" in page.text
    stored = client.get(f"/v1/articles/<b>{HOSTILE}</b>").json()
    assert stored["text"] == text  # JSON carries the text as it is; only pages escape


# ----------------------------------------------------------------------------- the command line


def test_serve_refuses_bad_settings_with_one_line(tmp_path: Path, seed_db: Path) -> None:
    runner = CliRunner()
    cases = [
        (["serve", "--db", str(tmp_path / "missing.sqlite")], "index not found"),
        (["serve", "--db", str(seed_db), "--host", "192.0.2.10"], "needs a bearer token"),
        (["serve", "--db", str(seed_db), "--token-file", str(tmp_path / "none")], "cannot read token file"),
    ]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        cases.append((["serve", "--db", str(seed_db), "--port", str(busy.getsockname()[1])], "cannot listen"))
        for args, message in cases:
            result = runner.invoke(cli, args)
            assert result.exit_code == 2, (args, result.output)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and message in lines[0], result.stderr


# ----------------------------------------------------------------------------- schema fuzzing


def test_schemathesis_finds_no_5xx_and_no_schema_violation(seed_db: Path, token_file: Path,
                                                           tmp_path: Path) -> None:
    pytest.importorskip("schemathesis", reason="schema fuzzing needs schemathesis (test extra)")
    db = tmp_path / "fuzz.sqlite"
    db.write_bytes(seed_db.read_bytes())
    checks = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
              "negative_data_rejection,missing_required_header,ignored_auth")
    with serve(db, token_file=token_file) as (url, _):
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json", "-H", f"Authorization: Bearer {TOKEN}",
             "--checks", checks, "--max-examples", "8", "--seed", "7", "--generation-database", "none",
             "--phases", "examples,coverage,fuzzing", "--request-timeout", "60", "--no-color"],
            capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_env())
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 selected" in result.stdout and "passed" in result.stdout


# ----------------------------------------------------------------------------- durability and concurrency


def _story(rng: random.Random, words: list[str], n: int = 60) -> str:
    return " ".join(rng.choice(words) for _ in range(n)) + "."


def _vocabulary() -> list[str]:
    return sorted(set(WIRE.replace("\n", " ").replace(",", "").replace(".", "").split()))


def _adder(url: str, prefix: str, acked: list[str], stop: threading.Event, batch: int = 3) -> None:
    """Add articles in small batches until stopped or the server goes away; record every 2xx'd id."""
    rng, words = random.Random(prefix), _vocabulary()
    with httpx.Client(base_url=url, timeout=60) as c:
        n = 0
        while not stop.is_set():
            ids = [f"{prefix}-{n + i}" for i in range(batch)]
            body = {"articles": [{"id": i, "text": _story(rng, words)} for i in ids]}
            try:
                response = c.post("/v1/articles", json=body, headers=AUTH)
            except httpx.TransportError:
                return
            if response.status_code == 200:
                acked.extend(ids)
            n += batch


def _stats(db: Path) -> dict:
    result = CliRunner().invoke(cli, ["index", "stats", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_kill_9_loses_no_answered_add(tmp_path: Path, seed_db: Path, token_file: Path) -> None:
    db = tmp_path / "durable.sqlite"
    db.write_bytes(seed_db.read_bytes())
    before = _stats(db)["documents"]
    acked: list[str] = []
    stop = threading.Event()
    with serve(db, token_file=token_file) as (url, process):
        writer = threading.Thread(target=_adder, args=(url, "kill", acked, stop))
        writer.start()
        deadline = time.monotonic() + 120
        while len(acked) < 30 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # mid-stream: the writer is still sending
        process.wait()
        writer.join(timeout=60)
        stop.set()
    assert len(acked) >= 30
    with serve(db, token_file=token_file) as (url, _):
        with httpx.Client(base_url=url, timeout=60) as c:
            missing = [i for i in acked if c.get(f"/v1/articles/{i}").status_code != 200]
            health = c.get("/v1/health").json()
    assert missing == []
    with Index.open(db) as index:
        ids = index.ids()
    stats = _stats(db)
    # An add killed before its answer may or may not have committed (all or nothing): count what is there.
    assert stats["documents"] == len(ids) == health["documents"] >= before + len(acked)
    assert (stats["documents"] - before - len(acked)) % 3 == 0


def test_checks_answer_while_two_workers_add(tmp_path: Path, seed_db: Path, token_file: Path) -> None:
    db = tmp_path / "busy.sqlite"
    db.write_bytes(seed_db.read_bytes())
    before = _stats(db)["documents"]
    draft = {"text": _paragraphs(NATO, 5)}
    acked: dict[str, list[str]] = {"a": [], "b": []}
    stop = threading.Event()
    with serve(db, "--workers", "2", token_file=token_file) as (url, _):
        writers = [threading.Thread(target=_adder, args=(url, name, acked[name], stop)) for name in acked]
        for w in writers:
            w.start()
        verdicts, statuses = [], []

        def checker() -> None:
            with httpx.Client(base_url=url, timeout=60) as c:
                for _ in range(4):
                    response = c.post("/v1/check", json=draft)
                    statuses.append(response.status_code)
                    verdicts.append(response.json().get("verdict"))

        checkers = [threading.Thread(target=checker) for _ in range(3)]
        for t in checkers:
            t.start()
        for t in checkers:
            t.join(timeout=300)
        stop.set()
        for w in writers:
            w.join(timeout=120)
        with httpx.Client(base_url=url, timeout=60) as c:
            every = acked["a"] + acked["b"]
            missing = [i for i in every if c.get(f"/v1/articles/{i}").status_code != 200]
    assert statuses == [200] * 12 and set(verdicts) == {"uncredited-copy"}
    assert acked["a"] and acked["b"] and missing == []
    assert _stats(db)["documents"] == before + len(every)


# ----------------------------------------------------------------------------- the editors' page in Chromium


@pytest.mark.browser
def test_an_editor_pastes_a_draft_and_sees_verdict_and_highlights(browser, server: str) -> None:  # noqa: F811
    page = browser.new_page()
    requested: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{server}/")
        page.fill("#draft", f"{HOSTILE}\n" + _paragraphs(NATO, 5))
        page.fill("#title", "Summit draft")
        page.click("#check")
        page.wait_for_selector("#verdict")
        assert page.get_attribute("#verdict", "data-verdict") == "uncredited-copy"
        assert "Uncredited copy" in page.inner_text("#verdict h2")
        assert NATO in page.inner_text("table.sources")
        highlighted = page.locator(".cols mark")
        assert highlighted.count() >= 2  # the shared passage, in the source and in the draft
        assert "NATO" in " ".join(highlighted.all_inner_texts())
        assert page.locator("#draft").input_value().startswith(HOSTILE)  # the draft is kept, as text
        assert dialogs == []
        assert all(url.startswith(server) for url in requested), requested
    finally:
        page.close()
