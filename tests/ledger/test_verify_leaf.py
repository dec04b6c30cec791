"""``chancery verify`` rebuilds every leaf with its own fast copy of ``build_leaf`` and reads
times as text: both must give exactly what ``record_event`` gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.ledger import kinds
from chancery.ledger.services import build_leaf, leaf_time
from chancery.ledger.verify import _leaf, _leaf_time

MAX_INT = 2**63 - 1
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-MAX_INT, max_value=MAX_INT) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)
KINDS = sorted(k.name for k in kinds.all_kinds()) + ["not.a.kind"]


def _keys(kind: str) -> list[str]:
    declared = kinds.get(kind)
    names = sorted(declared.public | declared.private) if declared is not None else []
    return [*names, "other"]


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    subject_id=st.integers(min_value=0, max_value=10**9),
    actor=st.none() | st.integers(min_value=0, max_value=10**9),
    salt=st.sampled_from(["", "00" * 16, "e849891f59143d10988962ac98de51e0"]),
    data=st.data(),
)
def test_verify_rebuilds_every_leaf_as_build_leaf_does(
    kind: str, subject_id: int, actor: int | None, salt: str, data: Any
) -> None:
    payload = data.draw(st.dictionaries(st.sampled_from(_keys(kind)), values, max_size=6))
    at = "2020-11-09T14:06:04.213000Z"
    expected = build_leaf(
        kind, "message", subject_id, at, None if actor is None else str(actor), payload, salt
    )
    fast = _leaf(
        kind, f"message:{subject_id}", at, actor, payload, salt, kinds.private_fields(kind)
    )
    assert fast == expected


@pytest.mark.parametrize("micro", [0, 1, 10, 500_000, 123_456, 999_999, 100_000])
def test_verify_reads_postgresql_text_times_as_leaf_time(micro: int) -> None:
    when = dt.datetime(2020, 11, 9, 14, 6, 4, micro, tzinfo=dt.UTC)
    fraction = f".{micro:06d}".rstrip("0").rstrip(".")
    assert _leaf_time(f"2020-11-09 14:06:04{fraction}+00") == leaf_time(when)
    assert _leaf_time(when.isoformat(sep=" ").replace("+00:00", "")) == leaf_time(when)
