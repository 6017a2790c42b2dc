"""`puente apikey`: keys for integrations (telephony bridge, partner tooling).

puente apikey create --name "Telephony bridge" --user ana --scope phone.lookup
puente apikey list
puente apikey revoke 7
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from puente.accounts import domain, queries
from puente.accounts.models import ApiKey, User
from puente.accounts.roles import API_SCOPES


class Command(BaseCommand):
    help = "Create, list and revoke API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Issue a key; the raw key is printed once.")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--user", required=True, help="Username of the staff member the key acts for."
        )
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=sorted(API_SCOPES),
            help="Repeat for several scopes.",
        )
        sub.add_parser("list", help="List keys (never the raw key).")
        revoke = sub.add_parser("revoke", help="Revoke a key by id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, **options):
        return getattr(self, f"_{options['subcommand']}")(options)

    def _create(self, options) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No staff member with username “{options['user']}”.")
        try:
            key, raw = domain.create_api_key(
                name=options["name"], user=user, scopes=options["scope"]
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"API key #{key.pk} “{key.name}” created, acting for {user.username}."
            )
        )
        self.stdout.write(f"Scopes: {', '.join(key.scopes)}")
        self.stdout.write("The key (shown only now; store it in the integration's secret store):")
        self.stdout.write(raw)

    def _list(self, options) -> None:
        keys = list(queries.api_keys())
        if not keys:
            self.stdout.write("No API keys.")
            return
        for key in keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"#{key.pk}  {key.key_prefix}…  {key.name}  user={key.acting_user.username}  "
                f"scopes={','.join(key.scopes)}  last used={used}  {state}"
            )

    def _revoke(self, options) -> None:
        try:
            key = domain.revoke_api_key(key_id=options["id"])
        except ApiKey.DoesNotExist as exc:
            raise CommandError(f"No API key #{options['id']}.") from exc
        self.stdout.write(self.style.SUCCESS(f"API key #{key.pk} “{key.name}” is revoked."))
