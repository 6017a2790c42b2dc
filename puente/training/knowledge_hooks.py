"""Registrations for the training app's knowledge part (called from TrainingConfig.ready())."""


def register() -> None:
    pass
