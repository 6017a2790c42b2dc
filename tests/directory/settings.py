"""Scratch settings for the directory tests until `puente.directory` is in
puente.settings.INSTALLED_APPS: `pytest tests/directory --ds=tests.directory.settings`.
Once the app and its URLs are registered, the tests run with the default settings."""

from puente.settings import *  # noqa: F403
from puente.settings import INSTALLED_APPS

if "puente.directory" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "puente.directory"]
ROOT_URLCONF = "tests.directory.urls"
