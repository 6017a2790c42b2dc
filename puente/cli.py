"""The `puente` command: every operation behind one entry point.

puente demo [--country MX] [--port 8000]   run a demo hotline on SQLite
puente demo --pair [--port 8000]           the U.S. and Mexico hotlines side by side, paired
puente worker                              background worker (deliveries to partners)
puente purge [--dry-run]                   apply the retention rules now
puente simulate call|sms|whatsapp +1… ["text"]   a signed provider webhook, no phone line needed
puente fetchmail                           unread e-mail from the IMAP mailbox into contacts
puente keys new|show|rotate                this hotline's signing key
puente htcds export|import|undo --as USER   HTCDS 2.0 exchange files, with progress
puente networks link [--as USER] [--threshold 0.9]   match persons across cases now
puente report --kind monthly --period 2026-01   a periodic indicator report
puente serve [--bind 0.0.0.0:8000]         production server (gunicorn)
puente migrate | createadmin | audit verify | check | ...   (any management command)
"""

from __future__ import annotations

import os
import sys


def _demo_environment(argv: list[str]) -> None:
    """`demo` must work with nothing configured: it picks safe local defaults before
    Django reads its settings. The country comes from --country so the settings
    (language, time zone, hotline name) follow it."""
    country = "US"
    for i, arg in enumerate(argv):
        if arg == "--country" and i + 1 < len(argv):
            country = argv[i + 1].upper()
        elif arg.startswith("--country="):
            country = arg.split("=", 1)[1].upper()
    os.environ.setdefault("PUENTE_DEMO", "true")
    os.environ.setdefault("PUENTE_COUNTRY", country)
    os.environ.setdefault("DEBUG", "false")
    if "DATABASE_URL" not in os.environ:
        from pathlib import Path

        data_dir = Path(os.environ.get("PUENTE_DATA_DIR", Path.cwd() / "var"))
        data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / f'demo-{country.lower()}.sqlite3'}"
        key_file = data_dir / "demo-secret-key"
        if not key_file.exists():
            import secrets

            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ.setdefault("SECRET_KEY_FILE", str(key_file))
    if not {"PUENTE_AUDIT_KEY", "PUENTE_AUDIT_KEY_FILE"} & set(os.environ):
        from pathlib import Path as _Path

        # The audit trail's key, made once beside the demo's data like its SECRET_KEY.
        data_dir = _Path(os.environ.get("PUENTE_DATA_DIR", _Path.cwd() / "var"))
        data_dir.mkdir(parents=True, exist_ok=True)
        audit_key = data_dir / "demo-audit-key"
        if not audit_key.exists():
            import secrets as _secrets

            audit_key.write_text(_secrets.token_urlsafe(48))
            audit_key.chmod(0o600)
        os.environ.setdefault("PUENTE_AUDIT_KEY_FILE", str(audit_key))


def _demo_pair(argv: list[str]) -> None:
    """`puente demo --pair [--port 8000]`: the U.S. hotline on the port, Mexico's on the
    next one, each its own process tree and database, already paired."""
    from pathlib import Path

    from puente.federation.pair import run_pair

    port = 8000
    for i, arg in enumerate(argv):
        if arg == "--port" and i + 1 < len(argv):
            port = int(argv[i + 1])
        elif arg.startswith("--port="):
            port = int(arg.split("=", 1)[1])
    data_dir = Path(os.environ.get("PUENTE_DATA_DIR", Path.cwd() / "var")).resolve()
    run_pair(us_port=port, mx_port=port + 1, data_dir=data_dir / "pair")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo" and "--pair" in argv:
        _demo_pair(argv)
        return
    if argv and argv[0] == "demo":
        _demo_environment(argv)
    if argv[:1] == ["audit"] and "DATABASE_URL" not in os.environ:
        # By default prove (or anchor) the chain of the database `demo` uses.
        _demo_environment(argv)
    if argv[:1] == ["simulate"] and not {"TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN_FILE"} & set(
        os.environ
    ):
        # Without a token of its own, sign as the demo's provider (its token in var/).
        _demo_environment(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Reading the settings first, so a bad value (DEBUG=maybe) is one clear line
        # naming the variable, like `serve`'s other refusals, not a traceback.
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Puente cannot start: {exc}\n")
        sys.exit(2)
    execute_from_command_line(["puente", *argv])


if __name__ == "__main__":
    main()
