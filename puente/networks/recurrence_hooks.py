"""Registrations for the networks app's recurrence part (called from NetworksConfig.ready())."""


def register() -> None:
    pass
