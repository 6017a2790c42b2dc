"""`puente partners`: register partner hotlines from the command line (the same as the
Partner hotlines page, for scripted set-ups).

    puente partners list
    puente partners add --name N --country MX --url https://… --public-key KEY
    puente partners add-key --partner N --public-key KEY
    puente partners set-url --partner N --url https://…
    puente partners revoke-key KEY_ID
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from puente.federation import partners
from puente.federation.models import PartnerHotline, PartnerKey


class Command(BaseCommand):
    help = "Register partner hotlines and their public keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        add = sub.add_parser("add")
        add.add_argument("--name", required=True)
        add.add_argument("--country", required=True)
        add.add_argument("--url", required=True)
        add.add_argument("--public-key", required=True)
        add_key = sub.add_parser("add-key")
        add_key.add_argument("--partner", required=True, help="The partner's name.")
        add_key.add_argument("--public-key", required=True)
        set_url = sub.add_parser("set-url")
        set_url.add_argument("--partner", required=True, help="The partner's name.")
        set_url.add_argument("--url", required=True)
        revoke = sub.add_parser("revoke-key")
        revoke.add_argument("key_id")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _list(self, **_):
        for partner in PartnerHotline.objects.prefetch_related("keys"):
            state = "active" if partner.active else "switched off"
            self.stdout.write(f"{partner.name} ({partner.country}) {partner.base_url} — {state}")
            for key in partner.keys.all():
                self.stdout.write(f"    {key.key_id}{' (revoked)' if key.revoked_at else ''}")

    def _add(self, *, name, country, url, public_key, **_):
        partner = PartnerHotline.objects.filter(name=name).first()
        if partner is None:
            partner = partners.register_partner(name=name, country=country, base_url=url)
        key = partners.add_key(partner=partner, public_key=public_key)
        self.stdout.write(f"Registered {partner.name} with key {key.key_id}.")

    def _add_key(self, *, partner, public_key, **_):
        found = PartnerHotline.objects.filter(name=partner).first()
        if found is None:
            raise CommandError(f"No partner named {partner!r}.")
        key = partners.add_key(partner=found, public_key=public_key)
        self.stdout.write(f"Added key {key.key_id} for {found.name}.")

    def _set_url(self, *, partner, url, **_):
        found = PartnerHotline.objects.filter(name=partner).first()
        if found is None:
            raise CommandError(f"No partner named {partner!r}.")
        partners.change_base_url(partner=found, base_url=url)
        self.stdout.write(f"{found.name} is now at {found.base_url}.")

    def _revoke_key(self, *, key_id, **_):
        key = PartnerKey.objects.filter(key_id=key_id).first()
        if key is None:
            raise CommandError(f"No key {key_id}.")
        partners.revoke_key(key=key)
        self.stdout.write(f"Revoked {key_id}.")
