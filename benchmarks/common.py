"""Shared helpers of the benchmarks: corpus locations, tokens, shingles and the tracer hook."""

from __future__ import annotations

import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA_DIR = Path(os.environ.get("PROVENANCE_CORPORA", REPO_ROOT.parent / "shared" / "corpora"))
"""Shared corpora: ``../shared/corpora`` beside the repository, or ``$PROVENANCE_CORPORA``."""
BBC_DIR = CORPORA_DIR / "bbc-news" / "bbc"
REUTERS_FILE = CORPORA_DIR / "reuters21578" / "reuters21578.jsonl"
SAMEDAY_DIR = CORPORA_DIR / "samedaynews-2018"

SHINGLE_SIZE = 5
_WORD_RE = re.compile(r"\w+")


class TracerUnavailable(RuntimeError):
    """Raised when ``provenance.trace`` cannot be imported."""


def corpora_missing_reason() -> str | None:
    """Say why the shared corpora cannot be used, or return None when they can.

    Returns
    -------
    str or None
        A human-readable reason naming the missing path, or None.
    """
    for path in (BBC_DIR, REUTERS_FILE):
        if not path.exists():
            return f"shared corpora not found: {path} is absent (expected ../shared/corpora)"
    return None


def exit_if_no_corpora() -> None:
    """Print a clear message and exit with status 0 when the corpora are absent."""
    reason = corpora_missing_reason()
    if reason is not None:
        print(f"skipped: {reason}", file=sys.stderr)
        raise SystemExit(0)


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        Tokens matching ``\\w+``, lower-cased.
    """
    return _WORD_RE.findall(text.lower())


def shingles(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> set[int]:
    """Hashed word n-gram shingles (CRC32, stable across processes).

    Parameters
    ----------
    tokens : sequence of str
        Word tokens.
    size : int, default=5
        Shingle length in words.

    Returns
    -------
    set of int
        One hash per distinct n-gram; a text shorter than ``size`` gives one shingle.
    """
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    return {
        zlib.crc32(" ".join(tokens[i : i + size]).encode())
        for i in range(len(tokens) - size + 1)
    }


def load_tracer() -> Any:
    """Import and return ``provenance.trace``.

    Returns
    -------
    callable
        The tracer entry point.

    Raises
    ------
    TracerUnavailable
        If provenance is not installed or has no ``trace`` yet.
    """
    try:
        import provenance
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TracerUnavailable(
            f"cannot import provenance ({exc}); install it with `pip install -e .` "
            "from the repository root"
        ) from exc
    trace = getattr(provenance, "trace", None)
    if trace is None:
        raise TracerUnavailable("provenance has no trace() function yet")
    return trace


def run_tracer(path: Path, models: Path | None = None) -> dict[str, Any]:
    """Trace ``path`` with ``provenance.trace`` and return the JSON contract as a dict.

    Parameters
    ----------
    path : Path
        A folder of documents or a JSONL file.
    models : Path, optional
        A folder with ``edge_model.json`` and ``direction.json`` (``benchmarks/calibrate.py
        --out/--direction-out``) to trace with instead of the shipped fit, e.g. one fitted
        without the generator being scored.

    Returns
    -------
    dict
        The tracer output parsed from ``result.to_json()``.
    """
    trace = load_tracer()
    options = {}
    if models is not None:
        from provenance.stages.direction import DirectionModel
        from provenance.stages.edge_model import EdgeModel

        options = {"edge_model": EdgeModel.load(str(models / "edge_model.json")),
                   "direction_model": DirectionModel.load(str(models / "direction.json"))}
    result = trace(str(path), **options)
    payload = result.to_json()
    return json.loads(payload) if isinstance(payload, str | bytes) else payload


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as sorted, indented UTF-8 JSON (byte-stable)."""
    path.write_text(json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean, or None for an empty iterable."""
    items = list(values)
    return sum(items) / len(items) if items else None
