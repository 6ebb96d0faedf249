"""Command line of the wire-copy check: ``trace check`` and ``trace index build|add|stats``.

Joined to the ``trace`` group by :func:`register` (called from ``cli.py``),
which also hands over the group's error handler and output writer.  Each
command parses, calls :mod:`provenance.prepublish.check` or :mod:`provenance.prepublish.index`,
and renders; the library never prints or exits.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from .prepublish.check import (
    MAX_DF_DEFAULT,
    MAX_DRAFT_SIZE_DEFAULT,
    MAX_SOURCES_DEFAULT,
    PASSAGE_WORDS_DEFAULT,
    THRESHOLD_DEFAULT,
    UNKNOWN_OUTLET,
    CheckResult,
)
from .prepublish.index import SAMPLE_DEFAULT, IndexStats
from .render.text import terminal_safe
from .stages.load import MAX_FILE_SIZE_DEFAULT

__all__ = ["register", "render_check_text", "render_stats_text", "CHECK_EPILOG"]

EXIT_FLAGGED = 1

CHECK_EPILOG = """\b
Exit codes:
  0    original, or credited copy
  1    uncredited copy: the draft's words found in uncredited sources reach
       --threshold, or an uncredited shared passage has --passage-words words
  2    bad input or usage: missing, empty, binary or too large draft,
       unreadable index (one line on stderr)
  3    internal error (one line; rerun with --debug for the traceback)
  130  interrupted (Ctrl-C)

\b
Examples:
  trace check draft.txt --against wire.sqlite
  cat draft.txt | trace check - --against wire/ --format json
"""

INDEX_EPILOG = """\b
Exit codes:
  0    success
  2    bad input or usage (one line on stderr)
  3    internal error (one line; rerun with --debug for the traceback)
  130  interrupted (Ctrl-C); an interrupted add or build leaves the index as it was

\b
Examples:
  trace index build wire/ --db wire.sqlite
  trace index add today/ --db wire.sqlite
  trace index stats --db wire.sqlite
"""

_PASSAGE_TEXT_WIDTH = 90


def register(cli: click.Group, *, handle_errors: Callable[..., Any], write_output: Callable[..., Any]) -> None:
    """Add ``check`` and the ``index`` group to the ``trace`` group.

    Parameters
    ----------
    cli : click.Group
        The root group.
    handle_errors : callable
        Decorator turning library errors into exit 2 (one line) and others into exit 3.
    write_output : callable
        ``write_output(content, output)`` writes to stdout or atomically to a file.
    """
    cli.add_command(_check_command(handle_errors, write_output))
    cli.add_command(_index_group(handle_errors, write_output))


def _check_command(handle_errors: Callable[..., Any], write_output: Callable[..., Any]) -> click.Command:
    @click.command("check", epilog=CHECK_EPILOG)
    @click.argument("draft", metavar="DRAFT")
    @click.option("--against", "-a", required=True, type=click.Path(exists=True),
                  help="Index file (trace index build), or a folder or record file indexed in memory.")
    @click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
                  show_default=True, help="Output format (json for a CMS).")
    @click.option("-o", "--output", default=None, help="Write to FILE (atomically) instead of stdout.")
    @click.option("--threshold", type=click.FloatRange(0, 1), default=THRESHOLD_DEFAULT, show_default=True,
                  help="Share of the draft's words from which uncredited reuse exits 1.")
    @click.option("--passage-words", type=click.IntRange(min=1), default=PASSAGE_WORDS_DEFAULT,
                  show_default=True, help="A shared passage this long (outside quotes) counts whatever its share.")
    @click.option("--max-sources", type=click.IntRange(min=1), default=MAX_SOURCES_DEFAULT, show_default=True,
                  help="Most candidate sources aligned with the draft.")
    @click.option("--max-df", type=click.IntRange(min=1), default=MAX_DF_DEFAULT, show_default=True,
                  help="Ignore shingles found in more sources than this (stock phrases).")
    @click.option("--max-draft-size", type=click.IntRange(min=1), default=MAX_DRAFT_SIZE_DEFAULT,
                  show_default=True, help="Refuse larger drafts (bytes).")
    @handle_errors
    def check_command(draft: str, against: str, fmt: str, output: str | None, threshold: float,
                      passage_words: int, max_sources: int, max_df: int, max_draft_size: int) -> None:
        """Is DRAFT wire copy (or another outlet's story), and does it credit it?

        DRAFT is a txt, md, html or docx file, or '-' for standard input.
        """
        from .cli import output_target
        from .prepublish.check import check

        inputs = (against,) if draft == "-" else (draft, against)
        output_target(output, inputs=inputs)  # an unwritable or refused -o fails before the work
        result = check(draft, against, threshold=threshold, passage_words=passage_words,
                       max_sources=max_sources, max_df=max_df, max_draft_size=max_draft_size)
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        content = result.to_json_str() if fmt == "json" else render_check_text(result)
        write_output(content, output, inputs=inputs)
        if result.flagged:
            click.get_current_context().exit(EXIT_FLAGGED)

    return check_command


def _index_group(handle_errors: Callable[..., Any], write_output: Callable[..., Any]) -> click.Group:
    @click.group("index", epilog=INDEX_EPILOG)
    def index_group() -> None:
        """Persistent source index (one SQLite file) for 'trace check'."""

    db_option = click.option("--db", required=True, type=click.Path(dir_okay=False),
                             help="The index file (SQLite).")
    from .cli import ByteSize  # defined before the CLI registers this group

    load_options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True)),
        db_option,
        click.option("--max-file-size", type=ByteSize(), default=ByteSize.format(MAX_FILE_SIZE_DEFAULT),
                     show_default=True, help="Skip files (and records) larger than this, e.g. 500KB, 20MB."),
        click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loops are detected)."),
        click.option("--strict", is_flag=True, help="Treat every load warning as an error."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Processes preparing documents."),
        click.option("-q", "--quiet", is_flag=True, help="No progress line and no summary."),
        click.option("--outlet", default=None, metavar="NAME",
                     help="Outlet of every article that names none (a feed without an outlet field)."),
        click.option("--agency", default=None, metavar="NAME",
                     help="Agency every article is credited to (e.g. Reuters for a Reuters feed)."),
    ]

    def with_load_options(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(load_options):
            func = option(func)
        return func

    @index_group.command("build", epilog=INDEX_EPILOG)
    @with_load_options
    @click.option("--force", is_flag=True, help="Replace an existing index file (not while others use it).")
    @click.option("--sample", type=click.IntRange(1, 64), default=SAMPLE_DEFAULT, show_default=True,
                  help="Keep 1 shingle in this many (smaller index, same recall for long passages).")
    @handle_errors
    def build_command(paths: tuple[str, ...], db: str, max_file_size: int, follow_symlinks: bool, strict: bool,
                      jobs: int, quiet: bool, outlet: str | None, agency: str | None, force: bool,
                      sample: int) -> None:
        """Create a new index of PATHS (folders searched recursively; txt, md, html, json, jsonl, csv)."""
        from .errors import InputError
        from .prepublish.index import build_index

        _refuse_input_as_index(db, paths)
        if Path(db).exists() and not force:  # say so before loading the sources
            raise InputError(f"index {db} already exists; add to it with 'trace index add', or rebuild with --force")
        jobs = _cap_jobs(jobs)
        articles = _stamp(_load(paths, max_file_size, follow_symlinks, strict, quiet), outlet, agency)
        started = time.monotonic()
        with _Progress(not quiet) as progress:
            result = build_index(articles, db, force=force, sample=sample, progress=progress, jobs=jobs)
        _summary(result, db, time.monotonic() - started, quiet)

    @index_group.command("add", epilog=INDEX_EPILOG)
    @with_load_options
    @handle_errors
    def add_command(paths: tuple[str, ...], db: str, max_file_size: int, follow_symlinks: bool, strict: bool,
                    jobs: int, quiet: bool, outlet: str | None, agency: str | None) -> None:
        """Add PATHS to an index: new documents are added, unchanged ones skipped, changed ones replaced."""
        from .prepublish.index import Index

        _refuse_input_as_index(db, paths)
        jobs = _cap_jobs(jobs)
        with Index.open(db, verify=True) as index:
            articles = _stamp(_load(paths, max_file_size, follow_symlinks, strict, quiet), outlet, agency)
            started = time.monotonic()
            try:
                with _Progress(not quiet) as progress:
                    result = index.add(articles, progress=progress, jobs=jobs)
            except KeyboardInterrupt:
                # Say truthfully where the index stands: Ctrl-C may land just after the commit.
                state = index.last_add
                told = ("the documents were added (the commit had finished)" if state == "committed"
                        else "nothing was added; the index is as it was")
                click.echo(f"Aborted: {told}.", err=True)
                click.get_current_context().exit(130)
        _summary(result, db, time.monotonic() - started, quiet)

    @index_group.command("stats", epilog=INDEX_EPILOG)
    @db_option
    @click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
                  show_default=True, help="Output format.")
    @handle_errors
    def stats_command(db: str, fmt: str) -> None:
        """Documents, postings, size on disk, schema version, created and updated dates."""
        import json

        from .prepublish.index import Index

        with Index.open(db, verify=True) as index:
            stats = index.stats()
        if fmt == "json":
            write_output(json.dumps(stats.to_json(), indent=2, sort_keys=True) + "\n", None)
        else:
            write_output(render_stats_text(stats), None)

    return index_group


def _cap_jobs(jobs: int) -> int:
    from .cli import cap_jobs

    return cap_jobs(jobs)


def _refuse_input_as_index(db: str, paths: tuple[str, ...]) -> None:
    """Refuse an index path that is one of the sources or an article inside a source folder."""
    from .cli import _traced
    from .errors import InputError

    target = Path(db).resolve()
    if not target.exists():
        return
    for given in paths:
        root = Path(given).resolve()
        if target == root or (root.is_dir() and root in target.parents and _traced(target)):
            raise InputError(f"refusing to use {db} as the index: it is one of the sources ({given}); "
                             "choose another --db")


def _load(paths: tuple[str, ...], max_file_size: int, follow_symlinks: bool, strict: bool, quiet: bool) -> list:
    from .stages.load import load_articles

    loaded = load_articles(list(paths), max_file_size=max_file_size, follow_symlinks=follow_symlinks,
                           strict=strict)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    return loaded.articles


def _stamp(articles: list, outlet: str | None, agency: str | None) -> list:
    """Articles with the feed's outlet (where they name none) and agency (``--outlet``, ``--agency``)."""
    import dataclasses

    outlet, agency = (outlet or "").strip() or None, (agency or "").strip() or None
    if outlet is None and agency is None:
        return articles
    return [dataclasses.replace(a, outlet=a.outlet or outlet, agency=agency or a.agency) for a in articles]


def _summary(result: Any, db: str, seconds: float, quiet: bool) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(f"{db}: {result.added} added, {result.replaced} replaced, {result.unchanged} unchanged "
                   f"in {seconds:.1f}s", err=True)


class _Progress:
    """Count and rate on one stderr line, only on a terminal and after ~2 s."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def __call__(self, stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        if not self.enabled or elapsed < 2.0:
            return
        sys.stderr.write(f"\r{stage}: {done}/{total} ({done / elapsed:.0f}/s)\x1b[K")
        sys.stderr.flush()
        self.shown = True


def render_check_text(result: CheckResult) -> str:
    """The check answer for people: verdict, a table of sources, then the passages."""
    art = result.draft.article
    n = len(result.sources)
    lines = [
        f"Draft: {terminal_safe(art.id)} ({result.draft.words} words)",
        f"Verdict: {result.verdict}" + "".join(
            f" ({note})" for note in dict.fromkeys(s.credit for s in result.sources if s.flagged and s.credit
                                                   and s.credit.endswith(UNKNOWN_OUTLET))),
        f"  {result.reused_share:.0%} of the draft's words found in {n} source{'s' if n != 1 else ''}; "
        f"{result.uncredited_share:.0%} in uncredited ones",
        f"  (copy from {result.threshold:.0%} of the draft's words, or one shared passage of "
        f"{result.passage_words} words)",
    ]
    if result.unseen is not None:
        unseen = result.unseen
        lines.append(f"  {terminal_safe(unseen.summary)}; "
                     + (f"credited: {terminal_safe(unseen.credit)}" if unseen.credit else
                        f"the draft does not credit {terminal_safe(unseen.agency.name or 'its agency')}"))
        lines.extend(f"    evidence: {terminal_safe(e, 100)}" for e in unseen.agency.evidence)
    if not result.sources:
        return "\n".join(lines) + "\n"
    rows = [[terminal_safe(s.id, 40), terminal_safe(s.outlet, 20) or "-", s.relation, f"{s.share:.0%}",
             s.longest_passage, ("yes: " + s.credit) if s.credit else "no", "yes" if s.flagged else "no"]
            for s in result.sources]
    headers = ["source", "outlet", "relation", "share of draft", "longest passage", "credited", "at threshold"]
    lines += ["", tabulate(rows, headers=headers, disable_numparse=True), "",
              "Passages (draft characters <-> source characters):"]
    for source in result.sources:
        lines.append(f"  {terminal_safe(source.id)}")
        for p in source.passages:
            lines.append(f"    draft {p.draft_start}-{p.draft_end} <-> source {p.source_start}-{p.source_end} "
                         f"({p.words} words): \"{terminal_safe(p.draft_text, _PASSAGE_TEXT_WIDTH)}\"")
    return "\n".join(lines) + "\n"


def render_stats_text(stats: IndexStats) -> str:
    """``trace index stats`` as a two-column table."""
    rows = [
        ["index", stats.path],
        ["documents", stats.documents],
        ["postings", stats.postings],
        ["size on disk", _size(stats.size_bytes)],
        ["schema version", stats.schema_version],
        ["shingles", f"{stats.shingle_size} words, 1 in {stats.sample} kept"],
        ["prepared by", f"provenance {stats.prepared_by}"],
        ["created", stats.created],
        ["updated", stats.updated],
    ]
    return tabulate(rows, tablefmt="plain", disable_numparse=True) + "\n"


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
