"""`puente fetchmail`: each unread e-mail in the hotline's IMAP mailbox becomes a contact
(PUENTE_IMAP_HOST, _PORT, _SSL, _USER, _PASSWORD(_FILE), _FOLDER). Run it from cron or a
systemd timer every minute or two; running it twice at once stores nothing twice."""

from __future__ import annotations

import imaplib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from puente.channels.fetchmail import fetch_mailbox


class Command(BaseCommand):
    help = "Fetch unread e-mail from the IMAP mailbox into contacts."

    def handle(self, *args, **options):
        if not settings.PUENTE_IMAP_HOST:
            raise CommandError("PUENTE_IMAP_HOST is not set: there is no mailbox to fetch from.")
        try:
            report = fetch_mailbox()
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(
                f"Could not fetch mail from {settings.PUENTE_IMAP_HOST}: {exc}"
            ) from exc
        self.stdout.write(
            f"{report.new} new e-mails stored, {report.duplicates} already stored, "
            f"{report.failed} failed; attachments: {report.attachments_kept} kept, "
            f"{report.attachments_refused} refused."
        )
        if report.failed:
            raise CommandError(f"{report.failed} messages could not be stored; they stay unread.")
