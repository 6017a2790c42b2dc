"""Registrations for the networks app's linkage part (called from NetworksConfig.ready())."""


def register() -> None:
    pass
