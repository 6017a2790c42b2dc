from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cases_urls(settings):
    settings.ROOT_URLCONF = "tests.cases.stub_urls"
