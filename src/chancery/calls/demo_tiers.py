"""The demo's priority tiers: a policy that reproduces the order of the November 2020 calls.

Sources. ``/work/shared/data/nov2020.md`` ("Calls the President-elect held (in this order)")
gives the 24 calls in order, and says the order "followed priority tiers, not ceremonial
precedence: neighbours, then treaty allies in Europe, then Indo-Pacific treaty allies, then the
Holy See, then other partners and heads of international organisations". The time each leader's
congratulation arrived is the demo's (``chancery.demo.world.MESSAGES``: the dates are those of
nov2020.md, the times of day plausible, and for the leaders who only "also sent messages in the
first days" the dates are approximate). Taoiseach Micheál Martin and President Reuven Rivlin sent
no message in the demo; with "first congratulated, first called" they come after the members of
their tier who did.

The tiers below are a *reconstruction*, not a record: nov2020.md's five broad tiers, split
where the demo's congratulation times within a broad tier disagree with the order the calls
were held in (the record does not say why those calls came later). The splits:

* Ireland is not a treaty ally but was called with the European allies on 10 November; Italy is
  one but was called on 13 November, after the Holy See: Ireland joins the first European tier,
  Italy has a tier of its own after the Holy See.
* Korea congratulated (in the demo) before Japan, yet was called after it the same evening.
* On 17 November Israel (Netanyahu, then President Rivlin) came before India, and India before
  Chile and South Africa, although their congratulations arrived in the other order.
* On 23 November the European Union's presidents and Jordan came before NATO; on 30 November
  Argentina, Costa Rica and Kenya before the United Nations.

Organisation slugs are those of ``chancery.demo.world.ORGANISATIONS``.
"""

from __future__ import annotations

from typing import Any

DEMO_TIERS: list[dict[str, Any]] = [
    {"name": "Neighbours", "countries": ["CA", "MX"], "organisations": []},
    {"name": "European allies", "countries": ["GB", "FR", "DE", "IE"], "organisations": []},
    {"name": "Indo-Pacific treaty allies", "countries": ["AU", "JP"], "organisations": []},
    {"name": "Indo-Pacific treaty allies (Korea)", "countries": ["KR"], "organisations": []},
    {"name": "Holy See", "countries": ["VA"], "organisations": []},
    {"name": "European allies (Italy)", "countries": ["IT"], "organisations": []},
    {"name": "Partners: Israel", "countries": ["IL"], "organisations": []},
    {"name": "Partners: India", "countries": ["IN"], "organisations": []},
    {"name": "Partners: Chile, South Africa, New Zealand", "countries": ["CL", "ZA", "NZ"],
     "organisations": []},
    {"name": "European Union and Jordan", "countries": ["JO"],
     "organisations": ["european-union"]},
    {"name": "NATO", "countries": [], "organisations": ["nato"]},
    {"name": "Partners: Argentina, Costa Rica, Kenya", "countries": ["AR", "CR", "KE"],
     "organisations": []},
    {"name": "United Nations", "countries": [], "organisations": ["united-nations"]},
]

DEMO_POLICY: dict[str, Any] = {
    "time_zone": "America/New_York",
    "keys": [
        {"key": "tiers", "tiers": DEMO_TIERS},
        {"key": "congratulated"},
        # Ties within a tier (Martin; Rivlin) fall to ceremonial order, then the alphabet.
        "ceremonial",
        {"key": "alphabetical", "language": "en"},
    ],
}
"""The demo principal's call policy, as a model would store it (``Policy.from_dict``)."""
