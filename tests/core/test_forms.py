"""The one form-field template (settings.FORM_RENDERER → core/forms/field.html): what a
screen reader is told about a field, how choices are grouped, and what is shown under a
field after a save refused because someone else saved first."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from puente.core.concurrency import StaleWriteError
from puente.core.forms import FormRenderer, refuse_stale_save


class Tags(HTMLParser):
    """Every start tag as (name, attributes), and the text inside each <legend>."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.legends: list[str] = []
        self._in_legend = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_legend = tag == "legend"
        if self._in_legend:
            self.legends.append("")

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend = False

    def handle_data(self, data):
        if self._in_legend:
            self.legends[-1] += data

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


class Sample(forms.Form):
    name = forms.CharField(label="Name", help_text="As the person gives it.")
    nickname = forms.CharField(label="Nickname", required=False)
    urgent = forms.BooleanField(label="Urgent", required=False)
    venues = forms.MultipleChoiceField(
        label="Venues",
        required=False,
        choices=[("farm", "Farm"), ("hotel", "Hotel")],
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_every_form_renders_its_fields_through_the_one_template(settings):
    assert settings.FORM_RENDERER == "puente.core.forms.FormRenderer"
    assert Sample().renderer.field_template_name == "core/forms/field.html"
    assert isinstance(Sample().renderer, FormRenderer)


def test_an_errored_field_names_its_errors_and_help_and_is_invalid():
    form = Sample(data={"name": "", "version": "1"})
    assert not form.is_valid()
    html = form["name"].as_field_group()
    page = Tags(html)

    (field,) = page.find("input", name="name")
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"].split() == ["id_name_helptext", "id_name_error"]
    assert page.find("p", id="id_name_helptext")  # the help text the input points to
    (errors,) = page.find("ul", id="id_name_error")
    assert errors["class"] == "errorlist"
    assert page.find("div", **{"class": "field field-error"})
    # Required is marked for sighted users; the input's own `required` tells the rest.
    assert page.find("span", **{"class": "required", "aria-hidden": "true"})


def test_a_valid_optional_field_is_neither_invalid_nor_marked_required():
    form = Sample(data={"name": "Ana", "version": "1"})
    assert form.is_valid()
    page = Tags(form["nickname"].as_field_group())
    (field,) = page.find("input", name="nickname")
    assert "aria-invalid" not in field and "aria-describedby" not in field
    assert not page.find("span", **{"class": "required"})
    assert page.find("label", **{"for": "id_nickname"})


def test_multiple_checkboxes_are_a_fieldset_with_a_legend():
    form = Sample(data={"name": "Ana", "venues": ["nowhere"], "version": "1"})
    assert not form.is_valid()
    page = Tags(form["venues"].as_field_group())
    (fieldset,) = page.find("fieldset")
    assert fieldset["aria-describedby"] == "id_venues_error"
    assert [legend.strip() for legend in page.legends] == ["Venues"]
    boxes = page.find("input", type="checkbox", name="venues")
    assert [box["value"] for box in boxes] == ["farm", "hotel"]
    assert all(box["aria-invalid"] == "true" for box in boxes)
    assert [label["for"] for label in page.find("label")] == ["id_venues_0", "id_venues_1"]


def test_a_single_checkbox_sits_inside_its_label():
    page = Tags(Sample()["urgent"].as_field_group())
    assert [t for t, _a in page.tags] == ["div", "label", "input"]
    assert page.find("label", **{"class": "inline", "for": "id_urgent"})


class Record:
    """Stands in for a versioned model instance."""

    class _meta:  # noqa: N801 - the shape StaleWriteError reads
        label_lower = "cases.case"

    version = 4


def test_after_a_refused_save_each_field_shows_what_is_saved_now(rf: RequestFactory, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]
    request = rf.post("/", {"name": "Mine", "urgent": "on", "venues": ["farm"], "version": "3"})
    request.user = AnonymousUser()
    refused = StaleWriteError(record=Record(), changed_by="Bea Bravo", changed_at=None)
    saved = {"name": "Theirs", "nickname": "", "urgent": False, "venues": ["hotel", "farm"]}

    response = refuse_stale_save(
        request,
        refused,
        form_class=Sample,
        saved={**saved, "version": 4},
        template_name="sample_form.html",
        context={},
    )

    assert response.status_code == 409
    html = response.content.decode()
    page = Tags(html)
    # What was typed is kept, and saving again names the version just read.
    assert page.find("input", name="name", value="Mine")
    assert page.find("input", type="hidden", name="version", value="4")
    # The refusal above the fields, and under each field the value saved now.
    assert page.find("div", **{"data-testid": "stale-error", "role": "alert"})
    assert "This case was changed by Bea Bravo" in html
    for name, shown in [
        ("name", "Theirs"),
        ("nickname", "—"),
        ("urgent", "No"),
        ("venues", "Hotel, Farm"),
    ]:
        (note,) = page.find("p", **{"data-testid": f"current-{name}"})
        assert note["id"] == f"id_{name}_saved_now"
        assert f'data-testid="current-{name}">Saved now: {shown}</p>' in html
    # A screen reader hears it with the field.
    (field,) = page.find("input", name="name")
    assert "id_name_saved_now" in field["aria-describedby"].split()
    (fieldset,) = page.find("fieldset")
    assert "id_venues_saved_now" in fieldset["aria-describedby"].split()
