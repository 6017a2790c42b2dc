"""The {% icon %} tag and the sprite it points into."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from puente.core.templatetags.puente_icons import ICON_NAMES

SPRITE = Path(__file__).resolve().parents[2] / "puente" / "core" / "static" / "puente" / "icons.svg"


def test_every_name_the_tag_knows_is_drawn_in_the_sprite_and_nothing_else():
    drawn = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text()))
    assert drawn == set(ICON_NAMES)


def test_licence_and_version_sit_next_to_the_sprite():
    licence = SPRITE.parent / "vendor" / "LICENSE-lucide.txt"
    assert "ISC License" in licence.read_text()
    assert re.search(r"lucide-static \d+\.\d+\.\d+", licence.read_text())


def test_icon_renders_a_hidden_svg_using_the_sprite():
    html = Template('{% load puente_icons %}{% icon "case" %}').render(Context())
    assert html == (
        '<svg class="icon" aria-hidden="true" focusable="false">'
        '<use href="/static/puente/icons.svg#case"></use></svg>'
    )


def test_extra_classes_and_a_name_from_a_variable():
    html = Template('{% load puente_icons %}{% icon which "icon-lg" %}').render(
        Context({"which": "danger"})
    )
    assert 'class="icon icon-lg"' in html and "#danger" in html


def test_a_misspelt_literal_name_fails_when_the_template_is_compiled():
    with pytest.raises(TemplateSyntaxError, match="Unknown icon"):
        Template('{% load puente_icons %}{% icon "dangr" %}')


def test_an_unknown_name_from_a_variable_renders_nothing():
    assert (
        Template("{% load puente_icons %}{% icon which %}").render(Context({"which": "nope"})) == ""
    )
