"""Determinism: same articles, same bytes, whatever the run, the hash seed, the file names or their order."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FURNITURE_HEAD, FURNITURE_TAIL, INDEPENDENT, SEEDS, WIRE, spin, trim
from messy import build_messy

from provenance.cli import cli

FAMILY = {
    "family_wire.txt": WIRE,
    "family_reprint.txt": FURNITURE_HEAD + WIRE + FURNITURE_TAIL,
    "family_spun.txt": spin(WIRE),
    "family_trimmed.txt": trim(WIRE, 4),
    "family_independent.txt": INDEPENDENT,
}
FORMATS = ("text", "json", "csv", "dot", "html")


def _corpus_files() -> dict[str, bytes]:
    """The seed articles and the small synthetic family, by their usual names."""
    files = {path.name: path.read_bytes() for path in sorted(SEEDS.glob("*.txt"))}
    files.update((name, text.encode("utf-8")) for name, text in FAMILY.items())
    assert len(set(files.values())) == len(files)  # contents identify documents
    return files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("det") / "news"
    folder.mkdir()
    for name, data in _corpus_files().items():
        (folder / name).write_bytes(data)
    return folder


def _json(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    return result.stdout


# --------------------------------------------------------------------------- same input, same bytes


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_same_bytes(corpus, fmt):
    runs = [CliRunner().invoke(cli, [str(corpus), "-f", fmt, "-o", "-", "-j", "1"]) for _ in range(2)]
    assert all(run.exit_code == 0 for run in runs)
    assert runs[0].stdout_bytes == runs[1].stdout_bytes


def test_same_bytes_across_hash_seeds(corpus, tmp_path):
    messy = build_messy(tmp_path, long_line_words=2000)
    args = [sys.executable, "-m", "provenance", str(corpus), str(messy.root), "--format", "json", "--jobs", "1"]
    runs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][1].decode(errors="replace")
    assert outputs[0][0] == outputs[1][0]
    assert outputs[0][1] == outputs[1][1]  # the warnings too
    in_process = CliRunner().invoke(cli, args[3:])
    assert in_process.stdout_bytes == outputs[0][0]


def test_json_does_not_depend_on_the_number_of_workers(corpus):
    assert _json(str(corpus)) == CliRunner().invoke(cli, [str(corpus), "-f", "json", "-j", "2", "-q"]).stdout


# --------------------------------------------------------------------------- names and order do not matter


def _by_content(data: dict) -> dict:
    """The JSON result with every id replaced by the hash of the article's file (paths dropped)."""
    key = {d["id"]: hashlib.sha256(Path(d["path"]).read_bytes()).hexdigest()[:12] for d in data["documents"]}
    for latent in data["latent"]:
        key[latent["id"]] = "latent(" + ",".join(sorted(key[c] for c in latent["children"])) + ")"
    documents = {
        key[d["id"]]: {k: v for k, v in d.items() if k not in ("id", "path")} for d in data["documents"]
    }
    edges = {
        key[e["child"]]: {
            "parent": key[e["parent"]],
            "relation": e["relation"],
            "confidence": e["confidence"],
            "shared": e["shared"],
            "evidence": [(ev["signal"], ev["weight"]) for ev in e["evidence"]],
        }
        for e in data["edges"]
    }
    families = sorted((key[f["root"]], sorted(key[m] for m in f["members"])) for f in data["families"])
    return {"documents": documents, "edges": edges, "families": families, "options": data["options"]}


def _scatter(files: dict[str, bytes], root: Path, rng: random.Random) -> list[Path]:
    """Write ``files`` under random names and folders, in a random creation order."""
    items = list(files.items())
    rng.shuffle(items)
    paths = []
    for _, data in items:
        folder = root / rng.choice(["", "a", "b/c", "zz"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{rng.getrandbits(48):012x}.txt"
        path.write_bytes(data)
        paths.append(path)
    return paths


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("given", ["folder", "files"])
def test_lineage_depends_on_the_articles_not_their_names_or_order(corpus, tmp_path, seed, given):
    expected = _by_content(json.loads(_json(str(corpus))))
    rng = random.Random(seed)
    root = tmp_path / "renamed"
    paths = _scatter(_corpus_files(), root, rng)
    if given == "folder":
        renamed = _by_content(json.loads(_json(str(root))))
    else:
        rng.shuffle(paths)
        renamed = _by_content(json.loads(_json(*map(str, paths))))
    assert renamed["families"] == expected["families"]
    assert {child: e["parent"] for child, e in renamed["edges"].items()} == \
        {child: e["parent"] for child, e in expected["edges"].items()}
    assert {child: e["relation"] for child, e in renamed["edges"].items()} == \
        {child: e["relation"] for child, e in expected["edges"].items()}
    assert renamed == expected


def test_copies_of_a_corpus_give_the_same_json_but_for_paths(corpus, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(corpus, copy)
    first, second = json.loads(_json(str(corpus))), json.loads(_json(str(copy)))
    for data in (first, second):
        for document in data["documents"]:
            document.pop("path")
    assert first == second
