"""The confidence map (benchmarks/calibrate.py, EdgeModel.calibrate): a scan's edge, and each world weighed alike."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.calibrate import fit_confidence, joins_a_scan  # noqa: E402
from provenance.stages.edge_model import EdgeModel  # noqa: E402


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + np.exp(-z))


def test_a_scan_lowers_the_confidence_by_its_fitted_weight():
    model = replace(EdgeModel(), confidence_slope=1.0, confidence_intercept=0.0, confidence_scanned=-1.0)
    assert model.calibrate(0.8) == round(_sigmoid(np.log(4.0)), 4)
    assert model.calibrate(0.8, scanned=True) == round(_sigmoid(np.log(4.0) - 1.0), 4)
    assert replace(model, confidence_scanned=0.0).calibrate(0.8, scanned=True) == model.calibrate(0.8)


def test_the_fit_finds_edges_joining_scans_right_less_often():
    rng = np.random.default_rng(1)
    shares = rng.uniform(0.3, 0.9, 4000)
    scanned = rng.random(4000) < 0.5
    rights = rng.random(4000) < np.where(scanned, 0.45, 0.8)
    fitted = fit_confidence(shares, rights, scanned)
    assert fitted["scanned"] < -1.0
    assert fitted["scanned_edges"] == int(scanned.sum())
    model = replace(EdgeModel(), confidence_slope=fitted["slope"], confidence_intercept=fitted["intercept"],
                    confidence_scanned=fitted["scanned"])
    assert abs(model.calibrate(0.6) - 0.8) < 0.05
    assert abs(model.calibrate(0.6, scanned=True) - 0.45) < 0.05


def test_each_world_weighs_alike_whatever_its_number_of_edges():
    # 3,000 edges of an easy world (95% right) and 300 of a hard one (45% right), one share for all.
    rights = np.array([True] * 2850 + [False] * 150 + [True] * 135 + [False] * 165)
    shares = np.full(len(rights), 0.6)
    worlds = np.array(["easy"] * 3000 + ["hard"] * 300)
    alike = fit_confidence(shares, rights, None, worlds)
    by_edges = fit_confidence(shares, rights)
    confidence = {name: _sigmoid(fit["slope"] * np.log(1.5) + fit["intercept"])
                  for name, fit in (("alike", alike), ("edges", by_edges))}
    assert abs(confidence["alike"] - 0.70) < 0.02  # the mean of the two worlds' rates
    assert abs(confidence["edges"] - (2850 + 135) / 3300) < 0.02


def test_an_edge_joins_a_scan_through_the_children_of_an_unseen_source():
    predicted = {"latent": [{"id": "~source-1", "children": ["a", "b"]}]}
    assert joins_a_scan({"parent": "~source-1", "child": "c"}, predicted, {"b"})
    assert joins_a_scan({"parent": "d", "child": "b"}, predicted, {"b"})
    assert not joins_a_scan({"parent": "~source-1", "child": "c"}, predicted, {"d"})
