"""Smoke test of bench/ledger.py: its in-process phases on a tiny log (no timing asserts).

Runs what ``bench/ledger.py --quick`` runs in its child processes, here in the test's database:
populate with bulk SQL, integrate, inclusion proofs (cold, shared, warm), ``verify_log``, the
tile-only verification, and the synthetic big tree's tiles with proofs from them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from chancery.ledger import merkle, tiles
from chancery.ledger.models import Event, LogHead, Tile
from chancery.ledger.sequencer import stored_tile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import ledger  # noqa: E402

LEAVES = 2000


@pytest.fixture
def bench_log(world: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    written = ledger.populate(
        LEAVES,
        principal=world["pe"],
        office=world["pres_fr"],
        liaison=people["liaison_fr"],
        officer=people["officer"],
    )
    assert written["events"] == LEAVES
    assert written["messages"] == LEAVES // 2
    assert 300 <= written["mean_leaf_bytes"] <= 400
    return written


def test_integrate_prove_and_verify_a_bench_log(bench_log: dict[str, Any]) -> None:
    assert Event.objects.filter(seq__isnull=True).count() == LEAVES

    integrated = ledger.integrate(batch=700)
    assert integrated["integrated"] == LEAVES
    assert integrated["batches"] == 3
    assert integrated["leaves_per_s"] > 0
    assert integrated["sql"]
    assert integrated["peak_rss_bytes"] > 0
    head = LogHead.objects.get()
    assert head.size == LEAVES
    leaves = Event.objects.order_by("seq").values_list("leaf", flat=True)
    assert head.checkpoint.root == merkle.root([merkle.leaf_hash(bytes(x)) for x in leaves])

    proofs = ledger.prove(proofs=25)
    assert proofs["size"] == LEAVES
    assert proofs["failed_verifications"] == 0
    for mode in ("cold", "shared", "warm"):
        assert proofs[mode]["n"] == 25
        assert proofs[mode]["p99_us"] >= proofs[mode]["p50_us"] > 0
    assert proofs["cold"]["tile_reads_per_proof"] >= 1
    assert proofs["warm"]["tile_reads_per_proof"] == 0

    full = ledger.verify_full()
    assert full["ok"], full["problems"]
    assert full["entries"] == LEAVES
    assert full["messages"] == LEAVES // 2
    assert full["entries_per_s"] > 0

    monitor = ledger.verify_tiles(chunk=3)
    assert monitor["ok"], monitor["problems"]
    assert monitor["entries"] == LEAVES


def test_tile_only_verification_notices_an_edited_bundle(bench_log: dict[str, Any]) -> None:
    ledger.integrate()
    bundle = Tile.objects.get(level=-1, index=2)
    data = bytearray(bundle.data)
    data[10] ^= 1
    bundle.data = bytes(data)
    bundle.save()
    monitor = ledger.verify_tiles()
    assert not monitor["ok"]
    assert "entry bundle 2" in monitor["problems"][0]


@pytest.mark.parametrize("size", [1, 255, 256, 5000, 65536 + 300])
def test_big_synthetic_tree_has_the_right_tiles(db: Any, size: int) -> None:
    built = ledger.build_big(size, chunk=1000)
    assert built["size"] == size
    assert Tile.objects.count() == len(tiles.tiles_for_size(size)) - -(-size // 256)
    hashes = [ledger.synthetic_leaf_hash(i) for i in range(size)]
    reader = tiles.TileHashReader(size, stored_tile)
    assert reader.root() == merkle.root(hashes)
    proofs = ledger.prove(size, proofs=10, synthetic=True)
    assert proofs["failed_verifications"] == 0
    assert proofs["cold"]["n"] == 10


def test_stats_and_quick_defaults() -> None:
    s = ledger.stats_us([0.001, 0.002, 0.003, 0.004])
    assert s == {"n": 4, "mean_us": 2500.0, "p50_us": 2000.0, "p99_us": 4000.0, "max_us": 4000.0}
    assert ledger.QUICK["leaves"] < 1_000_000
