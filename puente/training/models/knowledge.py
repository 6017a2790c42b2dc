"""The training app's knowledge models."""
