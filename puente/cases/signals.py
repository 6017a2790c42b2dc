"""What the cases app announces to the apps above it, so it need not know them.

`case_changed` is sent once the transaction that changed what a case says (its fields,
people, identifiers, locations, notes, tasks) has committed, with `case_id`. The search
index listens (`puente/search/apps.py`)."""

from django.dispatch import Signal

case_changed = Signal()
