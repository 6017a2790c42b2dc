"""The networks app's recurrence models."""
