"""`./run screenshots` (tools/screenshots.py) without a browser: every page it photographs
exists and opens for the role it signs in as, and its query for the demo's facts runs."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from puente.accounts.roles import Role
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("puente_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_demo_logins_are_roles():
    shots = _script()
    assert {shot.role for shot in shots.PAGES} <= {role.value for role in Role}
    assert {"home", "new-contact", "case", "screening", "directory", "audit"} <= {
        shot.name for shot in shots.PAGES
    }


def test_every_page_opens_for_its_role():
    shots = _script()
    case = make_case(created_by=make_user(Role.ADVOCATE), title="Kitchen workers")
    clients = {}
    for shot in shots.PAGES:
        for deployment in shots.DEPLOYMENTS.values():
            path = shots.page_path(
                shot, case=case.reference, near=deployment.near, home=reverse("core:home")
            )
            resolve(path.split("?")[0])  # raises Resolver404 for a page that does not exist
            client = clients.setdefault(shot.role, signed_in_client(make_user(shot.role)))
            page = client.get(path)
            assert page.status_code == 200, (
                f"{shot.name} as {shot.role}: {path} → {page.status_code}"
            )


def test_the_facts_query_finds_an_open_unrestricted_case():
    shots = _script()
    advocate = make_user(Role.ADVOCATE)
    wanted = make_case(created_by=advocate, title="Open and readable")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(shots.FACTS, {})  # what `puente shell -c` runs in the demo
    facts = json.loads(out.getvalue())
    assert facts["case"] == wanted.reference
    assert facts["password"] and facts["caller"].startswith("+")
    assert facts["home"] == reverse("core:home")
