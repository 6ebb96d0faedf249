"""The tracer: load -> normalise -> boilerplate -> candidates -> align -> direction -> lineage.

:func:`trace` composes the stages; each stage can be replaced by passing
another object with the same method (``boilerplate=``, ``aligner=``...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import networkx as nx

from .engines.parallel import assess_pairs, build_lineage_by_family
from .errors import ConfigError
from .model import Alignment, Article, Document, Lineage
from .stages.align import Aligner
from .stages.boilerplate import BoilerplateRemover
from .stages.candidates import MAX_CANDIDATES_DEFAULT, MAX_DF_DEFAULT, MIN_SHARED_DEFAULT, find_candidates
from .stages.direction import (
    MIN_LINK_SHARE_DEFAULT,
    MIN_LINK_WORDS_DEFAULT,
    DirectionModel,
    PairEvidence,
)
from .stages.edge_model import EdgeModel
from .stages.load import MAX_FILE_SIZE_DEFAULT, load_articles
from .stages.normalise import tokenize
from .stages.ocr import add_char_candidates

__all__ = ["trace", "trace_articles", "analyse", "prepare_documents", "TraceOptions"]

#: Families up to this size get every pair aligned (witnesses for the tree);
#: larger ones use their candidate pairs only.
FULL_ALIGNMENT_FAMILY_SIZE = 40

Progress = Callable[[str, int, int], None]


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
    lineage.warnings = list(loaded.warnings)
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
    documents, pairs, opts = analyse(articles, boilerplate=boilerplate, aligner=aligner,
                                     direction_model=direction_model, progress=progress, **options)
    report = progress or (lambda stage, done, total: None)
    edges, latent, families = build_lineage_by_family(documents, pairs, model=edge_model, jobs=opts.jobs,
                                                      progress=report)
    return Lineage(
        documents=sorted(documents, key=lambda d: d.id),
        edges=edges,
        latent=latent,
        families=families,
        # The number of workers changes nothing in the result, so it is not recorded.
        options={k: getattr(opts, k) for k in TraceOptions.__dataclass_fields__ if k != "jobs"},
    )


def analyse(
    articles: Sequence[Article],
    *,
    boilerplate: BoilerplateRemover | None = None,
    aligner: Aligner | None = None,
    direction_model: DirectionModel | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[list[Document], dict[tuple[int, int], tuple[PairEvidence, Alignment]], TraceOptions]:
    """Stages 2 to 6: documents (ordered by content) and the evidence of every aligned pair.

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
    pairs = _assess(documents, index_pairs, aligner, direction_model, opts, report, linked_only=True)
    _add_witnesses(documents, index_pairs, pairs, aligner, direction_model, opts, report)
    _complete_families(documents, pairs, aligner, direction_model, opts, report)
    return documents, pairs, opts


def _assess(documents, index_pairs, aligner, model, opts, report,
            linked_only=False) -> dict[tuple[int, int], tuple[PairEvidence, Alignment]]:
    return assess_pairs(documents, index_pairs, aligner=aligner, direction_model=model,
                        min_link_words=opts.min_link_words, min_link_share=opts.min_link_share,
                        jobs=opts.jobs, progress=report, linked_only=linked_only)


def _add_witnesses(documents, index_pairs, pairs, aligner, model, opts, report) -> None:
    """Align again the unlinked candidate pairs that fall inside one family: the tree uses them as witnesses.

    The first pass keeps linked pairs only (most candidate pairs are not, and
    their alignments would fill memory); afterwards ``pairs`` holds what it
    would hold had every candidate been kept, minus pairs that join no family.
    """
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    family = {m: n for n, members in enumerate(nx.connected_components(links)) for m in members}
    witnesses = [(i, j) for i, j in index_pairs
                 if (i, j) not in pairs and i in family and family[i] == family.get(j)]
    found = _assess(documents, witnesses, aligner, model, opts, report)
    ordered = {key: pairs.get(key) or found[key] for key in index_pairs if key in pairs or key in found}
    pairs.clear()
    pairs.update(ordered)


def _complete_families(documents, pairs, aligner, model, opts, report) -> None:
    """Align every remaining pair inside small families: the tree needs them as witnesses."""
    links = nx.Graph((i, j) for (i, j), (ev, _) in pairs.items() if ev.linked)
    missing = []
    for component in nx.connected_components(links):
        if len(component) > FULL_ALIGNMENT_FAMILY_SIZE:
            continue
        members = sorted(component)
        missing.extend((i, j) for k, i in enumerate(members) for j in members[k + 1:] if (i, j) not in pairs)
    pairs.update(_assess(documents, missing, aligner, model, opts, report))
