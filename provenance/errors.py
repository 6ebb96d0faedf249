"""Errors raised by the library; the CLI maps them to exit codes in one place."""

from __future__ import annotations

__all__ = ["ProvenanceError", "InputError", "ConfigError"]


class ProvenanceError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(ProvenanceError):
    """An input (file, folder, record, draft) cannot be used; the message names it."""


class ConfigError(ProvenanceError, ValueError):
    """A parameter is outside its legal range; the message says which, what it must be, what it got."""
