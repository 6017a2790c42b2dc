from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _screening_urls(settings):
    settings.ROOT_URLCONF = "tests.screening.stub_urls"
