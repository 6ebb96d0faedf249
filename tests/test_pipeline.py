"""End to end on the five seed articles: the story the issue tells."""

import json
import subprocess
import sys

import pytest

import provenance
from provenance.errors import ConfigError

FAMILY = {"000_ff1cc9cdafb8e1cb.txt", "001_0aaa2a31d96aaafb.txt", "002_e3353238399ad4ec.txt"}
OTHERS = {"003_41bf71071ac7e7a3.txt", "004_7fdd438a3d7ae7ec.txt"}


@pytest.fixture(scope="module")
def seeds_lineage():
    from conftest import SEEDS

    return provenance.trace(SEEDS)


def test_seed_family_hangs_under_an_unseen_source(seeds_lineage):
    (latent,) = seeds_lineage.latent
    assert latent.id.startswith("~")
    assert set(latent.children) == FAMILY
    (family,) = seeds_lineage.families
    assert family.root == latent.id and set(family.members) == FAMILY
    for edge in seeds_lineage.edges:
        assert edge.parent == latent.id
        assert edge.confidence >= 0.5


def test_spun_copy_is_nobodys_parent_and_is_called_spun(seeds_lineage):
    spun = "002_e3353238399ad4ec.txt"
    assert not seeds_lineage.children_of(spun)
    assert seeds_lineage.parent_of(spun).relation == "spun"


def test_independent_reports_are_unlinked(seeds_lineage):
    linked = {e.child for e in seeds_lineage.edges} | {e.parent for e in seeds_lineage.edges}
    assert not linked & OTHERS


def test_credit_and_wrapping_found(seeds_lineage):
    assert "AA" in seeds_lineage.document("004_7fdd438a3d7ae7ec.txt").credits
    wrapping = [s.text for s in seeds_lineage.document("001_0aaa2a31d96aaafb.txt").boilerplate]
    assert "Read more:" in wrapping
    assert any(t.startswith("For the latest headlines") for t in wrapping)


def test_json_is_deterministic(seeds_lineage):
    from conftest import SEEDS

    again = provenance.trace(SEEDS)
    assert seeds_lineage.to_json_str() == again.to_json_str()
    json.loads(again.to_json_str())


def test_unknown_option_is_a_config_error():
    from conftest import SEEDS

    with pytest.raises(ConfigError, match="no_such_option"):
        provenance.trace(SEEDS, no_such_option=1)


def test_trace_imports_nothing_heavy(seeds_dir):
    # scikit-learn (and scipy.stats, which it pulls in) cost seconds to import;
    # a trace needs neither.  Checked in a fresh interpreter.
    code = ("import sys, provenance; provenance.trace(sys.argv[1]).to_json(); "
            "print(' '.join(m for m in ('sklearn', 'scipy.stats', 'pandas', 'matplotlib', 'pyspark') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(seeds_dir)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
