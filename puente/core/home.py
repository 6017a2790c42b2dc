"""The home page is each person's own work, gathered from the apps that hold it.

`core` knows none of those apps: each one adds its part of the page from its
`AppConfig.ready()` with `add_home_section`, naming a template and the function that
reads what it shows for this person (or None when there is nothing for them). Sections
are shown in `order`, lowest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal


@dataclass(frozen=True)
class HomeSection:
    name: str
    order: int
    template: str
    load: Callable[..., Any | None]  # load(user=…) -> what the template shows, or None


_sections: dict[str, HomeSection] = {}

# Sent with `request`, `user` and `sections` (the names shown) each time someone's home
# page is shown: it lists case data, so the audit app records it as a read.
home_shown = Signal()


def add_home_section(
    *, name: str, order: int, template: str, load: Callable[..., Any | None]
) -> None:
    taken = _sections.get(name)
    if taken is not None and taken.template != template:
        # Two apps under one name: the later would silently hide the earlier's section.
        raise ImproperlyConfigured(f"home section {name!r} is already {taken.template}")
    _sections[name] = HomeSection(name=name, order=order, template=template, load=load)


def home_sections(*, user: Any) -> list[tuple[HomeSection, Any]]:
    """(section, what it shows) for `user`, in page order, leaving out empty sections."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        data = section.load(user=user)
        if data is not None:
            shown.append((section, data))
    return shown
