"""What the intake app announces to the apps above it, so it need not know them.

`contact_changed` is sent once the transaction that recorded or changed a contact has
committed, with `contact_id`. The search index listens (`puente/search/apps.py`).

`contact_filed` is sent inside the transaction that filed a contact in a case (or opened
one from it), with `contact_id`, `case_id`, `by` and `request`, so what hangs on the
contact can follow it in that same transaction. Screening listens
(`puente/screening/apps.py`): a screened contact brings its screenings to the case."""

from django.dispatch import Signal

contact_changed = Signal()
contact_filed = Signal()
