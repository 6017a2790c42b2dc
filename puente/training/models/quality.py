"""The training app's quality models."""
