"""Command line: ``trace PATH`` and its subcommands.  Parses options, calls the library, renders.

Exit codes: 0 success; 1 ``trace check`` found uncredited copy; 2 usage or
input error; 3 internal error (rerun with ``--debug`` for the traceback);
130 interrupted.
"""

from __future__ import annotations

import _thread
import fnmatch
import functools
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import click

from . import __version__, _abort_at_once
from .cli_engine import add_engine_options, run_trace
from .errors import ProvenanceError
from .render import FORMATS, TABLES, render, render_text, terminal_safe
from .stages.candidates import MAX_DF_DEFAULT, MIN_SHARED_DEFAULT
from .stages.direction import MIN_LINK_SHARE_DEFAULT, MIN_LINK_WORDS_DEFAULT
from .stages.load import MAX_FILE_SIZE_DEFAULT


def trace(*args: Any, **kwargs: Any) -> Any:
    """The library's :func:`provenance.trace`, imported when first needed (keeps ``trace check`` quick)."""
    from .pipeline import trace as _trace

    return _trace(*args, **kwargs)


EXIT_OK, EXIT_FLAGGED, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: Options of the ``trace`` group itself; they may be written anywhere before ``--``.
GROUP_FLAGS = ("--debug",)
DEFAULT_COMMAND = "lineage"
#: Where ``--format html`` writes when no ``-o`` is given (relative to the working folder).
REPORTS_DIR = "reports"

EPILOG = """\b
Exit codes:
  0    success (for check: original, or credited copy)
  1    check only: uncredited copy at or above the threshold
  2    usage or input error (one line on stderr)
  3    internal error (one line; rerun with --debug for the traceback)
  130  interrupted (Ctrl-C)
"""


class InputProblem(click.ClickException):
    """A bad input or option: one line on stderr, exit 2."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


class ByteSize(click.ParamType):
    """A positive number of bytes, optionally with a unit: ``500000``, ``512KB``, ``20MB``, ``1.5GB``.

    Units are binary (1 KB = 1024 bytes), as in the loader's messages.
    """

    name = "size"
    #: Largest size accepted (1 TB): beyond it a number is a typo, and some APIs overflow.
    MAX = 1024**4
    _UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
              "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3, "t": 1024**4, "tb": 1024**4,
              "tib": 1024**4}
    _PATTERN = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)

    @classmethod
    def format(cls, size: int) -> str:
        """``size`` in the largest unit that divides it: ``20MB``, ``512KB``, ``1000``."""
        for unit in ("TB", "GB", "MB", "KB"):
            if size % cls._UNITS[unit.lower()] == 0:
                return f"{size // cls._UNITS[unit.lower()]}{unit}"
        return str(size)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number, scale = value, 1
        else:
            match = self._PATTERN.fullmatch(str(value))
            if not match or match.group(2).lower() not in self._UNITS:
                self.fail(f"{value!r} is not a size (examples: 1048576, 512KB, 20MB, 1GB).", param, ctx)
            number, scale = float(match.group(1)), self._UNITS[match.group(2).lower()]
        if number * scale > self.MAX:
            self.fail(f"{value!r} is too large (at most {self.format(self.MAX)}).", param, ctx)
        size = int(number * scale)
        if size < 1:
            self.fail(f"{value!r} is not a positive size.", param, ctx)
        return size


class DefaultGroup(click.Group):
    """A group whose unknown first word is a PATH for the default ``lineage`` command.

    ``trace PATH [OPTIONS]`` runs ``trace lineage PATH [OPTIONS]``; the group's
    own flags (``--debug``) are accepted anywhere before ``--``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = list(args)
        end = args.index("--") if "--" in args else len(args)
        flags = [a for a in args[:end] if a in GROUP_FLAGS]
        rest = [a for a in args[:end] if a not in GROUP_FLAGS] + args[end:]
        if rest and rest[0] not in self.commands and rest[0] not in (*ctx.help_option_names, "--version"):
            rest.insert(0, DEFAULT_COMMAND)
        return super().parse_args(ctx, flags + rest)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into exit 2 and anything unexpected into exit 3, one line each."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        command_line = signal.getsignal(signal.SIGINT) is _abort_at_once
        if command_line:
            # The command starts: from here Ctrl-C raises KeyboardInterrupt, caught below after
            # the command removed what it was writing.  (Till now, during imports and option
            # parsing, nothing was written and the start-up handler just exited.)
            signal.signal(signal.SIGINT, interrupt_when_safe)
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ProvenanceError as exc:
            if debug:
                traceback.print_exc()
            raise InputProblem(str(exc)) from exc
        except KeyboardInterrupt:
            _echo_err("Aborted.")
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader of our stdout went away (``trace ... | head``): nothing left to say.
            _silence_stdout()
            ctx.exit(EXIT_OK)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug:
                traceback.print_exc()
            hint = "see the traceback above" if debug else "rerun with --debug for the traceback"
            _echo_err(f"Error: internal error: {type(exc).__name__}: {_one_line(str(exc))} ({hint})")
            ctx.exit(EXIT_INTERNAL)
        finally:
            if command_line:
                # The command is over, its output written or removed: while Python shuts down
                # (where a KeyboardInterrupt is printed as "ignored"), Ctrl-C stops at once.
                signal.signal(signal.SIGINT, _abort_at_once)

    return wrapper


_FINALISER_FILES = (os.path.join("multiprocessing", "util.py"), "weakref.py")


def interrupt_when_safe(signum: int, frame: Any) -> None:
    """SIGINT handler: raise KeyboardInterrupt, or a moment later where Python would ignore it.

    Raised inside the import machinery (a module lock's clean-up callback), a
    finaliser (``__del__``, or a finaliser object the collector calls) or a
    fork's callbacks (run while the pool holds Ctrl-C back), the exception is
    printed as "ignored" and the run goes on to the end with exit 0.  There
    the signal is sent again 10 ms later, to the main thread itself (a signal
    raised in a new thread could stay pending there for good: threads started
    while a pool forks keep Ctrl-C blocked).
    """
    held_back = hasattr(signal, "pthread_sigmask") and signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ())
    while frame is not None and not held_back:
        code = frame.f_code
        held_back = (code.co_filename.startswith("<frozen importlib") or code.co_name == "__del__"
                     # A finaliser object called back by the collector (multiprocessing's, weakref's).
                     or (code.co_name == "__call__" and code.co_filename.endswith(_FINALISER_FILES)))
        frame = frame.f_back
    if held_back:
        again = threading.Timer(0.01, _interrupt_main_thread, args=(signum,))
        again.daemon = True  # Python's shutdown would wait for it
        again.start()
        return
    raise KeyboardInterrupt


def _interrupt_main_thread(signum: int) -> None:
    """Send ``signum`` to the main thread itself: it wakes a wait there, and waits while Ctrl-C is held back."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident, signum)
    else:  # pragma: no cover - not on POSIX
        _thread.interrupt_main(signum)


def _one_line(text: str) -> str:
    """One terminal-safe line of at most 500 characters."""
    return terminal_safe(text, 500) or "(no message)"


def _echo_err(message: str) -> None:
    """One line on stderr, whatever the terminal's encoding."""
    # The stream click.echo writes to (click 8.5 deprecates get_text_stream).
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    click.echo(message.encode(encoding, "replace").decode(encoding), err=True)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests); nothing to flush at exit


class Progress:
    """Stage, count, rate and ETA on one stderr line, only on a terminal and after ~2 s.

    The rate and ETA are measured from the start of the current stage, not of
    the run; a stage that runs in several passes (``align``: candidates, then
    witnesses) keeps counting up across them instead of starting again at 0.

    Parameters
    ----------
    enabled : bool
        False for ``--quiet``; the bar also stays off when stderr is not a terminal.
    """

    def __init__(self, enabled: bool, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self.shown = False
        self.stage, self.stage_start, self.offset, self.last = "", self.start, 0, (0, 0)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.stage_start, self.offset, self.last = stage, now, 0, (0, 0)
        elif done < self.last[0] or total != self.last[1] and done == 0:
            self.offset += self.last[1]  # a new pass of the same stage: carry on from the last one
        self.last = (done, total)
        done, total = done + self.offset, total + self.offset
        elapsed = now - self.stage_start
        if not self.enabled or now - self.start < 2.0:
            return
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = f", ETA {(total - done) / rate:.0f}s" if rate and total > done else ""
        self.stream.write(f"\r{stage}: {done}/{total} ({rate:.0f}/s{eta})\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def output_target(output: str | None, *, default_name: str | None = None,
                  inputs: Iterable[str] = ()) -> Path | None:
    """Where :func:`write_output` will write; call it before the work starts.

    Parameters
    ----------
    output : str or None
        The ``-o`` value: a file, ``"-"`` for stdout, or None.
    default_name : str, optional
        Path used when ``output`` is None (the html report); None means stdout.
    inputs : iterable of str
        What the command reads (PATHS, a draft, an index): never written.

    Returns
    -------
    Path or None
        The resolved file to write, the path as given for a device, FIFO or
        ``/dev/stdout`` (written by opening, never replaced), or None for stdout.

    Raises
    ------
    InputProblem
        When ``output`` is empty, the default path lies inside an input folder
        (a new file there given with ``-o`` is allowed), the target is a
        folder, an input, an existing file inside an input folder, or cannot
        be written (permissions, a file where a folder should be).
    """
    if output == "":
        raise InputProblem("-o needs a file name ('-' is standard output)")
    if output == "-" or (output is None and default_name is None):
        return None
    given = output if output is not None else default_name
    if _opened_in_place(given):
        if not os.path.exists(given):  # nothing can be created under /dev or /proc
            raise InputProblem(f"cannot write {given}: no such device or file")
        return Path(given)
    target = Path(given).resolve()
    for name in inputs:
        root = Path(name).resolve()
        if output is None and root.is_dir() and (target == root or root in target.parents):
            raise InputProblem(f"the default report path {default_name} is inside the input folder {name}; "
                               "choose where to write it with -o FILE")
        if _same_file(target, root):
            raise InputProblem(f"refusing to overwrite the input file {name} with the report; choose another -o")
        if root.is_dir() and root in target.parents and target.exists() and _traced(target):
            raise InputProblem(f"refusing to overwrite {given}: it is an article inside the input folder {name}; "
                               "choose another -o")
    if target.is_dir():
        raise InputProblem(f"cannot write to {given}: it is a folder; give a file name with -o")
    _check_writable(target, given)
    return target


def _traced(path: Path) -> bool:
    """Whether the loader reads ``path`` when it walks a folder holding it (a supported suffix)."""
    from .stages.load import HTML_SUFFIXES, RECORD_SUFFIXES, TEXT_SUFFIXES

    return path.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES


def _opened_in_place(path: str) -> bool:
    """Whether ``path`` is written by opening it: a device, FIFO or socket, or anything under /dev or /proc.

    Renaming a temporary file over ``/dev/null`` (as root) would replace the
    device by a regular file; ``/dev/stdout`` resolves to the terminal or to
    the shell's redirection, which must be written, not replaced.
    """
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _check_writable(target: Path, given: str) -> None:
    """Refuse, before any work, a target whose file or folder this process cannot write."""
    if target.exists() and not os.access(target, os.W_OK):
        raise InputProblem(f"cannot write {given}: permission denied")
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputProblem(f"cannot write {given}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputProblem(f"cannot write {given}: permission denied in {folder}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_output(content: str, output: str | None, *, default_name: str | None = None,
                 inputs: Iterable[str] = (), terminal: bool = False) -> str | None:
    """Write ``content`` to stdout or atomically to a file.

    A file is written to a hidden temporary file in the same folder, synced and
    renamed over the target, so an interrupted run leaves either the old file
    or the new one, never half a report and never the temporary file.  A new
    file gets the usual permissions (0o666 less the umask); an existing one
    keeps its own.  Devices, FIFOs and ``/dev/stdout`` are opened and written
    instead (see :func:`output_target`).

    Parameters
    ----------
    content : str
        The rendered report.
    output : str or None
        The ``-o`` value: a file, ``"-"`` or None for stdout.
    default_name : str, optional
        Path used when ``output`` is None (the html report).
    inputs : iterable of str, default=()
        What the command reads (see :func:`output_target`).
    terminal : bool, default=False
        Text for a terminal: encoded in the terminal's encoding, unknown
        characters replaced.  Otherwise stdout gets UTF-8 bytes.

    Returns
    -------
    str or None
        The path written, or None for stdout.

    Raises
    ------
    InputProblem
        When the target is refused (see :func:`output_target`) or cannot be written.
    """
    target = output_target(output, default_name=default_name, inputs=inputs)
    if target is None:
        _write_stdout(content, terminal)
        return None
    if _opened_in_place(str(target)):
        try:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        except OSError as exc:
            raise InputProblem(f"cannot write {target}: {_os_reason(exc)}") from exc
        return str(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputProblem(f"cannot write {target}: {_os_reason(exc)}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputProblem(f"cannot write {target}: {_os_reason(exc)}") from exc
        raise
    return str(target)


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def cap_jobs(jobs: int) -> int:
    """``jobs`` capped at the available cores, with a note on stderr when it is more."""
    cores = available_cores()
    if jobs > cores:
        _echo_err(f"note: --jobs {jobs} is more than the {cores} available core{'s' if cores != 1 else ''}; "
                  f"using {cores}")
        return cores
    return jobs


def _write_stdout(content: str, terminal: bool) -> None:
    if terminal:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        click.echo(content.encode(encoding, "replace").decode(encoding), nl=False)
    else:
        click.echo(content.encode("utf-8"), nl=False)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


@click.group("trace", cls=DefaultGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help=f"Output format; html goes to {REPORTS_DIR}/NAME.html unless -o is given.")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write to FILE (atomically) instead of stdout; '-' is stdout.")
@click.option("--max-file-size", type=ByteSize(), default=ByteSize.format(MAX_FILE_SIZE_DEFAULT), show_default=True,
              help="Skip files larger than this (bytes, or with a unit: 512KB, 20MB).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected).")
@click.option("--strict", is_flag=True, help="Treat every load warning as an error (exit 2).")
@click.option("--min-shared", type=click.IntRange(min=1), default=MIN_SHARED_DEFAULT, show_default=True,
              help="Shared 4-word shingles a pair needs to be compared.")
@click.option("--max-df", type=click.IntRange(min=2), default=MAX_DF_DEFAULT, show_default=True,
              help="Ignore shingles found in more documents than this (stock phrases).")
@click.option("--min-link-words", type=click.IntRange(min=1), default=MIN_LINK_WORDS_DEFAULT, show_default=True,
              help="Shared words (outside quotations) needed to link two documents.")
@click.option("--min-link-share", type=click.FloatRange(0, 1), default=MIN_LINK_SHARE_DEFAULT,
              show_default=True,
              help="Shared words needed, as a share of the shorter document (60 words over three "
                   "sentences with one copied whole link whatever the share).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="all cores", help="Worker processes for the alignment.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out links below this confidence (every format).")
@click.option("--family", "family", default=None, metavar="ID",
              help="Report one family only (e.g. family-2), in every format.")
@click.option("--what", type=click.Choice(TABLES), default="edges", show_default=True,
              help="For --format csv: one row per edge, per document, or per evidence signal.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files whose path inside the folder matches GLOB (e.g. 'README*', '*/drafts/*'); repeatable.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings summary, no Spark log.")
@click.option("--show-sources", is_flag=True,
              help="Text format: print each unseen source's reconstructed text with the copies carrying it.")
@add_engine_options
@click.version_option(__version__, prog_name="trace")
@handle_errors
def lineage_command(paths: tuple[str, ...], fmt: str, output: str | None, max_file_size: int,
                    follow_symlinks: bool, strict: bool, min_shared: int, max_df: int,
                    min_link_words: int, min_link_share: float, jobs: int, min_confidence: float,
                    family: str | None, what: str, exclude: tuple[str, ...], quiet: bool, show_sources: bool,
                    engine: str, master: str, partitions: int | None) -> None:
    """Lineage report for PATHS (folders searched recursively; txt, md, html, json, jsonl, csv).

    Unreadable, binary, empty, oversized and linked files are skipped with one
    warning line each on stderr; the input files are never changed.
    """
    for given in paths:
        # Spark reads URIs (hdfs://, s3a://...) that only the cluster can check.
        if not os.path.exists(given) and not (engine == "spark" and "://" in given):
            raise InputProblem(f"path does not exist: {given}")
    jobs = cap_jobs(jobs)
    default_name = None
    if fmt == "html" and output is None:
        default_name = str(Path(REPORTS_DIR) / f"{_report_name(paths)}.html")
    output_target(output, default_name=default_name, inputs=paths)  # fail before the work
    if exclude and engine == "spark":
        raise InputProblem("--exclude works with the embedded engine only; filter the input for Spark")
    progress = Progress(not quiet)
    entry = functools.partial(_trace_excluding, exclude) if exclude else trace
    try:
        result = run_trace(paths, engine=engine, master=master, partitions=partitions, trace=entry,
                           max_file_size=max_file_size, follow_symlinks=follow_symlinks,
                           strict=strict, progress=progress, min_shared=min_shared, max_df=max_df,
                           min_link_words=min_link_words, min_link_share=min_link_share, jobs=jobs,
                           quiet=quiet)
    finally:
        progress.close()
    if min_confidence or family is not None:
        try:
            result = result.subset(min_confidence=min_confidence, family=family)
        except ValueError as exc:
            raise InputProblem(str(exc)) from exc
    for warning in result.warnings:
        _echo_err(f"warning: {_one_line(warning)}")
    if result.warnings and not quiet:
        count = len(result.warnings)
        _echo_err(f"{count} warning{'s' if count != 1 else ''}; traced {len(result.documents)} documents "
                  "(--strict makes warnings errors)")
    text = (render_text(result, show_sources=True) if show_sources and fmt == "text"
            else render(result, fmt, what=what))
    written = write_output(text, output, default_name=default_name, inputs=paths,
                           terminal=fmt == "text")
    if written and default_name is not None:
        click.echo(written)
    elif written and not quiet:
        _echo_err(f"wrote the {fmt} report to {written}")


def _trace_excluding(exclude: tuple[str, ...], paths: list[str], *, max_file_size: int, follow_symlinks: bool,
                     strict: bool, **options: Any) -> Any:
    """:func:`provenance.trace` without the files whose path in the folder matches one of ``exclude``."""
    from .pipeline import trace_articles
    from .stages.load import load_articles

    loaded = load_articles(paths, max_file_size=max_file_size, follow_symlinks=follow_symlinks, strict=strict)
    keep = [a for a in loaded.articles if not _excluded(a, exclude)]
    if not keep:
        raise InputProblem(f"--exclude {' '.join(exclude)} leaves no document to trace")
    lineage = trace_articles(keep, **options)
    dropped = len(loaded.articles) - len(keep)
    lineage.warnings = [*loaded.warnings, f"excluded {dropped} document{'s' if dropped != 1 else ''} "
                                          f"matching {', '.join(exclude)}", *lineage.warnings]
    return lineage


def _excluded(article: Any, patterns: tuple[str, ...]) -> bool:
    """True when the article's file (its id without a record part, or its path) matches a pattern."""
    names = {article.id.split("#", 1)[0], article.path or ""}
    names |= {PurePosixPath(n).name for n in names if n}
    return any(fnmatch.fnmatchcase(n, pattern) for n in names if n for pattern in patterns)


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
    from .cli_serve import register as register_serve  # imports FastAPI only when 'serve' runs

    register_serve(cli, handle_errors=handle_errors)


_register_optional_commands()


def _add_version_options(command: click.Command) -> None:
    """Give every command and subcommand ``--version`` (``--help`` comes from the group's settings)."""
    if not any(param.name == "version" for param in command.params):
        click.version_option(__version__, prog_name="trace")(command)
    for sub in getattr(command, "commands", {}).values():
        _add_version_options(sub)


_add_version_options(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="trace")
