"""The data files under `data/`: JSON, UTF-8, each an object whose "about" says what it
holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def load(name: str) -> Any:
    """The contents of `data/<name>.json`, parsed afresh: a caller may change what it gets
    without changing what the next caller reads."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
