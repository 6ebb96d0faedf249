"""Request and response shapes of ``trace serve`` (pydantic models; they make ``/openapi.json``).

Requests are validated against these models before any work.  Responses are
built by the library (:meth:`CheckResult.to_json`, :meth:`Lineage.to_json`) and
sent as they are; the response models only document them (a source is the
library's own :class:`SourceMatch` dataclass), so the service and
``trace check --format json`` cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .check import MAX_SOURCES_DEFAULT, PASSAGE_WORDS_DEFAULT, THRESHOLD_DEFAULT, SourceMatch

__all__ = [
    "DraftIn",
    "ArticleIn",
    "ArticleBatch",
    "CheckOut",
    "AddOut",
    "ArticleOut",
    "FamilyOut",
    "HealthOut",
    "ErrorOut",
    "BATCH_MAX",
]

#: Most articles in one POST /v1/articles (the body cap also applies).
BATCH_MAX = 5000
# Ids and short metadata fields: long enough for a URL, short enough to refuse junk early.
_ID_MAX = 1000
_FIELD_MAX = 4000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DraftIn(_Strict):
    """A draft to check: text or an HTML page, with optional metadata and thresholds."""

    text: str = Field(min_length=1, description="The draft: plain text, or an HTML page (see format).")
    format: Literal["text", "html"] | None = Field(
        None, description="How to read text; by default HTML when it starts like an HTML page.")
    id: str = Field("draft", min_length=1, max_length=_ID_MAX, description="Names the draft in the answer.")
    title: str | None = Field(None, max_length=_FIELD_MAX)
    outlet: str | None = Field(None, max_length=_FIELD_MAX)
    date: str | None = Field(None, max_length=100, description="Publication date (ISO 8601 or a usual form).")
    threshold: float = Field(THRESHOLD_DEFAULT, ge=0, le=1,
                             description="Share of the draft's words from which uncredited reuse is copy.")
    passage_words: int = Field(PASSAGE_WORDS_DEFAULT, ge=1, le=1_000_000,
                               description="A shared passage this long counts whatever its share.")
    max_sources: int = Field(MAX_SOURCES_DEFAULT, ge=1, le=200, description="Most sources aligned with the draft.")


class ArticleIn(_Strict):
    """One source article: the record fields ``trace`` reads from JSON/JSONL/CSV."""

    id: str = Field(min_length=1, max_length=_ID_MAX)
    text: str = Field(min_length=1)
    title: str | None = Field(None, max_length=_FIELD_MAX)
    outlet: str | None = Field(None, max_length=_FIELD_MAX)
    date: str | None = Field(None, max_length=100, description="Publication date; 'published' is the same.")
    published: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=_FIELD_MAX)


class ArticleBatch(_Strict):
    """Several articles, added in one transaction (all or none)."""

    articles: list[ArticleIn] = Field(min_length=1, max_length=BATCH_MAX)


class _Open(BaseModel):
    """A documented answer: the listed fields are always there, more may be added within a version."""

    model_config = ConfigDict(extra="allow")


class DraftOut(_Open):
    id: str
    path: str | None
    title: str | None
    words: int
    credits: list[str]
    bylines: list[str]


class CheckOut(_Open):
    """The answer of ``trace check --format json`` (docs/check.md)."""

    version: int
    verdict: Literal["original", "credited-copy", "uncredited-copy"]
    draft: DraftOut
    reused_share: float
    uncredited_share: float
    threshold: float
    passage_words: int
    sources: list[SourceMatch] = Field(description="SourceMatch.to_json() of each source (shares rounded).")
    warnings: list[str]


class AddOut(_Open):
    """What an add did; the articles are on disk when this is sent."""

    added: int
    replaced: int
    unchanged: int
    ids: list[str]
    documents: int = Field(description="Documents in the index after the add.")
    warnings: list[str]


class ArticleOut(_Open):
    """An indexed article: a ``documents[]`` entry of the JSON contract (docs/json.md) plus its text."""

    id: str
    path: str | None
    title: str | None
    outlet: str | None
    url: str | None
    words: int
    credits: list[str]
    bylines: list[str]
    published: str | None
    boilerplate: list[dict[str, Any]]
    text: str


class FamilyOut(_Open):
    """The JSON contract of ``trace --format json`` (docs/json.md), for one family."""

    version: int
    documents: list[dict[str, Any]]
    latent: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    families: list[dict[str, Any]]
    options: dict[str, Any]


class HealthOut(_Open):
    status: Literal["ok"]
    version: str
    documents: int
    uptime_seconds: float


class ErrorOut(_Open):
    """Every error answer: the status, its name and one line saying what to fix."""

    status: int
    error: str
    message: str
    details: list[dict[str, Any]] | None = None
