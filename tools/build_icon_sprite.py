"""Build puente/core/static/puente/icons.svg from an unpacked lucide-static package.

Puente ships only the icons it uses, in one sprite, under names a hotline advocate would
recognise ("case", "danger", "restricted") rather than the drawing's name. To add one:

    cd /tmp && npm pack lucide-static && tar xzf lucide-static-*.tgz
    python tools/build_icon_sprite.py /tmp/package

after adding it to ICONS below and to ICON_NAMES in puente/core/templatetags/puente_icons.py
(tests/core/test_icons.py checks the two agree). The licence goes next to the sprite.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

# Puente name -> Lucide icon name.
ICONS = {
    "home": "house",
    "phone": "phone",
    "text": "message-square",
    "chat": "messages-square",
    "email": "mail",
    "web": "globe",
    "contacts": "inbox",
    "new": "plus",
    "case": "folder-open",
    "cases": "folders",
    "task": "list-checks",
    "note": "sticky-note",
    "danger": "triangle-alert",
    "error": "octagon-alert",
    "restricted": "lock",
    "break-glass": "lock-open",
    "search": "search",
    "directory": "building-2",
    "protocols": "book-open",
    "screening": "clipboard-list",
    "referral": "send",
    "partner": "handshake",
    "retention": "archive",
    "audit": "scroll-text",
    "settings": "settings",
    "staff": "user-cog",
    "team": "users",
    "person": "user",
    "sign-out": "log-out",
    "language": "languages",
    "keyboard": "keyboard",
    "menu": "menu",
    "more": "chevron-down",
    "close": "x",
    "check": "check",
    "approve": "circle-check",
    "decline": "circle-x",
    "info": "info",
    "location": "map-pin",
    "clock": "clock",
    "edit": "pencil",
    "upload": "upload",
    "download": "download",
    "mfa": "shield-check",
    "key": "key-round",
    "back": "arrow-left",
    "external": "external-link",
    "insights": "chart-column",
    "share": "share-2",
    "network": "waypoints",
    "training": "graduation-cap",
}

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "puente" / "core" / "static" / "puente"


def main(package: Path) -> None:
    version = json.loads((package / "package.json").read_text())["version"]
    symbols = []
    for name, lucide in ICONS.items():
        source = (package / "icons" / f"{lucide}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", source, re.S)
        assert body, lucide
        shapes = " ".join(line.strip() for line in body.group(1).strip().splitlines())
        # Stroke attributes on the symbol, so an icon draws right without any CSS.
        symbols.append(
            f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
            f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
            f"<!-- {lucide} -->{shapes}</symbol>"
        )
    sprite = (
        f"<!-- Lucide icons (lucide-static {version}, ISC; see vendor/LICENSE-lucide.txt),"
        " only those Puente uses, renamed. Built by tools/build_icon_sprite.py. -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n"
    )
    (STATIC / "icons.svg").write_text(sprite)
    licence = STATIC / "vendor" / "LICENSE-lucide.txt"
    shutil.copy(package / "LICENSE", licence)
    with licence.open("a") as out:
        out.write(
            f"\n---\nVendored from the npm package lucide-static {version} (https://lucide.dev).\n"
        )
    print(f"{len(symbols)} icons from lucide-static {version} -> {STATIC / 'icons.svg'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
