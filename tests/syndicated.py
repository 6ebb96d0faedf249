"""A synthetic syndicated corpus for engine tests: families of copies and unrelated stories, no corpus text.

Stories are random sentences over common English words (wordfreq), so the
corpus is made on the spot, is the same for a seed, and is large enough for
parallel and Spark runs to split the work; each family is a wire story with
reprints, trims, spins and edits wrapped in outlet furniture.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from wordfreq import top_n_list

from provenance.model import Article

__all__ = ["synthetic_corpus", "digest_day"]

_OUTLETS = ("The Harbour Herald", "Valley Courier", "Northern Ledger", "Daily Record Online")
_SPIN = {"said": "mentioned", "new": "novel", "big": "massive", "people": "individuals", "city": "metropolis",
         "week": "se'nnight", "help": "assist", "show": "display", "start": "commence", "end": "conclude",
         "buy": "purchase", "use": "utilise", "need": "require", "keep": "retain", "many": "numerous"}


def _words() -> list[str]:
    return [w for w in top_n_list("en", 3000) if w.isalpha() and len(w) > 1]


def _story(rng: random.Random, vocab: list[str], paragraphs: int) -> list[str]:
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = [rng.choice(vocab) for _ in range(rng.randint(9, 18))]
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] = "said"
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def _copy(rng: random.Random, body: list[str], op: str) -> list[str]:
    if op == "trim":
        return body[: max(2, len(body) // 2)]
    if op == "spin":
        return [" ".join(_SPIN.get(w, w) if rng.random() < 0.8 else w for w in p.split(" ")) for p in body]
    if op == "edit":
        edited = list(body)
        del edited[rng.randrange(1, len(edited))]
        return edited
    return list(body)


def _page(rng: random.Random, title: str, body: list[str], outlet: str | None) -> str:
    if outlet is None:
        return "\n\n".join([title, *body]) + "\n"
    head = f"{outlet}\nShare this article\n{title}"
    tail = f"Read more:\nSign up for our newsletter\n© 2024 {outlet}. All rights reserved."
    return "\n\n".join([head, *body, tail]) + "\n"


def synthetic_corpus(n_families: int = 12, n_independent: int = 12, seed: int = 7) -> list[Article]:
    """Articles of ``n_families`` families (a wire story and 1-4 copies) and unrelated stories.

    Parameters
    ----------
    n_families, n_independent : int
        Sizes.
    seed : int
        Same seed, same corpus.

    Returns
    -------
    list of Article
        Ids ``f03-c1.txt`` (family 3, copy 1; ``c0`` is the wire) and ``solo07.txt``.
    """
    rng = random.Random(seed)
    vocab = _words()
    start = datetime(2024, 3, 1, tzinfo=UTC)
    articles = []
    for f in range(n_families):
        body = _story(rng, vocab, rng.randint(5, 8))
        title = " ".join(rng.choice(vocab) for _ in range(6)).title()
        when = start + timedelta(hours=rng.randrange(24 * 60))
        versions = [body]
        articles.append(Article(id=f"f{f:02d}-c0.txt", text=_page(rng, title, body, None),
                                published=when.isoformat()))
        for c in range(1, rng.randint(2, 5)):
            parent = rng.choice(versions)
            copy = _copy(rng, parent, rng.choice(("reprint", "trim", "spin", "edit")))
            versions.append(copy)
            when += timedelta(minutes=rng.randint(5, 300))
            articles.append(Article(id=f"f{f:02d}-c{c}.txt", text=_page(rng, title, copy, rng.choice(_OUTLETS)),
                                    published=when.isoformat()))
    for s in range(n_independent):
        title = " ".join(rng.choice(vocab) for _ in range(6)).title()
        articles.append(Article(id=f"solo{s:02d}.txt",
                                text=_page(rng, title, _story(rng, vocab, rng.randint(4, 7)), rng.choice(_OUTLETS))))
    return articles


def digest_day(seed: int) -> list[Article]:
    """Three stories of a morning (the first with an outlet's edited copy) and, at nine, a news
    digest of their opening paragraphs: a text with three sources, published after all of them."""
    rng = random.Random(seed)
    vocab = _words()
    stories = [_story(rng, vocab, 6) for _ in range(3)]

    def dated(hour: str, text: str) -> str:
        return f"Published: 2024-05-02T{hour}:00Z\n\n{text}"

    articles = [Article(f"story{n}.txt", dated(hour, _page(rng, f"Story {n}", story, None)))
                for n, (story, hour) in enumerate(zip(stories, ("06:00", "07:00", "07:30"), strict=True))]
    copy = _copy(rng, stories[0], "edit")
    articles.append(Article("copy0.txt", dated("06:30", _page(rng, "Story 0", copy, _OUTLETS[0]))))
    digest = [" ".join(story[:2]) for story in stories]
    articles.append(Article("digest.txt", dated("09:00", _page(rng, "Morning news highlights", digest, None))))
    return articles
