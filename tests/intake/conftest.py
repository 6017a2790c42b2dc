from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _intake_urls(settings):
    settings.ROOT_URLCONF = "tests.intake.stub_urls"
