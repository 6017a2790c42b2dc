"""The networks app's linkage models."""
