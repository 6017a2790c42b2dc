"""The networks app's psi models."""
