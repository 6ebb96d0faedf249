"""provenance: trace which news article was copied from which.

>>> import provenance
>>> lineage = provenance.trace("seeds")  # doctest: +SKIP
>>> lineage.to_json()["families"]  # doctest: +SKIP
"""

from __future__ import annotations

import os as _os
import signal as _signal
import sys as _sys


def _abort_at_once(signum: int, frame: object) -> None:
    """Ctrl-C while the ``trace`` command starts up or shuts down: nothing is being written, so stop here.

    A KeyboardInterrupt raised in the middle of an import can land in a callback whose
    exceptions Python ignores (the import lock's), and the run would go on to the end;
    raised while Python shuts down, it is printed as "ignored".
    """
    _sys.stderr.write("Aborted.\n")
    _sys.stderr.flush()
    _os._exit(130)


def _quiet_interrupt(kind: type[BaseException], exc: BaseException, tb: object) -> None:
    """Ctrl-C while the ``trace`` command starts up: one line and exit 130, no traceback."""
    if issubclass(kind, KeyboardInterrupt):
        _sys.stderr.write("Aborted.\n")
        _sys.stderr.flush()
        _os._exit(130)
    _sys.__excepthook__(kind, exc, tb)


# Only for the command line (a library user's own hook is left alone): set before the heavy imports below.
if _os.path.basename(_sys.argv[0] if _sys.argv else "") == "trace" or getattr(_sys, "orig_argv", [])[1:3] == [
        "-m", "provenance"]:
    _sys.excepthook = _quiet_interrupt
    _signal.signal(_signal.SIGINT, _abort_at_once)

from importlib.metadata import PackageNotFoundError, version  # noqa: E402

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0.dev"

from .errors import ConfigError, InputError, ProvenanceError  # noqa: E402
from .model import (  # noqa: E402
    Agency,
    Article,
    CopyChange,
    Document,
    Edge,
    Evidence,
    Family,
    Latent,
    Lineage,
    SharedPassage,
    SourcePassage,
)
from .stages.load import load_articles  # noqa: E402

# The pipeline and renderers pull in scipy, scikit-learn and networkx; they are
# imported on first use (PEP 562), so `trace check` and `--help` start quickly.
_LAZY = {
    "trace": "pipeline", "trace_articles": "pipeline",
    "render": "render", "render_text": "render", "render_json": "render", "render_csv": "render",
    "render_dot": "render", "render_html": "render",
    "check": "prepublish.check", "Index": "prepublish.index", "build_index": "prepublish.index",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")

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
    "SourcePassage",
    "CopyChange",
    "Agency",
    "render",
    "render_text",
    "render_json",
    "render_csv",
    "render_dot",
    "render_html",
    "ProvenanceError",
    "InputError",
    "ConfigError",
    "check",
    "Index",
    "build_index",
    "__version__",
]
