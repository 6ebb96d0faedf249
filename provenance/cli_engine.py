"""Command line, engine choice: ``--engine embedded|spark``, ``--master``, ``--partitions``.

``cli.py`` decorates the ``lineage`` command with :func:`add_engine_options`
and calls :func:`run_trace` instead of :func:`provenance.trace`; everything
else (rendering, exit codes) stays as it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from .engines.spark_read import ENGINES, MASTER_DEFAULT
from .model import Lineage

__all__ = ["add_engine_options", "run_trace"]

_HELP_ENGINE = ("Where the trace runs: 'embedded' (this machine, --jobs cores) or 'spark' "
                "(PySpark jobs; needs pip install 'provenance[spark]' and Java 17).")
_HELP_MASTER = "Spark master for --engine spark: local[N], local[*], spark://host:7077, yarn."
_HELP_PARTITIONS = "Spark partitions of the document and pair data sets (default: the cluster's parallelism)."


def add_engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--engine``, ``--master`` and ``--partitions`` to a click command.

    The command receives them as ``engine``, ``master`` and ``partitions``.

    Examples
    --------
    >>> @click.command()
    ... @add_engine_options
    ... def lineage(engine, master, partitions):
    ...     pass
    >>> [p.name for p in lineage.params]
    ['engine', 'master', 'partitions']
    """
    command = click.option("--partitions", type=click.IntRange(min=1), default=None, help=_HELP_PARTITIONS)(command)
    command = click.option("--master", default=MASTER_DEFAULT, show_default=True, help=_HELP_MASTER)(command)
    return click.option("--engine", type=click.Choice(ENGINES), default="embedded", show_default=True,
                        help=_HELP_ENGINE)(command)


def run_trace(paths: Sequence[str], *, engine: str, master: str, partitions: int | None,
              trace: Callable[..., Lineage], **options: Any) -> Lineage:
    """Trace ``paths`` on the chosen engine.

    Parameters
    ----------
    paths : sequence of str
        What to trace (for Spark, any URI it reads: ``hdfs://``, ``s3a://``...).
    engine : {"embedded", "spark"}
        Where to run.
    master : str
        Spark master (ignored by the embedded engine).
    partitions : int or None
        Spark partitions (ignored by the embedded engine).
    trace : callable
        The embedded entry point (:func:`provenance.trace`), as cli.py imports it.
    **options
        Passed on: trace options, ``progress``; the loader's ``max_file_size``,
        ``follow_symlinks`` and ``strict`` and ``jobs`` are for the embedded
        engine only; ``quiet`` silences the Spark JVM's own log on stderr.

    Returns
    -------
    Lineage
    """
    quiet = options.pop("quiet", False)
    if engine != "spark":
        return trace(list(paths), **options)
    from .engines.spark_engine import trace_spark

    for local_only in ("max_file_size", "follow_symlinks", "strict", "jobs"):
        options.pop(local_only, None)
    if not quiet:
        return trace_spark(list(paths), master=master, partitions=partitions, **options)
    with _stderr_silenced():
        return trace_spark(list(paths), master=master, partitions=partitions, **options)


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null (the JVM and its launcher write there, not to sys.stderr).

    The JVM is a child process that inherits the descriptor at start-up, so its
    log stays silenced for the rest of the run; Python-level errors still reach
    the user, because the CLI reports them on ``sys.stderr`` once this block exits.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no real descriptor 2 (embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
