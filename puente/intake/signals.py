"""What the intake app announces to the apps above it, so it need not know them.

`contact_changed` is sent once the transaction that recorded or changed a contact has
committed, with `contact_id`. The search index listens (`puente/search/apps.py`)."""

from django.dispatch import Signal

contact_changed = Signal()
