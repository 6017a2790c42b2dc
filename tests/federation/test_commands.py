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


def _add(url):
    public = keys.public_info(keys.load_private_key(keys.generate_private_key_pem()))
    return _run(
        "partners",
        "add",
        "--name",
        "Línea Nacional",
        "--country",
        "MX",
        "--url",
        url,
        "--public-key",
        public.public_key,
    )


@pytest.mark.parametrize(
    "url",
    ["http://mx.example", "http://10.0.0.5:8000", "http://[2001:db8::1]/", "ftp://mx.example"],
)
def test_partners_add_refuses_an_address_that_is_not_https(db, url):
    with pytest.raises(CommandError, match="plain HTTP|not an https://"):
        _add(url)
    assert not PartnerHotline.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://mx.example",
        "http://127.0.0.1:8001",
        "http://127.8.9.10",
        "http://[::1]:8001",
        "http://localhost:8001",
    ],
)
def test_partners_add_accepts_https_and_loopback(db, url):
    assert "Registered Línea Nacional" in _add(url)


def test_a_partner_registered_over_http_moves_to_https_with_set_url(db, settings):
    settings.PUENTE_DEMO = True
    _add("http://mx.example")
    settings.PUENTE_DEMO = False
    with pytest.raises(CommandError, match="plain HTTP"):
        _run(
            "partners", "set-url", "--partner", "Línea Nacional", "--url", "http://mx.example:8080"
        )
    assert "now at https://mx.example" in _run(
        "partners", "set-url", "--partner", "Línea Nacional", "--url", "https://mx.example"
    )
    assert PartnerHotline.objects.get().base_url == "https://mx.example"


def test_serve_refuses_to_start_while_a_partner_has_a_plain_http_address(db, settings, monkeypatch):
    from puente.core.checks import insecure_configuration_reasons
    from puente.core.management import server

    settings.PUENTE_DEMO = True  # how such a partner got in: a demo database served for real
    _add("http://mx.example")
    settings.PUENTE_DEMO = False
    settings.DEBUG = False
    settings.SECRET_KEY = "Xq7-vR2_mK9pL4sT8wZ1nB6cD3fG5hJ0aE-yU7iO2qW9rT4eY1uI8oP6aS3dF5gH"
    settings.ALLOWED_HOSTS = ["hotline.example.org"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    (reason,) = _partner_reasons(insecure_configuration_reasons(settings))
    assert reason.startswith("Partner hotline “Línea Nacional”: http://mx.example is plain HTTP")
    started = []
    monkeypatch.setattr(server, "run_server", lambda **kwargs: started.append(kwargs))
    with pytest.raises(CommandError, match="Línea Nacional.*plain HTTP"):
        call_command("serve", stdout=io.StringIO(), stderr=io.StringIO())
    assert started == []
    _run("partners", "set-url", "--partner", "Línea Nacional", "--url", "https://mx.example")
    assert _partner_reasons(insecure_configuration_reasons(settings)) == []


def _partner_reasons(reasons):
    # Only this app's reasons: the others belong to the settings' own tests.
    return [r for r in reasons if r.startswith("Partner hotline")]
