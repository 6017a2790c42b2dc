"""(models for this part)"""

__all__: list[str] = []
