"""Confidence calibration: an edge's weight margin -> probability that the edge is right.

The parameters are fitted offline on simulated corpora with known lineage
(``benchmarks/calibrate.py``, scikit-learn logistic regression) and shipped
as ``provenance/data/calibration.json``; nothing is trained at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

__all__ = ["Calibration"]


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of edge margins, one curve for document parents, one for latent ones.

    Parameters
    ----------
    slope, intercept : float
        ``confidence = sigmoid(slope * margin + intercept)`` for an edge to a document.
    latent_slope, latent_intercept : float
        The same for an edge from a latent source.
    """

    slope: float = 0.6
    intercept: float = 0.5
    latent_slope: float = 0.4
    latent_intercept: float = 0.5

    @classmethod
    def load(cls) -> Calibration:
        """The shipped fit, or the defaults when no fit is shipped."""
        try:
            text = resources.files("provenance").joinpath("data/calibration.json").read_text()
        except (FileNotFoundError, OSError):
            return cls()
        return cls(**json.loads(text)["parameters"])

    def confidence(self, margin: float, *, latent: bool) -> float:
        """Calibrated probability that an edge with this margin is right."""
        slope, intercept = (self.latent_slope, self.latent_intercept) if latent else (self.slope, self.intercept)
        z = slope * margin + intercept
        return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))), 4)
