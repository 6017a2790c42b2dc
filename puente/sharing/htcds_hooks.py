"""Registrations for the sharing app's htcds part (called from SharingConfig.ready())."""


def register() -> None:
    pass
