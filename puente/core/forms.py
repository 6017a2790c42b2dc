"""Form helpers shared by every app's views: the one way a form field renders (the
renderer named by settings.FORM_RENDERER), domain errors put back on a form, and the
form flow after a save refused because someone else saved first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from puente.core.concurrency import StaleWriteError


class PuenteBoundField(BoundField):
    """What the one field template (core/forms/field.html) asks of a field beyond
    Django's own: whether to mark it required, and what is saved now after a refused
    save (`form.saved_now`, set by `refuse_stale_save`)."""

    @property
    def marked_required(self) -> bool:
        # Some forms leave a field optional so the domain can name what is missing in
        # its own words, and mark it required on the widget only (intake's channel).
        return self.field.required or bool(self.field.widget.attrs.get("required"))

    @property
    def saved_now(self) -> str | None:
        """The stored value as text, or None when there was no conflict."""
        saved = getattr(self.form, "saved_now", None) or {}
        return saved.get(self.name)

    @property
    def aria_describedby(self) -> str | None:
        # Django names the help text and the errors; a screen reader should also hear
        # what is saved now, which the advocate is asked to compare with.
        ids = super().aria_describedby
        if ids is not None and self.auto_id and self.saved_now is not None:
            ids = f"{ids} {self.auto_id}_saved_now".strip()
        return ids


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: `{{ field.as_field_group }}` renders every field on the
    site through core/forms/field.html, so labels, help, errors tied to their input and
    the conflict display are written once."""

    field_template_name = "core/forms/field.html"
    bound_field_class = PuenteBoundField


def apply_domain_errors(form, exc: ValidationError) -> None:
    """Show a rule broken in a domain function on the form: beside its field when the
    form has that field, above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: in order, True bare, False left out."""
    return mark_safe(  # noqa: S308 - each part is escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


class FastSelect(forms.Select):
    """The same <select> as Django's, written straight from the choices instead of one
    template render (or one dict of attributes) per <option>. A country picker has 250
    options and the case page carries several pickers in its forms on demand: built the
    Django way they were a quarter of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        # As Django's: one value, and only its first matching option selected.
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, _attrs(attrs))]
        for option_value, label in self.choices:
            group = isinstance(label, (list, tuple))
            if group:  # an <optgroup>
                parts.append(format_html('<optgroup label="{}">', option_value))
            for sub_value, sub_label in label if group else ((option_value, label),):
                sub_value = "" if sub_value is None else str(sub_value)
                mark = ""
                if sub_value in wanted:
                    mark, wanted = " selected", set()
                parts.append(
                    f'<option value="{escape(sub_value)}"{mark}>{escape(sub_label)}</option>'
                )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped


class FastSelects:
    """Form mixin: plain <select> widgets render with FastSelect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget.__class__ = FastSelect


def _choice_labels(choices) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an <optgroup>
            labels.update(_choice_labels(label))
        else:
            labels[str(value)] = str(label)
    return labels


def shown_as_text(field: forms.Field, value: Any) -> str:
    """`value` as the field would show it: a code by its label, a yes/no in words."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "" or value == []:
        return ""
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = _choice_labels(choices)
        values = value if isinstance(value, (list, tuple)) else [value]
        return ", ".join(labels.get(str(getattr(v, "pk", v)), str(v)) for v in values)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def refuse_stale_save(
    request,
    exc: StaleWriteError,
    *,
    form_class: Callable[..., forms.Form],
    saved: Mapping[str, Any],
    template_name: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """The page after a save refused because someone else saved first (409): the form
    again with what was typed, carrying the version just read so that saving again is
    a choice made with the current values in view; the refusal above the fields; and
    under each field what is saved now. `saved` is the record's values as the form
    takes them (its `initial`); `form_class` builds the form from posted data."""
    posted = request.POST.copy()
    posted["version"] = str(exc.current_version)
    form = form_class(posted)
    form.full_clean()
    form.add_error(None, exc)
    # Read by PuenteBoundField.saved_now; any form may carry it, so no form declares it.
    form.saved_now = {  # type: ignore[attr-defined]
        name: shown_as_text(field, saved[name])
        for name, field in form.fields.items()
        if name in saved and not field.widget.is_hidden
    }
    return render(request, template_name, {**context, "form": form}, status=409)
