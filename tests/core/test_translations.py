"""Every page exists in English and Spanish: each app ships a Spanish catalog in which
every string is translated, and the compiled catalog matches its source."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

from puente.core.choices import CaseStatus, IndicatorLevel

PACKAGE = Path(__file__).resolve().parents[2] / "puente"
CATALOGS = sorted(PACKAGE.glob("*/locale/es/LC_MESSAGES/django.po"))
APPS_WITH_STRINGS = [
    "core",
    "accounts",
    "audit",
    "intake",
    "cases",
    "screening",
    "search",
    "directory",
    "referrals",
    "federation",
    "channels",
    "public",
    "retention",
]


def test_every_app_ships_a_spanish_catalog():
    apps = {path.parts[-5] for path in CATALOGS}
    assert set(APPS_WITH_STRINGS) <= apps


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-5])
def test_catalog_is_complete(po_path):
    catalog = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == [], f"{po_path}: untranslated {untranslated[:10]}"
    assert fuzzy == [], f"{po_path}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-5])
def test_compiled_catalog_matches_source(po_path):
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(po_path)) if not e.obsolete}
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }
    stale = [key for key, text in source.items() if compiled.get(key) != text]
    assert stale == [], (
        f"{po_path.with_suffix('.mo')} is out of date; run compilemessages: {stale[:5]}"
    )


def test_picklists_are_shown_in_the_interface_language():
    with translation.override("es"):
        assert str(CaseStatus.REFERRED.label) == "Canalizado"
        assert str(IndicatorLevel.HIGH.label) == "Alto"
    with translation.override("en"):
        assert str(CaseStatus.REFERRED.label) == "Referred"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-5])
def test_every_plural_has_all_its_forms(po_path):
    """A catalog that declares three plural forms shows English for any count whose form
    is missing: every plural entry fills each of them."""
    catalog = polib.pofile(str(po_path))
    forms = int(catalog.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    short = [
        entry.msgid
        for entry in catalog
        if entry.msgid_plural
        and not entry.obsolete
        and sorted(int(k) for k, v in entry.msgstr_plural.items() if v) != list(range(forms))
    ]
    assert short == [], f"{po_path}: plural forms missing in {short[:10]}"
