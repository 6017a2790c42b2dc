"""The full-text step returns exactly the newest matching entries, whichever way it gets
there: on PostgreSQL the one-by-one check of the newest entries, carrying on below them,
or the index, in one pass or within slices of ids; on SQLite FTS5. Shrunk thresholds
make a few hundred entries take every path."""

from __future__ import annotations

import random

import pytest

from puente.search import queries
from puente.search.models import SearchEntry

# How often each word appears, as the share of entries holding it; "rare" and "old" make
# the one-by-one check give up, "old" and "older" are found only deep in the past.
WORDS = {"common": 0.5, "usual": 0.3, "medium": 0.08, "rare": 0.01}


def _text(rng: random.Random, position: int, total: int) -> str:
    words = [word for word, share in WORDS.items() if rng.random() < share]
    if position < total // 5:
        words.append("old")  # only in the oldest fifth
    if position < 10:
        words.append("older")  # only in the ten oldest
    return " ".join(words) or "filler"


@pytest.fixture(params=[0, 10**9], ids=["index-in-slices", "index-in-one-pass"])
def entries(db, monkeypatch, request):
    monkeypatch.setattr(queries, "ONE_PASS", request.param)
    monkeypatch.setattr(queries, "CANDIDATES", 15)
    monkeypatch.setattr(queries, "RECENT", 40)
    monkeypatch.setattr(queries, "DIRECT_LIMIT", 400)
    rng = random.Random(20261129)
    total = 1200
    SearchEntry.objects.bulk_create(
        SearchEntry(kind="contact", object_id=n, text=_text(rng, n, total)) for n in range(total)
    )
    return list(SearchEntry.objects.order_by("-id").values_list("id", "text"))


@pytest.mark.parametrize(
    "query",
    [
        "common",  # fills the page among the newest
        "medium",  # not enough among the newest: carry on one by one
        "rare",  # one word, seldom: the index
        "common usual",  # two words meeting now and then: carry on one by one
        "common medium",  # meeting less often: the index, the first slice enough
        "usual rare",  # two words that seldom meet: the index, then a sized slice
        "old",  # nothing recent: the index, then the rest at once
        "older common",
        "nowhere",
    ],
)
def test_the_newest_matches_and_only_them(entries, query):
    words = query.split()
    expected = [pk for pk, text in entries if all(w in text.split() for w in words)]
    assert queries._full_text_ids(words) == expected[: queries.CANDIDATES]
