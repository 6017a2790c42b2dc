"""Every staff picker offers people by name, only those who may hold the duty, and an
empty choice that says what it means."""

from __future__ import annotations

import pytest
from django.utils import translation

from puente.accounts.forms import StaffChoiceField
from puente.accounts.roles import Role
from puente.cases.forms import AccessForm, CaseEditForm, TaskForm
from puente.core.permissions import Perm
from tests.factories import make_user


def options(field) -> list[str]:
    return [str(label) for _value, label in field.choices]


@pytest.mark.django_db
def test_active_staff_who_may_hold_the_duty_by_name():
    make_user(Role.ADVOCATE, username="zoe42", first_name="Zoe", last_name="Zamora")
    make_user(Role.SUPERVISOR, username="al", first_name="Álvaro", last_name="Mena")
    make_user(Role.ADVOCATE, username="bea", first_name="bea", last_name="Luna")
    make_user(Role.ADVOCATE, username="gone", first_name="Gone", last_name="Away", is_active=False)
    make_user(Role.ANALYST, username="ana", first_name="Analyst", last_name="Only")
    field = StaffChoiceField(duty=Perm.CASE_EDIT, label="Owner", required=False)
    shown = options(field)
    assert shown[0] == "Nobody yet"
    names = shown[1:]
    assert "Zoe Zamora" in names and "bea Luna" in names
    assert names.index("bea Luna") < names.index("Zoe Zamora")
    assert "Gone Away" not in names and "Analyst Only" not in names
    assert not any(u in names for u in ("zoe42", "bea", "al"))
    assert "---------" not in shown


@pytest.mark.django_db
def test_every_form_uses_it_and_the_placeholder_is_translated():
    make_user(Role.ADVOCATE, first_name="Rosa", last_name="Ortiz")
    for form, name in ((CaseEditForm(), "owner"), (TaskForm(), "assignee"), (AccessForm(), "user")):
        field = form.fields[name]
        assert isinstance(field, StaffChoiceField)
        assert "Rosa Ortiz" in options(field)
        assert "---------" not in options(field)
    with translation.override("es"):
        assert options(TaskForm().fields["assignee"])[0] == "Nadie todavía"
        assert options(AccessForm().fields["user"])[0] == "Elija a una persona"
