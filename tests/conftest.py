from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from pathlib import Path

import hypothesis
import pytest
from django.conf import settings
from django.test import Client

from puente.accounts.roles import Role
from puente.core.middleware import SessionActivityMiddleware
from puente.federation import keys
from tests.factories import make_user


def pytest_collection_modifyitems(config, items):
    """On SQLite, a file for the session's test database when a collected test has several
    threads at once on it (see tests/e2e/conftest.py): the in-memory one refuses a reader
    with "database table is locked" while another connection writes."""
    if not any(
        "asgi_server" in getattr(item, "fixturenames", ())
        or item.get_closest_marker("threads_share_the_database")
        for item in items
    ):
        return
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3") or (database.get("TEST") or {}).get("NAME"):
        return
    folder = tempfile.mkdtemp(prefix="puente-e2e-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # In place: the connection handler holds this very dict. The sandbox's too.
    database.setdefault("TEST", {})["NAME"] = str(Path(folder) / "test.sqlite3")
    settings.DATABASES["practice"].setdefault("TEST", {})["NAME"] = str(
        Path(folder) / "test-practice.sqlite3"
    )


ROLES = [r.value for r in Role]
# What `secrets.token_urlsafe(48)` printed once: the audit trail's key in tests.
TEST_AUDIT_KEY = "tq3Vb0mJ8xR2kP6wN4sH9dL1fC7gZ5yA-eU_oI3rT8vB2nM6qW0xK4jS9hD1lF7g"

# No property test may depend on how fast the machine is: Hypothesis's deadline (200 ms per
# example by default) and its too_slow health check (data generation taking over a second)
# are timing assertions that fail on a busy shared machine, not on a wrong answer. The other
# health checks stay on: data_too_large, large_base_example and filter_too_much count bytes
# and rejected examples, not seconds, so they mean the same on any machine.
hypothesis.settings.register_profile(
    "puente", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("puente")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests run with MFA required, as production does; clients below are pre-verified.
    settings.PUENTE_MFA_REQUIRED = True
    settings.PUENTE_DEMO = False
    settings.PUENTE_COUNTRY = "US"
    settings.LANGUAGE_CODE = "en"
    settings.SECURE_COOKIES = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The audit trail is signed (puente.audit.keys); production reads the key from the
    # environment, and `serve` refuses to start without one.
    settings.PUENTE_AUDIT_KEY = TEST_AUDIT_KEY
    settings.PUENTE_AUDIT_OLD_KEYS = []


def signed_in_client(user) -> Client:
    """A browser session that has passed the password and the MFA step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    # What django_otp.login() stores once a code has been verified.
    session["otp_device_id"] = device.persistent_id
    # Active just now: the session is not renewed (saved) again for a minute, so query
    # counts compare like with like.
    session[SessionActivityMiddleware.KEY] = int(time.time())
    session.save()
    return client


@pytest.fixture
def advocate(db):
    return make_user(Role.ADVOCATE, first_name="Ana", last_name="Advocate")


@pytest.fixture
def supervisor(db):
    return make_user(Role.SUPERVISOR, first_name="Sam", last_name="Supervisor")


@pytest.fixture
def liaison(db):
    return make_user(Role.LIAISON)


@pytest.fixture
def analyst(db):
    return make_user(Role.ANALYST)


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def advocate_client(advocate):
    return signed_in_client(advocate)


@pytest.fixture
def supervisor_client(supervisor):
    return signed_in_client(supervisor)


@pytest.fixture
def users_by_role(db):
    return {role: make_user(role) for role in ROLES}


@pytest.fixture
def own_key(settings):
    """This hotline's signing key, as PUENTE_SIGNING_KEY would provide it: what anything
    sent on the exchange is signed with."""
    pem = keys.generate_private_key_pem()
    settings.PUENTE_SIGNING_KEY = pem.decode()
    return keys.load_private_key(pem)
