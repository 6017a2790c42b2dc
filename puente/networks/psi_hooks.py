"""Registrations for the networks app's psi part (called from NetworksConfig.ready())."""


def register() -> None:
    pass
