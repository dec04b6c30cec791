"""Leaves are canonical JSON: orjson's output is exactly the standard library's definition."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.ledger.services import canonical_json

MAX_INT = 2**63 - 1

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)))
values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-MAX_INT, max_value=MAX_INT) | text,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(text, children, max_size=5),
    max_leaves=20,
)


def reference(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=500)
@given(values)
def test_canonical_json_is_the_standard_librarys_sorted_compact_utf8(obj: Any) -> None:
    assert canonical_json(obj) == reference(obj)


def test_every_script_and_control_character() -> None:
    obj = {
        "ar": "تهانينا", "zh": "祝贺", "ru": "Поздравляю", "emoji": "🇨🇦",
        "controls": "".join(chr(c) for c in range(32)) + "\x7f\u2028\u2029\"\\/",
        "é": 1, "e": 2, "Z": 3,
    }
    assert canonical_json(obj) == reference(obj)
