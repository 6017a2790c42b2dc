"""`puente keys`: this hotline's Ed25519 signing key.

    puente keys new [--out FILE]      create a key file (mode 600); print its public half
    puente keys show [--json]         the configured key's id and public key, for partners
    puente keys rotate --out FILE     a new key beside the current one, and the steps

The private key is read from PUENTE_SIGNING_KEY_FILE (or PUENTE_SIGNING_KEY); it is never
stored in the database. Rotation without a gap: make the new key, have each partner add
its public key (both keys are then accepted), point PUENTE_SIGNING_KEY_FILE at the new file
and restart, then have partners revoke the old key id.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from puente.federation import keys


class Command(BaseCommand):
    help = "Create, show and rotate this hotline's signing key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        new = sub.add_parser("new", help="Create a key file.")
        new.add_argument("--out", default=None, help="Where to write it (default: data dir).")
        show = sub.add_parser("show", help="Print the configured key's public half.")
        show.add_argument("--json", action="store_true")
        rotate = sub.add_parser("rotate", help="Create the next key; print the steps.")
        rotate.add_argument("--out", required=True, help="Where to write the new key.")

    def handle(self, *args, action, **options):
        if action == "show":
            return self._show(options["json"])
        if action == "rotate" and keys.signing_key() is None:
            raise CommandError("No key is configured yet: use `puente keys new`.")
        out = Path(options["out"] or Path(settings.DATA_DIR) / "signing-key.pem")
        if out.exists():
            raise CommandError(f"{out} exists: refusing to overwrite a key. Choose another --out.")
        pem = keys.generate_private_key_pem()
        keys.write_private_key(out, pem)
        info = keys.public_info(keys.load_private_key(pem))
        self.stdout.write(f"Wrote the private key to {out} (readable by you only).")
        self.stdout.write(f"Key id      {info.key_id}")
        self.stdout.write(f"Public key  {info.public_key}")
        if action == "new":
            self.stdout.write(
                f"Set PUENTE_SIGNING_KEY_FILE={out} and give partners the two lines above."
            )
        else:
            current = keys.public_info(keys.signing_key())
            self.stdout.write(
                "\n".join(
                    [
                        "",
                        f"Current key {current.key_id} stays in use until step 2.",
                        "1. Each partner adds the new public key for this hotline (both are then accepted).",
                        f"2. Set PUENTE_SIGNING_KEY_FILE={out}; restart `puente serve` and `puente worker`.",
                        f"3. Each partner revokes {current.key_id}.",
                    ]
                )
            )

    def _show(self, as_json: bool):
        key = keys.signing_key()
        if key is None:
            raise CommandError("No signing key configured (PUENTE_SIGNING_KEY_FILE).")
        info = keys.public_info(key)
        if as_json:
            self.stdout.write(
                json.dumps({**info.as_registration(), "country": settings.PUENTE_COUNTRY})
            )
        else:
            self.stdout.write(f"Key id      {info.key_id}\nPublic key  {info.public_key}")
