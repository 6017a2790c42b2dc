"""Form helpers shared by every app's views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_domain_errors(form, exc: ValidationError) -> None:
    """Show a rule broken in a domain function on the form: beside its field when the
    form has that field, above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
