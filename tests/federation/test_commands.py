"""`puente keys` and `puente partners`: the private key stays in a file only its owner
reads; rotation prints the steps; partners are registered from the command line."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from puente.federation import keys
from puente.federation.models import PartnerHotline, PartnerKey


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_keys_new_writes_a_private_file_and_prints_the_public_half(tmp_path):
    path = tmp_path / "signing-key.pem"
    printed = _run("keys", "new", "--out", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    info = keys.public_info(keys.load_private_key(path.read_bytes()))
    assert info.key_id in printed and info.public_key in printed
    with pytest.raises(CommandError, match="refusing to overwrite"):
        _run("keys", "new", "--out", str(path))


def test_keys_show_prints_what_partners_register(own_key):
    shown = json.loads(_run("keys", "show", "--json"))
    assert shown["key_id"] == keys.public_info(own_key).key_id
    assert shown["algorithm"] == "ed25519"


def test_keys_show_without_a_key_says_how_to_make_one(settings):
    settings.PUENTE_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="No signing key"):
        _run("keys", "show")


def test_keys_rotate_makes_the_next_key_and_names_the_steps(own_key, tmp_path):
    path = tmp_path / "next.pem"
    printed = _run("keys", "rotate", "--out", str(path))
    new = keys.public_info(keys.load_private_key(path.read_bytes()))
    old = keys.public_info(own_key)
    assert new.key_id != old.key_id
    assert f"revokes {old.key_id}" in printed
    assert "PUENTE_SIGNING_KEY_FILE" in printed


def test_partners_are_registered_listed_and_their_keys_revoked(db):
    public = keys.public_info(keys.load_private_key(keys.generate_private_key_pem()))
    _run(
        "partners",
        "add",
        "--name",
        "Línea Nacional",
        "--country",
        "mx",
        "--url",
        "https://mx.example",
        "--public-key",
        public.public_key,
    )
    partner = PartnerHotline.objects.get()
    assert (partner.country, partner.base_url) == ("MX", "https://mx.example")
    assert public.key_id in _run("partners", "list")
    _run("partners", "revoke-key", public.key_id)
    assert PartnerKey.objects.get().revoked_at is not None
    with pytest.raises(CommandError, match="neither base64 nor a PEM"):
        _run("partners", "add-key", "--partner", "Línea Nacional", "--public-key", "not a key!")
