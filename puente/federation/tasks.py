"""Deliveries queued before the task moved into `delivery.py` are stored under this
module's path; the name stays importable so the worker still runs them after an upgrade."""

from puente.federation.delivery import deliver_to_partner

__all__ = ["deliver_to_partner"]
