"""The editors' page of ``trace serve`` (``GET /``, ``POST /``): paste a draft, see verdict and sources.

A plain HTML form, so it works without JavaScript and with no external
resource.  The answer is rendered on the server with the HTML report's own
templates and helpers (:mod:`provenance.render.html`): the report's CSS, its
``segs`` macro and its side-by-side cutting, with autoescaping on, so article
text is escaped exactly as in the report.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..errors import ProvenanceError
from ..model import Edge, SharedPassage
from ..render.html import FOLD_KEEP_DEFAULT, FOLD_WORDS_DEFAULT, _env, _side_by_side
from .check import CheckResult
from .serve_schema import DraftIn

__all__ = ["add_page_routes", "render_page"]

_TEMPLATE = "editor.html"
_VERDICTS = {
    "original": "Original: no reuse at the threshold",
    "credited-copy": "Credited copy: the reused sources are credited",
    "uncredited-copy": "Uncredited copy: credit the sources below before publishing",
}


def add_page_routes(app: FastAPI) -> None:
    """Add ``GET /`` (the empty form) and ``POST /`` (the form's answer) to ``app``."""
    from .serve import check_token, run_check

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(render_page(need_token=not app.state.settings.loopback))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_check(request: Request) -> HTMLResponse:
        settings = app.state.settings
        form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        text, title = _field(form, "text"), _field(form, "title")
        need_token = not settings.loopback
        status, result, error, sources = 200, None, None, []
        try:
            check_token(settings, _field(form, "token") or None, write=False)
            if not text.strip():
                raise ProvenanceError("paste the text of a draft first")
            draft = DraftIn(text=text, title=title or None)
            result = await run_in_threadpool(run_check, app.state.store, draft)
            sources = await run_in_threadpool(_sources, app.state.store, result)
        except HTTPException as exc:
            status, error = exc.status_code, str(exc.detail)
        except ProvenanceError as exc:
            status, error = 400, str(exc)
        return HTMLResponse(render_page(text=text, title=title, result=result, sources=sources, error=error,
                                        need_token=need_token), status_code=status)


def render_page(*, text: str = "", title: str = "", result: CheckResult | None = None,
                sources: list[dict[str, Any]] | None = None, error: str | None = None,
                need_token: bool = False) -> str:
    """The editors' page, empty or with the answer for one draft.

    Parameters
    ----------
    text, title : str
        The form's fields, shown again.
    result : CheckResult, optional
    sources : list of dict, optional
        From :func:`_sources`: each source match with its side-by-side columns.
    error : str, optional
        One line shown instead of an answer.
    need_token : bool, default=False
        Show the token field (the server is off loopback).

    Returns
    -------
    str
        A complete HTML page (inline CSS, no script, no network access).
    """
    return _env().get_template(_TEMPLATE).render(
        text=text, title=title, result=result, sources=sources or [], error=error, need_token=need_token,
        verdict_text=_VERDICTS.get(result.verdict, result.verdict) if result else "")


def _field(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


def _sources(store: Any, result: CheckResult) -> list[dict[str, Any]]:
    """Each source match with the source and the draft cut into the report's side-by-side segments.

    Runs in a worker thread: ``store.reader()`` is that thread's own connection.
    """
    docs = {d.id: d for d in store.reader().documents_by_id([s.id for s in result.sources])}
    out = []
    for match in result.sources:
        source = docs.get(match.id)
        entry: dict[str, Any] = {"match": match, "source_col": None, "draft_col": None}
        if source is not None:
            # The check's passages as the report's edge from the source (parent) to the draft (child).
            edge = Edge(parent=match.id, child=result.draft.id, confidence=match.share, relation=match.relation,
                        shared=tuple(SharedPassage(p.source_start, p.source_end, p.draft_start, p.draft_end, p.words)
                                     for p in match.passages))
            entry["source_col"], entry["draft_col"] = _side_by_side(
                source, result.draft, edge, (FOLD_WORDS_DEFAULT, FOLD_KEEP_DEFAULT), {})
        out.append(entry)
    return out
