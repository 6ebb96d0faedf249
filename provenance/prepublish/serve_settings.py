"""Settings of ``trace serve`` (no web framework imported here, so ``trace --help`` works without the extra).

:class:`ServeSettings` is checked before the server listens; :func:`read_token`
reads the bearer token; the defaults are named once here for the command line
and the service.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from ..errors import ConfigError, InputError
from .index import Index

__all__ = [
    "ServeSettings",
    "read_token",
    "is_loopback",
    "HOST_DEFAULT",
    "PORT_DEFAULT",
    "MAX_BODY_DEFAULT",
    "TOKEN_ENV",
    "FAMILY_MAX_DEFAULT",
]

HOST_DEFAULT = "127.0.0.1"
PORT_DEFAULT = 8765
#: Request bodies larger than this many bytes get a 413.
MAX_BODY_DEFAULT = 2 * 1024 * 1024
#: Environment variable holding the bearer token when no --token-file is given.
TOKEN_ENV = "TRACE_SERVE_TOKEN"
#: Most articles traced to find one article's family (its index neighbours, two hops out).
FAMILY_MAX_DEFAULT = 60
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}

@dataclass(frozen=True)
class ServeSettings:
    """What one ``trace serve`` needs.

    Parameters
    ----------
    db : str
        The index file (must exist).
    host : str, default="127.0.0.1"
        Address to bind; off loopback a token is required.
    token : str, optional
        Bearer token for writes (and for every request off loopback).
    max_body : int, default=2 MiB
        Larger request bodies get a 413.
    family_max : int, default=60
        Most articles traced for ``/family``.
    """

    db: str
    host: str = HOST_DEFAULT
    token: str | None = None
    max_body: int = MAX_BODY_DEFAULT
    family_max: int = FAMILY_MAX_DEFAULT

    @property
    def loopback(self) -> bool:
        """True when the server binds a loopback address only."""
        return is_loopback(self.host)

    def validate(self) -> None:
        """Raise ConfigError for a setting out of range, InputError for a missing token or bad index."""
        if not isinstance(self.max_body, int) or self.max_body < 1:
            raise ConfigError(f"The 'max_body' setting of trace serve must be an int >= 1. Got {self.max_body!r} "
                              "instead.")
        if not isinstance(self.family_max, int) or self.family_max < 1:
            raise ConfigError(f"The 'family_max' setting of trace serve must be an int >= 1. "
                              f"Got {self.family_max!r} instead.")
        if not self.loopback and not self.token:
            raise InputError(f"binding {self.host} (not loopback) needs a bearer token: give --token-file "
                             f"or set {TOKEN_ENV}")
        Index.open(self.db).close()  # refuse a missing or foreign file before listening


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token(token_file: str | None) -> str | None:
    """The bearer token: the first line of ``token_file``, else the environment variable, else None.

    Raises
    ------
    InputError
        The file cannot be read or holds no token.
    """
    if token_file is None:
        return os.environ.get(TOKEN_ENV, "").strip() or None
    try:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read token file {token_file}: {getattr(exc, 'strerror', None) or exc}") from None
    if not token:
        raise InputError(f"token file {token_file} is empty")
    return token


