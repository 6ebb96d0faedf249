"""The models fitted offline (``benchmarks/calibrate.py``) and shipped in ``provenance/data/``."""

from __future__ import annotations

from importlib import resources

__all__ = ["read_fit"]


def read_fit(filename: str, path: str | None = None) -> str | None:
    """Text of a fit: the file at ``path``, or the shipped ``data/filename`` (None when not shipped).

    Raises
    ------
    OSError
        ``path`` was given and cannot be read.
    """
    if path is not None:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    try:
        return resources.files("provenance").joinpath(f"data/{filename}").read_text()
    except (FileNotFoundError, OSError):
        return None
