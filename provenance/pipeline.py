"""The tracer: load -> normalise -> boilerplate -> candidates -> align -> direction -> lineage.

:func:`trace` composes the stages; each stage can be replaced by passing
another object with the same method (``boilerplate=``, ``aligner=``...).
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import networkx as nx

from .engines.parallel import forks_workers, frozen_heap, map_ordered, resolve_jobs
from .errors import ConfigError
from .model import Alignment, Article, Document, Edge, Family, Latent, Lineage
from .stages.align import Aligner, SkippedAlignment, warm_documents
from .stages.boilerplate import BoilerplateRemover
from .stages.candidates import MAX_CANDIDATES_DEFAULT, MAX_DF_DEFAULT, MIN_SHARED_DEFAULT, find_candidates
from .stages.credit import credit_places, keep_credit_places
from .stages.direction import (
    MIN_LINK_SHARE_DEFAULT,
    MIN_LINK_WORDS_DEFAULT,
    DirectionModel,
    PairEvidence,
    assess_pair,
    is_copy,
)
from .stages.edge_model import EdgeModel
from .stages.lineage import build_lineage, numbered_families
from .stages.load import MAX_FILE_SIZE_DEFAULT, load_articles
from .stages.normalise import tokenize
from .stages.ocr import add_char_candidates
from .stages.reconstruct import describe_sources

__all__ = ["trace", "trace_articles", "analyse", "prepare_documents", "assess_pairs", "build_lineage_by_family",
           "TraceOptions", "CHUNK_PAIRS_DEFAULT"]

#: Families up to this size get every pair aligned (witnesses for the tree);
#: larger ones use their candidate pairs only.
FULL_ALIGNMENT_FAMILY_SIZE = 40

#: Most pairs per task sent to a worker; smaller chunks balance the load,
#: larger ones cost less in messages.
CHUNK_PAIRS_DEFAULT = 256
# Fewer pairs than this are assessed in this process: starting workers would cost more.
_PARALLEL_MIN_PAIRS = 64
# Chunks per worker aimed at, so that a slow chunk cannot leave the others idle.
_CHUNKS_PER_JOB = 8
# Chunks of pairs a worker aligns before a new one takes its place: the pages it copied from the
# parent and its heap stop growing.  It then computes again what it keeps per document (word codes,
# surfaces) for the documents it meets, and a fork costs: every 64 chunks, not after each.
_ALIGN_CHUNKS_PER_WORKER = 64

Progress = Callable[[str, int, int], None]
Assessed = dict[tuple[int, int], tuple[PairEvidence, Alignment]]


@dataclass(frozen=True)
class TraceOptions:
    """Tunable settings of a trace, with the defaults each stage defines."""

    min_shared: int = MIN_SHARED_DEFAULT
    max_df: int = MAX_DF_DEFAULT
    max_candidates: int = MAX_CANDIDATES_DEFAULT
    min_link_words: int = MIN_LINK_WORDS_DEFAULT
    min_link_share: float = MIN_LINK_SHARE_DEFAULT
    jobs: int = 1

    def check(self) -> None:
        """Raise ConfigError naming the first out-of-range option."""
        if not 0.0 <= self.min_link_share <= 1.0:
            raise ConfigError(
                f"The 'min_link_share' option of trace must be a float in [0, 1]. Got {self.min_link_share!r} instead."
            )
        if self.min_link_words < 1:
            raise ConfigError(
                f"The 'min_link_words' option of trace must be an int >= 1. Got {self.min_link_words!r} instead."
            )


def prepare_documents(articles: Sequence[Article], boilerplate: BoilerplateRemover | None = None, *,
                      jobs: int = 1, progress: Progress | None = None) -> list[Document]:
    """Normalise articles and mark their boilerplate and credits (stages 2 and 3).

    Parameters
    ----------
    articles : sequence of Article
        The corpus.
    boilerplate : BoilerplateRemover, optional
        The remover to fit; any object with ``fit_transform(articles, tokens)``.
    jobs : int, default=1
        Worker processes for the per-document work (0: every core); results do not depend on it.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.

    Returns
    -------
    list of Document
        In the order of ``articles``.
    """
    remover = boilerplate or BoilerplateRemover()
    if type(remover).fit_transform is BoilerplateRemover.fit_transform:
        return remover.fit_transform(articles, jobs=jobs, progress=progress)
    return remover.fit_transform(articles, [tokenize(a.text) for a in articles])


def trace(
    paths: str | PathLike | Sequence[str | PathLike],
    *,
    max_file_size: int = MAX_FILE_SIZE_DEFAULT,
    follow_symlinks: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> Lineage:
    """Trace which article was copied from which in a folder or files.

    Parameters
    ----------
    paths : path or sequence of paths
        Folders (searched recursively) and files (txt, md, html, json,
        jsonl, csv).
    max_file_size : int, default=20 MiB
        Larger files are skipped with a warning.
    follow_symlinks : bool, default=False
        Follow symbolic links (loops are detected).
    strict : bool, default=False
        Turn load warnings into errors.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.
    **options
        Fields of :class:`TraceOptions` (``min_shared``, ``max_df``...).

    Returns
    -------
    Lineage
        Documents, edges, latent sources and families; ``.to_json()`` gives
        the JSON contract.

    Raises
    ------
    InputError
        A path does not exist or no usable document was found.
    ConfigError
        An option is unknown or out of range.

    Examples
    --------
    >>> lineage = trace("seeds")  # doctest: +SKIP
    >>> [f.members for f in lineage.families]  # doctest: +SKIP
    """
    loaded = load_articles(paths, max_file_size=max_file_size, follow_symlinks=follow_symlinks, strict=strict)
    lineage = trace_articles(loaded.articles, progress=progress, **options)
    lineage.warnings = [*loaded.warnings, *lineage.warnings]
    return lineage


def trace_articles(
    articles: Sequence[Article],
    *,
    boilerplate: BoilerplateRemover | None = None,
    aligner: Aligner | None = None,
    direction_model: DirectionModel | None = None,
    edge_model: EdgeModel | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Lineage:
    """Trace lineage among already loaded articles (stages 2 to 7).

    Parameters
    ----------
    articles : sequence of Article
        The corpus; ids must be unique.
    boilerplate, aligner, direction_model, edge_model : optional
        Replacement stage objects.
    progress : callable, optional
        Called as ``progress(stage, done, total)``.
    **options
        Fields of :class:`TraceOptions`.

    Returns
    -------
    Lineage
    """
    warnings: list[str] = []
    documents, pairs, opts = analyse(articles, boilerplate=boilerplate, aligner=aligner,
                                     direction_model=direction_model, progress=progress, warnings=warnings,
                                     **options)
    report = progress or (lambda stage, done, total: None)
    with frozen_heap():  # nor over the aligned pairs
        edges, latent, families = build_lineage_by_family(documents, pairs, model=edge_model, jobs=opts.jobs,
                                                          progress=report, describe=True)
    return Lineage(
        documents=sorted(documents, key=lambda d: d.id),
        edges=edges,
        latent=latent,
        families=families,
        # The number of workers changes nothing in the result, so it is not recorded.
        options={k: getattr(opts, k) for k in TraceOptions.__dataclass_fields__ if k != "jobs"},
        warnings=warnings,
    )


def analyse(
    articles: Sequence[Article],
    *,
    boilerplate: BoilerplateRemover | None = None,
    aligner: Aligner | None = None,
    direction_model: DirectionModel | None = None,
    progress: Progress | None = None,
    warnings: list[str] | None = None,
    **options: Any,
) -> tuple[list[Document], dict[tuple[int, int], tuple[PairEvidence, Alignment]], TraceOptions]:
    """Stages 2 to 6: documents (ordered by content) and the evidence of every aligned pair.

    ``warnings``, when given, gets one line when pairs could not be aligned for want of memory
    (:func:`skipped_pairs_warning`).

    Returns
    -------
    documents : list of Document
        Ordered by content fingerprint, so results do not depend on names.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        Indices into ``documents``, ``i < j``.
    options : TraceOptions
        The validated options.
    """
    unknown = set(options) - set(TraceOptions.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"Unknown option(s) for trace: {', '.join(sorted(unknown))}.")
    opts = TraceOptions(**options)
    opts.check()
    report = progress or (lambda stage, done, total: None)
    report("normalise", 0, len(articles))
    documents = prepare_documents(articles, boilerplate, jobs=opts.jobs, progress=report)
    documents.sort(key=lambda d: (d.fingerprint, d.id))
    report("candidates", 0, len(documents))
    candidates = find_candidates(documents, min_shared=opts.min_shared, max_df=opts.max_df,
                                 max_candidates=opts.max_candidates)
    candidates = add_char_candidates(documents, candidates, max_df=opts.max_df, max_candidates=opts.max_candidates)
    aligner = aligner or Aligner()
    index_pairs = [(c.a, c.b) for c in candidates]
    skipped: set[tuple[int, int]] = set()
    with frozen_heap():  # the documents and candidates live to the end: no collector passes over them
        pairs = _assess(documents, index_pairs, aligner, direction_model, opts, report, linked_only=True,
                        skipped=skipped)
        _add_witnesses(documents, index_pairs, pairs, aligner, direction_model, opts, report, skipped=skipped)
        _complete_families(documents, pairs, aligner, direction_model, opts, report, skipped=skipped)
    if skipped and warnings is not None:
        warnings.append(skipped_pairs_warning(len(skipped)))
    return documents, pairs, opts


def skipped_pairs_warning(count: int) -> str:
    """The one warning of a run whose aligner ran out of memory on ``count`` pairs (left unlinked)."""
    pairs = f"{count} pair{'s' if count != 1 else ''}"
    return (f"skipped {pairs} of documents: not enough memory to align {'them' if count != 1 else 'it'}, so "
            f"{'they are' if count != 1 else 'it is'} not linked (fewer jobs leave more memory to each)")


def _assess(documents, index_pairs, aligner, model, opts, report, linked_only=False,
            skipped=None) -> dict[tuple[int, int], tuple[PairEvidence, Alignment]]:
    return assess_pairs(documents, index_pairs, aligner=aligner, direction_model=model,
                        min_link_words=opts.min_link_words, min_link_share=opts.min_link_share,
                        jobs=opts.jobs, progress=report, linked_only=linked_only, skipped=skipped)


def _add_witnesses(documents, index_pairs, pairs, aligner, model, opts, report, skipped=None) -> None:
    """Align again the unlinked candidate pairs that fall inside one family: the tree uses them as witnesses.

    The first pass keeps linked pairs only (most candidate pairs are not, and
    their alignments would fill memory); afterwards ``pairs`` holds what it
    would hold had every candidate been kept, minus pairs that join no family.
    """
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    family = {m: n for n, members in enumerate(nx.connected_components(links)) for m in members}
    witnesses = [(i, j) for i, j in index_pairs
                 if (i, j) not in pairs and i in family and family[i] == family.get(j)]
    found = _assess(documents, witnesses, aligner, model, opts, report, skipped=skipped)
    ordered = {key: pairs.get(key) or found[key] for key in index_pairs if key in pairs or key in found}
    pairs.clear()
    pairs.update(ordered)


def _complete_families(documents, pairs, aligner, model, opts, report, skipped=None) -> None:
    """Align every remaining pair inside small families: the tree needs them as witnesses."""
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    missing = []
    for component in nx.connected_components(links):
        if len(component) > FULL_ALIGNMENT_FAMILY_SIZE:
            continue
        members = sorted(component)
        missing.extend((i, j) for k, i in enumerate(members) for j in members[k + 1:] if (i, j) not in pairs)
    pairs.update(_assess(documents, missing, aligner, model, opts, report, skipped=skipped))


# --------------------------------------------------------------------------- pairs and families on the executor


def assess_pairs(
    documents: Sequence[Document],
    index_pairs: Sequence[tuple[int, int]],
    *,
    aligner: Aligner,
    direction_model: DirectionModel | None,
    min_link_words: int,
    min_link_share: float,
    jobs: int = 1,
    progress: Progress | None = None,
    chunk_pairs: int = CHUNK_PAIRS_DEFAULT,
    linked_only: bool = False,
    skipped: set[tuple[int, int]] | None = None,
) -> Assessed:
    """Align and assess each pair ``(i, j)`` of document indices (stages 5 and 6).

    Alignment dominates the run time of a trace once candidates are found,
    and pairs are independent, so they are spread over ``jobs`` worker
    processes in chunks (:func:`~provenance.engines.parallel.map_ordered`).

    Parameters
    ----------
    documents : sequence of Document
        The corpus.
    index_pairs : sequence of (int, int)
        Pairs of indices into ``documents``.
    aligner : Aligner
        Aligns one pair.
    direction_model : DirectionModel or None
        Direction signal weights (None for the shipped fit).
    min_link_words, min_link_share
        Link thresholds passed to :func:`~provenance.stages.direction.assess_pair`.
    jobs : int, default=1
        Worker processes: 1 works in this process, 0 uses every available
        core.  Results do not depend on it.
    progress : callable, optional
        Called as ``progress("align", done, total)``.
    chunk_pairs : int, default=256
        Most pairs per task sent to a worker.
    linked_only : bool, default=False
        Keep only the pairs found to be linked.  Most candidate pairs are
        not, and their alignments are what fills memory and what workers
        would send back.
    skipped : set of (int, int), optional
        Pairs that could not be aligned for want of memory
        (:class:`~provenance.stages.align.SkippedAlignment`: no passage, so
        never linked) are added here.

    Returns
    -------
    dict (i, j) -> (PairEvidence, Alignment)
        In the order of ``index_pairs`` (a repeated pair keeps its first place).

    Raises
    ------
    ConfigError
        If ``jobs`` is not an int >= 0 or ``chunk_pairs`` not an int >= 1.
    """
    workers = resolve_jobs(jobs, owner="assess_pairs")
    if not isinstance(chunk_pairs, int) or isinstance(chunk_pairs, bool) or chunk_pairs < 1:
        raise ConfigError(
            f"The 'chunk_pairs' parameter of assess_pairs must be an int >= 1. Got {chunk_pairs!r} instead."
        )
    report = progress or (lambda stage, done, total: None)
    # A repeated pair is assessed once and keeps its first place.
    pairs = list(dict.fromkeys((int(i), int(j)) for i, j in index_pairs))
    if pairs:
        _import_wordfreq()
    state = {"documents": documents, "aligner": aligner, "model": direction_model,
             "min_link_words": min_link_words, "min_link_share": min_link_share, "linked_only": bool(linked_only)}
    if workers > 1 and len(pairs) >= _PARALLEL_MIN_PAIRS:
        _load_word_list()
        if forks_workers():
            # Done once here, for the documents of these pairs only, it is shared by every forked worker (the
            # fresh ones too).  In one process the values are kept across the pairs anyway: nothing to do then.
            warm_documents(documents[k] for k in sorted({k for pair in pairs for k in pair}))
    chunk = max(1, min(chunk_pairs, -(-len(pairs) // (workers * _CHUNKS_PER_JOB))))
    results = map_ordered(_assess_one, pairs, state=state, jobs=workers, chunk=chunk,
                          min_parallel=_PARALLEL_MIN_PAIRS, fresh_workers=_ALIGN_CHUNKS_PER_WORKER,
                          progress=lambda done, total: report("align", done, total))
    assessed = {}
    for key, value in zip(pairs, results, strict=True):
        alignment = value if isinstance(value, SkippedAlignment) else value[1] if value is not None else None
        if isinstance(alignment, SkippedAlignment) and skipped is not None:
            skipped.add(key)
        if isinstance(value, tuple):
            assessed[key] = value
    return assessed


def _load_word_list() -> None:
    """Load the direction signals' English word list (wordfreq's, ~60 MB) in this process, before workers fork.

    Each worker would otherwise load its own copy, a tenth of a second and
    private memory every time a worker starts; loaded here, the forked
    workers share it.
    """
    from wordfreq import zipf_frequency

    zipf_frequency("the", "en")


def _import_wordfreq() -> None:
    """Import wordfreq (the direction signals' word frequencies) from a fresh thread, and wait for it.

    At import, wordfreq finds its data folder with ``inspect.stack()``, which
    reads the source of every calling frame: 0.2 s from deep inside a trace,
    nothing from a new thread's short stack.  Done before any fork, so the
    workers inherit the module.
    """
    if "wordfreq" not in sys.modules:
        thread = threading.Thread(target=importlib.import_module, args=("wordfreq",), daemon=True)
        thread.start()
        thread.join()


def _assess_one(state: dict[str, Any],
                pair: tuple[int, int]) -> tuple[PairEvidence, Alignment] | SkippedAlignment | None:
    """Evidence and alignment of one pair; None when it is unlinked and only linked pairs are kept (the
    empty alignment itself when it was skipped for want of memory, so the caller can count it)."""
    i, j = pair
    documents = state["documents"]
    al = state["aligner"].align(documents[i], documents[j], i, j)
    if state["linked_only"] and isinstance(al, SkippedAlignment):
        return al
    # Most candidate pairs are not copies: when only links are kept, the
    # link test (assess_pair's own) decides before the evidence is assembled,
    # and assess_pair takes its answer rather than asking it again.
    linked = None
    if state["linked_only"]:
        linked = is_copy(documents[i], al, min_link_words=state["min_link_words"],
                         min_link_share=state["min_link_share"], doc_b=documents[j])
        if not linked:
            return None
    ev = assess_pair(documents[i], documents[j], al, model=state["model"],
                     min_link_words=state["min_link_words"], min_link_share=state["min_link_share"], linked=linked)
    if state["linked_only"] and not ev.linked:
        return None
    return ev, al


def build_lineage_by_family(
    documents: Sequence[Document],
    pairs: Assessed,
    *,
    model: Any = None,
    jobs: int = 1,
    progress: Progress | None = None,
    describe: bool = False,
) -> tuple[list[Edge], list[Latent], list[Family]]:
    """:func:`~provenance.stages.lineage.build_lineage`, one family per task on ``jobs`` worker processes.

    A family's tree depends on its own members' pairs only, so each family is
    built alone (its latent sources numbered from 1) and the results are
    numbered in :func:`~provenance.stages.lineage.build_lineage`'s order afterwards
    (largest family first, then by content): the result is the same.

    Parameters
    ----------
    documents : sequence of Document
        The corpus, indexed as in ``pairs``.
    pairs : dict (i, j) -> (PairEvidence, Alignment)
        Every aligned pair.
    model : EdgeModel, optional
        The edge model; the shipped fit by default.
    jobs : int, default=1
        Worker processes (0: every core).
    progress : callable, optional
        Called as ``progress("lineage", done, total)``, counting families.
    describe : bool, default=False
        Also reconstruct the unseen sources and name the families' agencies
        (:func:`~provenance.stages.reconstruct.describe_sources`), each family's
        in its own task: they depend on its members only.

    Returns
    -------
    edges, latent, families
        As :func:`~provenance.stages.lineage.build_lineage` returns them (described with ``describe``).
    """
    report = progress or (lambda stage, done, total: None)
    model = model or EdgeModel.load()
    workers = resolve_jobs(jobs, owner="build_lineage_by_family")
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    key = [d.fingerprint + d.id for d in documents]
    components = sorted((sorted(c, key=key.__getitem__) for c in nx.connected_components(links)),
                        key=lambda c: (-len(c), key[c[0]]))
    label = {m: n for n, members in enumerate(components) for m in members}
    inside: list[list[tuple[int, int]]] = [[] for _ in components]
    for i, j in pairs:
        family = label.get(i)
        if family is not None and family == label.get(j):
            inside[family].append((i, j))
    if workers == 1 or len(components) < 2 or sum(map(len, inside)) < _PARALLEL_MIN_PAIRS:
        report("lineage", 0, len(components))
        edges, latent, families = build_lineage(documents, pairs, model=model)
        if describe:
            latent, families = describe_sources(documents, pairs, latent, families)
        report("lineage", len(components), len(components))
        return edges, latent, families
    state = {"documents": documents, "pairs": pairs, "inside": inside, "model": model, "describe": describe}
    # Families share no document: what a worker caches for one family's documents serves no other, so
    # each worker leaves after its chunk instead of keeping all it touched (memory, not time).
    built = map_ordered(_family_task, range(len(components)), state=state, jobs=workers, fresh_workers=1,
                        progress=lambda done, total: report("lineage", done, total))
    edges: list[Edge] = []
    latent: list[Latent] = []
    families: list[Family] = []
    for members, (fam_edges, fam_latent, fam_families, places) in zip(components, built, strict=True):
        for m, text in zip(sorted(members), places, strict=False):  # no places when not described
            keep_credit_places(documents[m], text)
        renamed = {lat.id: f"~source-{len(latent) + n}" for n, lat in enumerate(fam_latent, start=1)}
        latent.extend(dataclasses.replace(lat, id=renamed[lat.id]) for lat in fam_latent)
        edges.extend(rename_latent(fam_edges, renamed))
        families.extend(dataclasses.replace(family, root=renamed.get(family.root, family.root))
                        for family in fam_families)
    edges.sort(key=lambda e: (e.parent, e.child))
    return edges, latent, numbered_families(families)


def _family_task(state: dict[str, Any], family: int) -> tuple[list[Edge], list[Latent], list[Family], list[str]]:
    """Worker side of :func:`build_lineage_by_family`: the lineage of one family alone, and the
    :func:`~provenance.stages.credit.credit_places` of its members (in corpus order) when described.

    The family's documents are renumbered 0..m-1 (in corpus order, so each
    pair keeps i < j), so the work grows with the family, not the corpus.
    Where a copy credits its source is read for each edge of the report: on the
    workers, not in the parent after every family (0.5 s at 20k documents).
    """
    documents, pairs, inside = state["documents"], state["pairs"], state["inside"][family]
    members = sorted({m for pair in inside for m in pair})
    local = {g: k for k, g in enumerate(members)}
    renumbered = {}
    for i, j in inside:
        ev, al = pairs[(i, j)]
        a, b = local[i], local[j]
        renumbered[(a, b)] = (dataclasses.replace(ev, a=a, b=b), dataclasses.replace(al, a=a, b=b))
    family_documents = [documents[m] for m in members]
    edges, latent, families = build_lineage(family_documents, renumbered, model=state["model"])
    places = []
    if state["describe"]:
        # On the workers too: in the parent, after every family, it ran alone (3 s of 45 at 20k documents).
        latent, families = describe_sources(family_documents, renumbered, latent, families)
        places = [credit_places(doc) for doc in family_documents]
    return edges, latent, families, places


def rename_latent(edges: Sequence[Edge], renamed: dict[str, str]) -> list[Edge]:
    """Edges with their unseen sources renumbered, as parents or (a story reusing another) as children."""
    return [dataclasses.replace(e, parent=renamed.get(e.parent, e.parent), child=renamed.get(e.child, e.child))
            for e in edges]
