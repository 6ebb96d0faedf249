"""``trace serve``: the pre-publish check and its source index as an HTTP service (FastAPI on uvicorn).

A newsroom CMS calls a hook on every save; the agency feed is added all day.
This keeps :func:`~provenance.prepublish.check.check` and
:class:`~provenance.prepublish.index.Index` warm behind a versioned JSON API:

* ``POST /v1/check``: a draft -> the answer of ``trace check --format json``;
* ``POST /v1/articles``: one article or ``{"articles": [...]}`` added in one
  transaction, answered only once it is on disk;
* ``GET /v1/articles/{id}`` and ``GET /v1/articles/{id}/family``: an indexed
  article, and its lineage family in the JSON contract of ``trace --format json``;
* ``GET /v1/health``: documents, version, uptime; ``GET /openapi.json``;
* ``GET /``: a page where an editor pastes a draft and sees the verdict and
  the draft beside each source (:mod:`provenance.prepublish.serve_page`).

Security: loopback by default; a bearer token is required on every write and,
off loopback, on every request; bodies are capped (413); on loopback the Host
header must name loopback (no DNS rebinding).  Every error is one JSON object
(:class:`~provenance.prepublish.serve_schema.ErrorOut`), never a traceback.

Concurrency: each worker thread reads through its own SQLite connection (WAL:
readers never wait for the writer); adds are serialised by a lock in this
process and by SQLite's write lock across worker processes.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import ConfigError, InputError
from ..model import Article, Lineage
from ..stages.load import draft_from_text
from ..stages.load_formats import parse_date, parse_records
from .check import MAX_DF_DEFAULT, MIN_SHARED_DEFAULT, CheckResult, check
from .index import AddResult, Index, document_shingles
from .serve_schema import (
    AddOut,
    ArticleBatch,
    ArticleIn,
    ArticleOut,
    CheckOut,
    DraftIn,
    ErrorOut,
    FamilyOut,
    HealthOut,
)
from .serve_settings import FAMILY_MAX_DEFAULT, PORT_DEFAULT, TOKEN_ENV, ServeSettings, is_loopback

__all__ = ["create_app", "app_from_environment", "run", "run_check", "family_json", "check_token", "error_response"]

# Settings handed to worker processes (uvicorn --workers imports the app anew in each).
_SETTINGS_ENV = "TRACE_SERVE_SETTINGS"

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 413, 422)}
_ERRORS_404: dict[int | str, dict[str, Any]] = {**_ERRORS, 404: {"model": ErrorOut}}


class _Store:
    """The index as the service uses it: one reading connection per thread, one writer per process."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._writer: Index | None = None

    def reader(self) -> Index:
        index = getattr(self._local, "index", None)
        if index is None:
            index = self._local.index = Index.open(self.db)
        return index

    def add(self, articles: Sequence[Article]) -> AddResult:
        with self._write_lock:
            if self._writer is None:
                self._writer = Index.open(self.db)
                self._writer.sync_commits()
            return self._writer.add(articles)


class BodyTooLarge(HTTPException):
    """A request body went past the cap while it was being read (an HTTPException, which FastAPI passes on)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is over the {limit}-byte limit")


def create_app(settings: ServeSettings) -> FastAPI:
    """The ASGI application of ``trace serve``.

    Parameters
    ----------
    settings : ServeSettings

    Returns
    -------
    FastAPI
    """
    from .serve_page import add_page_routes

    # No /docs or /redoc: their pages load scripts from a CDN; the schema is at /openapi.json.
    app = FastAPI(title="provenance trace serve", version=__version__, docs_url=None, redoc_url=None,
                  summary="Pre-publish wire-copy check and source index (see docs/check.md).")
    app.state.settings = settings
    app.state.store = store = _Store(settings.db)
    app.state.started = time.monotonic()
    _add_error_handlers(app)
    # On loopback reads are open: the schema then asks no token for them (schemathesis checks that it is so).
    read = [] if settings.loopback else [Depends(_read_access)]
    app.add_middleware(_Guard, settings=settings)

    @app.post("/v1/check", response_model=CheckOut, responses=_ERRORS, dependencies=read,
              summary="Check a draft, as trace check --format json")
    def check_draft(draft: DraftIn) -> JSONResponse:
        return JSONResponse(run_check(store, draft).to_json())

    @app.post("/v1/articles", response_model=AddOut, responses=_ERRORS, dependencies=[Depends(_write_access)],
              summary="Add one article or a batch; answered once on disk")
    def add_articles(body: ArticleIn | ArticleBatch) -> JSONResponse:
        items = [body] if isinstance(body, ArticleIn) else body.articles
        articles = _articles(items)
        result = store.add(articles)
        return JSONResponse({"added": result.added, "replaced": result.replaced, "unchanged": result.unchanged,
                             "ids": [a.id for a in articles], "warnings": result.warnings,
                             "documents": store.reader().stats().documents})

    # The family route comes first: ids may hold slashes, and "{id}/family" must not read as an id.
    @app.get("/v1/articles/{article_id:path}/family", response_model=FamilyOut, responses=_ERRORS_404,
             dependencies=read, summary="The article's lineage family (docs/json.md)")
    def article_family(article_id: str) -> JSONResponse:
        return JSONResponse(family_json(store.reader(), article_id, settings.family_max))

    @app.get("/v1/articles/{article_id:path}", response_model=ArticleOut, responses=_ERRORS_404,
             dependencies=read, summary="An indexed article")
    def get_article(article_id: str) -> JSONResponse:
        doc = _document(store.reader(), article_id)
        # The documents[] entry of the JSON contract, made by the contract's own code.
        entry = Lineage(documents=[doc], edges=[], latent=[], families=[]).to_json()["documents"][0]
        return JSONResponse({**entry, "text": doc.article.text})

    @app.get("/v1/health", response_model=HealthOut, responses=_ERRORS, dependencies=read,
             summary="Index size, version, uptime")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__,
                             "documents": store.reader().stats().documents,
                             "uptime_seconds": round(time.monotonic() - app.state.started, 3)})

    add_page_routes(app)
    return app


def app_from_environment() -> FastAPI:
    """The app from the settings ``run`` put in the environment (each ``--workers`` process calls this)."""
    return create_app(ServeSettings(**json.loads(os.environ[_SETTINGS_ENV])))


def run(settings: ServeSettings, *, port: int = PORT_DEFAULT, workers: int = 1, access_log: bool = False,
        log_level: str = "info") -> None:
    """Serve until interrupted (uvicorn).

    Parameters
    ----------
    settings : ServeSettings
    port : int, default=8765
    workers : int, default=1
        Processes answering requests; they share the index file.
    access_log : bool, default=False
        Log one line per request.
    log_level : str, default="info"
    """
    import uvicorn

    settings.validate()
    options: dict[str, Any] = {"host": settings.host, "port": port, "access_log": access_log,
                               "log_level": log_level, "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    os.environ[_SETTINGS_ENV] = json.dumps(settings.__dict__)
    uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=workers, **options)


# ------------------------------------------------------------------ the work behind the routes


def run_check(store: _Store, draft: DraftIn) -> CheckResult:
    """Check one draft against the index, as ``trace check`` does for a file."""
    article = draft_from_text(draft.text, draft.id, html=None if draft.format is None else draft.format == "html")
    published = article.published
    if draft.date:
        published = parse_date(draft.date)
        if published is None:
            raise InputError(f"cannot read the date {draft.date!r} (use ISO 8601, e.g. 2024-05-01T09:30:00Z)")
    article = replace(article, title=draft.title or article.title, outlet=draft.outlet or article.outlet,
                      published=published)
    return check(article, store.reader(), threshold=draft.threshold, passage_words=draft.passage_words,
                 max_sources=draft.max_sources)


def _articles(items: Sequence[ArticleIn]) -> list[Article]:
    """Articles from request records, read by the loader's own record rules (dates, cleaning)."""
    raw = json.dumps([item.model_dump(exclude_none=True) for item in items])
    records, problems = parse_records(raw, "json", "request")
    problems += [f"article {r.number}: the id is blank" for r in records if r.id is None]
    if problems:
        raise InputError("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return [Article(id=r.id, text=r.text, title=r.title, published=r.published, outlet=r.outlet, url=r.url)
            for r in records if r.id is not None]


def _document(index: Index, article_id: str) -> Any:
    found = index.documents_by_id([article_id])
    if not found:
        raise HTTPException(404, f"no article with id {article_id!r} in the index")
    return found[0]


def family_json(index: Index, article_id: str, limit: int = FAMILY_MAX_DEFAULT) -> dict[str, Any]:
    """The lineage family of an indexed article, in the JSON contract of ``trace --format json``.

    The article's neighbours in the index (sources sharing shingles with it,
    then theirs, at most ``limit`` articles) are traced together, as
    ``trace`` would trace a folder of them; the family holding the article is
    kept.  An article linked to nothing is the only document, in no family.
    """
    from ..pipeline import trace_articles

    found = {article_id: _document(index, article_id)}
    frontier = list(found.values())
    for _hop in range(2):
        reached = []
        for doc in frontier:
            shingles = document_shingles(doc, index.shingle_size, index.sample)
            for other, _shared in index.find(shingles, max_df=MAX_DF_DEFAULT, min_shared=MIN_SHARED_DEFAULT,
                                             limit=limit):
                if other.id not in found and len(found) < limit:
                    found[other.id] = other
                    reached.append(other)
        frontier = reached
    lineage = trace_articles([doc.article for doc in found.values()], jobs=1)
    family = next((f for f in lineage.families if article_id in f.members), None)
    if family is None:
        kept = Lineage(documents=[lineage.document(article_id)], edges=[], latent=[], families=[],
                       options=lineage.options)
        return kept.to_json()
    members = set(family.members)
    kept = Lineage(documents=[d for d in lineage.documents if d.id in members],
                   edges=[e.other_sources_in(members) for e in lineage.edges if e.child in members],
                   latent=[lat for lat in lineage.latent if members.intersection(lat.children)],
                   families=[family], options=lineage.options)
    return kept.to_json()


# ------------------------------------------------------------------ security and errors

_bearer = HTTPBearer(auto_error=False, description=f"The token of --token-file or {TOKEN_ENV}.")
_Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def check_token(settings: ServeSettings, given: str | None, *, write: bool) -> None:
    """Raise a 401 unless ``given`` is the token, where one is needed (every write; everything off loopback)."""
    if not write and settings.loopback:
        return
    if settings.token is None:
        raise HTTPException(401, f"this server takes no writes: restart it with --token-file or {TOKEN_ENV}",
                            headers={"WWW-Authenticate": "Bearer"})
    if given is None or not hmac.compare_digest(given.encode("utf-8"), settings.token.encode("utf-8")):
        raise HTTPException(401, "missing or wrong bearer token (header 'Authorization: Bearer TOKEN')",
                            headers={"WWW-Authenticate": "Bearer"})


def _read_access(request: Request, credentials: _Credentials) -> None:
    check_token(request.app.state.settings, credentials.credentials if credentials else None, write=False)


def _write_access(request: Request, credentials: _Credentials) -> None:
    check_token(request.app.state.settings, credentials.credentials if credentials else None, write=True)


class _Guard:
    """ASGI middleware: the Host header on loopback, and the body cap (by Content-Length, then while reading)."""

    def __init__(self, app: Any, settings: ServeSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._problem(Request(scope))
        if problem is not None:
            await problem(scope, receive, send)
            return
        limit, counted = self.settings.max_body, 0

        async def limited() -> dict[str, Any]:
            nonlocal counted
            message = await receive()
            counted += len(message.get("body", b""))
            if counted > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)

    def _problem(self, request: Request) -> JSONResponse | None:
        if self.settings.loopback and not is_loopback((request.url.hostname or "").strip("[]")):
            return error_response(400, "the Host header must name a loopback address on a loopback server")
        length = request.headers.get("content-length")
        if length is not None and not length.isdigit():
            return error_response(400, "Content-Length is not a number")
        if length is not None and int(length) > self.settings.max_body:
            return error_response(413, f"request body of {length} bytes is over the "
                                       f"{self.settings.max_body}-byte limit")
        return None


def error_response(status: int, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON shape of every error."""
    from http import HTTPStatus

    body: dict[str, Any] = {"status": status, "error": HTTPStatus(status).phrase.lower(), "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        from http import HTTPStatus

        # Starlette's own errors (unknown route, wrong method) carry only the reason phrase.
        plain = not isinstance(exc.detail, str) or exc.detail in ("", HTTPStatus(exc.status_code).phrase)
        message = _reason(exc.status_code) if plain else exc.detail
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "the body is not valid JSON")
        # No "input" or "ctx": they can echo a whole article or hold objects JSON cannot carry.
        details = [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")),
                    "type": str(e.get("type", ""))} for e in errors]
        return error_response(422, "the request does not match the schema at /openapi.json", details)

    async def bad_input(request: Request, exc: Exception) -> JSONResponse:
        return error_response(422 if isinstance(exc, ConfigError) else 400, str(exc))

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return error_response(500, f"internal error ({type(exc).__name__}); see the server log")

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    for kind in (InputError, ConfigError):
        app.add_exception_handler(kind, bad_input)
    app.add_exception_handler(Exception, internal)


def _reason(status: int) -> str:
    """A message for HTTP errors raised without one (an unknown route, a wrong method)."""
    from http import HTTPStatus

    return {404: "no such endpoint (see /openapi.json)",
            405: "method not allowed here (see /openapi.json)"}.get(status, HTTPStatus(status).phrase)
