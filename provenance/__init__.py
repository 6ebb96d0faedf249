"""provenance: trace which news article was copied from which.

>>> import provenance
>>> lineage = provenance.trace("seeds")  # doctest: +SKIP
>>> lineage.to_json()["families"]  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0.dev"

from .errors import ConfigError, InputError, ProvenanceError  # noqa: E402
from .load import load_articles  # noqa: E402
from .model import (  # noqa: E402
    Article,
    Document,
    Edge,
    Evidence,
    Family,
    Latent,
    Lineage,
    SharedPassage,
)
from .pipeline import trace, trace_articles  # noqa: E402
from .render import render, render_csv, render_dot, render_html, render_json, render_text  # noqa: E402

__all__ = [
    "trace",
    "trace_articles",
    "load_articles",
    "Article",
    "Document",
    "Edge",
    "Evidence",
    "Family",
    "Latent",
    "Lineage",
    "SharedPassage",
    "render",
    "render_text",
    "render_json",
    "render_csv",
    "render_dot",
    "render_html",
    "ProvenanceError",
    "InputError",
    "ConfigError",
    "__version__",
]
