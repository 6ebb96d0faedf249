"""Command line: ``trace PATH`` and its subcommands.  Parses options, calls the library, renders.

Exit codes: 0 success; 1 ``trace check`` found uncredited copy; 2 usage or
input error; 3 internal error (rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .candidates import MAX_DF_DEFAULT, MIN_SHARED_DEFAULT
from .direction import MIN_LINK_SHARE_DEFAULT, MIN_LINK_WORDS_DEFAULT
from .errors import ProvenanceError
from .load import MAX_FILE_SIZE_DEFAULT
from .pipeline import trace
from .render import FORMATS, render

EXIT_OK, EXIT_FLAGGED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

EPILOG = """\b
Exit codes:
  0  success (for check: original, or credited copy)
  1  check only: uncredited copy at or above the threshold
  2  usage or input error (one line on stderr)
  3  internal error (one line; rerun with --debug for the traceback)
"""


class InputProblem(click.ClickException):
    """A bad input or option: one line on stderr, exit 2."""

    exit_code = EXIT_INPUT


class DefaultGroup(click.Group):
    """A group whose unknown first word is a PATH for the default ``lineage`` command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            first_path = next((a for a in args if not a.startswith("-") or a == "-"), None)
            if first_path is not None and first_path not in self.commands:
                args = ["lineage", *args]
        return super().parse_args(ctx, args)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into exit 2 and anything unexpected into exit 3, one line each."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ProvenanceError as exc:
            raise InputProblem(_one_line(exc)) from exc
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                traceback.print_exc()
            click.echo(f"Error: internal error: {_one_line(exc)} (rerun with --debug for the traceback)", err=True)
            ctx.exit(EXIT_INTERNAL)

    return wrapper


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:500]


class Progress:
    """Stage, count, rate and ETA on one stderr line, only on a terminal and after ~2 s."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        if not self.enabled or elapsed < 2.0:
            return
        rate = done / elapsed if elapsed else 0.0
        eta = f", ETA {(total - done) / rate:.0f}s" if rate and total > done else ""
        sys.stderr.write(f"\r{stage}: {done}/{total} ({rate:.0f}/s{eta})\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def write_output(content: str, output: str | None, *, default_name: str | None = None,
                 inputs: tuple[str, ...] = ()) -> str | None:
    """Write ``content`` to stdout (``-`` or None) or atomically to a file; returns the path written."""
    if output in (None, "-") and default_name is None:
        click.echo(content, nl=False)
        return None
    target = Path(output if output not in (None, "-") else default_name).resolve()
    if output in (None, "-"):
        for given in inputs:
            root = Path(given).resolve()
            if root.is_dir() and (target == root or root in target.parents):
                raise InputProblem(f"the default report path {target} is inside the input folder; choose one with -o")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(target)


@click.group(cls=DefaultGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trace")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:
    """Trace which news article was copied from which.

    \b
    trace PATH...                 lineage report for folders or files
    trace check DRAFT --against CORPUS
    trace index build|add|stats   persistent index for check
    """


@cli.command("lineage", epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output", default=None, help="Write to FILE (atomically) instead of stdout; '-' is stdout.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=MAX_FILE_SIZE_DEFAULT, show_default=True,
              help="Skip files larger than this many bytes.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected).")
@click.option("--strict", is_flag=True, help="Treat every load warning as an error.")
@click.option("--min-shared", type=click.IntRange(min=1), default=MIN_SHARED_DEFAULT, show_default=True,
              help="Shared 4-word shingles a pair needs to be compared.")
@click.option("--max-df", type=click.IntRange(min=2), default=MAX_DF_DEFAULT, show_default=True,
              help="Ignore shingles found in more documents than this (stock phrases).")
@click.option("--min-link-words", type=click.IntRange(min=1), default=MIN_LINK_WORDS_DEFAULT, show_default=True,
              help="Shared words (outside quotations) needed to link two documents.")
@click.option("--min-link-share", type=click.FloatRange(0, 1), default=MIN_LINK_SHARE_DEFAULT,
              show_default=True, help="Shared words needed, as a share of the shorter document.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings summary.")
@handle_errors
def lineage_command(paths: tuple[str, ...], fmt: str, output: str | None, max_file_size: int,
                    follow_symlinks: bool, strict: bool, min_shared: int, max_df: int,
                    min_link_words: int, min_link_share: float, quiet: bool) -> None:
    """Lineage report for PATHS (folders searched recursively; txt, md, html, json, jsonl, csv)."""
    progress = Progress(not quiet)
    try:
        result = trace(list(paths), max_file_size=max_file_size, follow_symlinks=follow_symlinks,
                       strict=strict, progress=progress, min_shared=min_shared, max_df=max_df,
                       min_link_words=min_link_words, min_link_share=min_link_share)
    finally:
        progress.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.warnings and not quiet:
        click.echo(f"{len(result.warnings)} warnings; traced {len(result.documents)} documents", err=True)
    default_name = None
    if fmt == "html" and output is None:
        default_name = str(Path("reports") / f"{_report_name(paths)}.html")
    written = write_output(render(result, fmt), output, default_name=default_name, inputs=paths)
    if written and fmt == "html":
        click.echo(written)


def _report_name(paths: tuple[str, ...]) -> str:
    name = Path(paths[0]).resolve().name or "report"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _register_optional_commands() -> None:
    """Subcommands that live in their own modules join the group here."""
    try:
        from .cli_check import register
    except ImportError:
        return
    register(cli, handle_errors=handle_errors, write_output=write_output)


_register_optional_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="trace")
