"""Registrations for the training app's quality part (called from TrainingConfig.ready())."""


def register() -> None:
    pass
