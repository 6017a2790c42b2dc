"""A picklist field's label is read from a table made once (`read_choice_labels_once`),
and still says what Django's own `get_FOO_display` says: the label in the language of
the moment, the stored value when it is not in the list."""

from __future__ import annotations

from functools import partialmethod

from django.utils import translation

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases.models import Case
from puente.core import choices as c


def test_the_label_follows_the_active_language():
    case = Case(status=c.CaseStatus.CLOSED)
    with translation.override("en"):
        english = case.get_status_display()
    with translation.override("es"):
        spanish, label = case.get_status_display(), str(c.CaseStatus.CLOSED.label)
    assert english == "Closed"
    assert spanish == label != english


def test_the_same_answer_as_djangos_own_for_every_value_and_one_not_in_the_list():
    role = User._meta.get_field("role")
    for value in [*Role.values, "not-a-role", ""]:
        person = User(role=value)
        for language in ("en", "es"):
            with translation.override(language):
                assert person.get_role_display() == User._get_FIELD_display(person, role)


def test_only_the_methods_django_made_are_replaced():
    assert not isinstance(User.__dict__["get_role_display"], partialmethod)
