"""Registrations for the sharing app's trend part (called from SharingConfig.ready())."""


def register() -> None:
    pass
