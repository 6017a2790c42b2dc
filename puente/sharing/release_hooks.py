"""Registrations for the sharing app's release part (called from SharingConfig.ready())."""


def register() -> None:
    pass
