"""{% icon "name" %}: one icon from Puente's sprite (puente/core/static/puente/icons.svg).

Usage: {% load puente_icons %} … {% icon "case" %} → <svg class="icon" aria-hidden="true">…
An optional second argument adds classes: {% icon "danger" "icon-lg" %}.
Icons are decoration next to a word; they are hidden from screen readers, so never use
one alone where the word is the only way to tell what a control does.

Names (Lucide drawing in brackets; tools/build_icon_sprite.py builds the sprite):
  home (house), phone, text (message-square), chat (messages-square), email (mail),
  web (globe), contacts (inbox), new (plus), case (folder-open), cases (folders),
  task (list-checks), note (sticky-note), danger (triangle-alert), error (octagon-alert),
  restricted (lock), break-glass (lock-open), search, directory (building-2),
  protocols (book-open), screening (clipboard-list), referral (send), partner (handshake),
  retention (archive), audit (scroll-text), settings, staff (user-cog), team (users),
  person (user), sign-out (log-out), language (languages), keyboard, menu,
  more (chevron-down), close (x), check, approve (circle-check), decline (circle-x), info,
  location (map-pin), clock, edit (pencil), upload, download, mfa (shield-check),
  key (key-round), back (arrow-left), external (external-link), insights (chart-column), share (share-2),
  network (waypoints), training (graduation-cap).
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

ICON_NAMES = frozenset(
    {
        "home", "phone", "text", "chat", "email", "web", "contacts", "new", "case", "cases",
        "task", "note", "danger", "error", "restricted", "break-glass", "search", "directory",
        "protocols", "screening", "referral", "partner", "retention", "audit", "settings",
        "staff", "team", "person", "sign-out", "language", "keyboard", "menu", "more",
        "close", "check", "approve", "decline", "info", "location", "clock", "edit", "upload",
        "download", "mfa", "key", "back", "external", "insights", "share", "network",
        "training",
    }
)  # fmt: skip


def render_icon(name: str, extra_class: str = "") -> str:
    """The markup for one icon; an unknown name renders nothing (never a broken image)."""
    if name not in ICON_NAMES:
        return ""
    classes = f"icon {extra_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static("puente/icons.svg"),
        name,
    )


class IconNode(template.Node):
    def __init__(
        self, name: template.base.FilterExpression, extra: template.base.FilterExpression | None
    ):
        self.name = name
        self.extra = extra

    def render(self, context: template.Context) -> str:
        extra = str(self.extra.resolve(context)) if self.extra is not None else ""
        return render_icon(str(self.name.resolve(context)), extra)


@register.tag("icon")
def do_icon(parser: template.base.Parser, token: template.base.Token) -> IconNode:
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError('Usage: {% icon "name" ["extra classes"] %}')
    literal = bits[1]
    # A misspelt literal name fails when the template is compiled (any test that renders
    # the page catches it) rather than leaving a gap on a live page.
    if literal[:1] in "\"'" and literal[-1:] == literal[:1] and literal[1:-1] not in ICON_NAMES:
        raise template.TemplateSyntaxError(
            f"Unknown icon {literal}; see puente_icons.py for the names."
        )
    return IconNode(
        parser.compile_filter(bits[1]), parser.compile_filter(bits[2]) if len(bits) == 3 else None
    )
