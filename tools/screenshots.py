"""`./run screenshots`: pictures of Puente's main pages and what each page weighs.

For the U.S. hotline in English and the Mexican one in Spanish, this builds a fresh demo
(`puente demo --no-serve`, in a temporary folder: your own var/ is left alone), serves it on
a free port (`puente demo`, the same server and static files as the demo), signs in with
Debian's Chromium (the flags of tests/e2e/conftest.py) and saves, for each page in PAGES,
a screenshot at desktop size (1366×900) and phone size (390×844) into docs/screenshots/.
It then writes docs/screenshots/page-weights.md: the bytes each page transferred — HTML,
CSS, JavaScript, icons, and the htmx requests a page makes on its own — read from the
browser's network events with its cache off (a first visit).

    ./run screenshots                  # both hotlines, every page
    ./run screenshots --only home case # some pages
    ./run screenshots --country US     # one hotline

tests/core/test_screenshot_pages.py checks that every page listed here exists, for its
role, without running a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PUENTE = ROOT / ".venv" / "bin" / "puente"
CHROMIUM = os.environ.get("PUENTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [  # as tests/e2e/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class Deployment:
    country: str
    language: str
    locale: str
    near: str  # a place typed into the directory search
    caller_typed: str  # how an advocate types the demo's known caller


DEPLOYMENTS = {
    "US": Deployment("US", "en", "en-US", "Houston, TX", "(713) 555-0142"),
    "MX": Deployment("MX", "es", "es-MX", "Tapachula", ""),  # typed from the demo's facts
}


@dataclass(frozen=True)
class Shot:
    name: str
    role: str  # demo login (its username is the role)
    path: str  # may name {home} (the staff workspace), {case} and {near}
    title: str  # for page-weights.md
    phone_lookup: bool = False  # type the known caller's number and wait for the lookup


PAGES = [
    Shot("home", "advocate", "{home}", "Home (advocate)"),
    Shot("new-contact", "advocate", "/intake/new/", "New contact, known caller", phone_lookup=True),
    Shot("case", "supervisor", "/cases/{case}/", "Case page"),
    Shot("screening", "advocate", "/screening/case/{case}/", "Screening"),
    Shot("directory", "advocate", "/directory/?near={near}", "Directory search"),
    Shot("team", "supervisor", "/cases/team/", "Team view (supervisor)"),
    Shot("staff", "administrator", "/staff/", "Staff administration"),
    Shot("audit", "supervisor", "/audit/", "Audit trail"),
]

# Run inside the demo's environment: the password, the known caller and a case worth
# showing (open, not restricted, with the most people and contacts).
FACTS = """
import json
from django.db.models import Count
from django.urls import reverse
from puente.cases.models import Case
from puente.sampledata import demo
case = (
    Case.objects.filter(restricted=False).exclude(status="closed")
    .annotate(people=Count("persons", distinct=True), calls=Count("contacts", distinct=True))
    .order_by("-people", "-calls", "reference").first()
)
print(json.dumps({
    "password": demo.DEMO_PASSWORD,
    "caller": demo.summary().known_caller,
    "case": case.reference if case else "",
    "home": reverse("core:home"),
}))
"""


def page_path(shot: Shot, *, case: str, near: str, home: str) -> str:
    return shot.path.format(case=case, near=quote_plus(near), home=home)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(data_dir: Path, country: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE_", "DATABASE_URL"))}
    env.pop("SECRET_KEY_FILE", None)
    env.update(PUENTE_DATA_DIR=str(data_dir), PUENTE_COUNTRY=country, PUENTE_DEMO="true")
    return env


def build_demo(data_dir: Path, country: str) -> dict:
    """A fresh demo database for `country` in `data_dir`; returns FACTS."""
    env = demo_env(data_dir, country)
    subprocess.run(
        [str(PUENTE), "demo", "--no-serve", "--country", country],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The same environment `puente demo` chose, for a one-off query.
    env.update(
        DATABASE_URL=f"sqlite:///{data_dir / f'demo-{country.lower()}.sqlite3'}",
        SECRET_KEY_FILE=str(data_dir / "demo-secret-key"),
        PUENTE_AUDIT_KEY_FILE=str(data_dir / "demo-audit-key"),
    )
    out = subprocess.run(
        [str(PUENTE), "shell", "-c", FACTS], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def serve(data_dir: Path, country: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(PUENTE), "demo", "--country", country, "--port", str(port)],
        env=demo_env(data_dir, country),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers are stopped with it
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(
                    f"The demo server for {country} stopped before answering."
                ) from None
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"The demo server for {country} did not answer within a minute.")


def stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def kind_of(request) -> str:
    url = request.url.split("?")[0]
    if url.endswith(".svg"):
        return "icons"
    return {
        "document": "html",
        "stylesheet": "css",
        "script": "js",
        "fetch": "htmx",
        "xhr": "htmx",
    }.get(request.resource_type, "other")


def shoot(browser, deployment: Deployment, base: str, facts: dict, shots: list[Shot]) -> dict:
    """Screenshots of `shots` at both sizes; returns {page name: {kind: bytes}} (desktop)."""
    weights: dict[str, dict[str, int]] = {}
    caller = deployment.caller_typed or facts["caller"]
    for size, viewport in VIEWPORTS.items():
        for role in dict.fromkeys(shot.role for shot in shots):
            context = browser.new_context(viewport=viewport, locale=deployment.locale)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", role)
            page.fill("input[name=password]", facts["password"])
            page.click("main button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit
            for shot in (s for s in shots if s.role == role):
                sizes: dict[str, int] = {}

                def count(request, sizes=sizes):
                    measured = request.sizes()
                    transferred = measured["responseBodySize"] + measured["responseHeadersSize"]
                    kind = kind_of(request)
                    sizes[kind] = sizes.get(kind, 0) + max(transferred, 0)

                page.on("requestfinished", count)
                path = page_path(shot, case=facts["case"], near=deployment.near, home=facts["home"])
                page.goto(base + path, wait_until="networkidle")
                if shot.phone_lookup:
                    page.locator("#id_phone").press_sequentially(caller)
                    page.locator("#id_phone").press("Tab")
                    page.wait_for_selector("#lookup-panel.has-history")
                    page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)  # let fonts and icons settle before the picture
                page.screenshot(path=str(OUT / f"{deployment.language}-{size}-{shot.name}.png"))
                page.remove_listener("requestfinished", count)
                if size == "desktop":
                    weights[shot.name] = sizes
                print(f"  {deployment.language} {size:7} {shot.name:12} {path}")
            context.close()
    return weights


def write_weights(results: dict[str, dict[str, dict[str, int]]], shots: list[Shot]) -> None:
    kinds = ["html", "css", "js", "icons", "htmx", "other"]
    lines = [
        "# Page weights",
        "",
        "Bytes transferred for a first visit (browser cache off) to each main page, signed in, at",
        "desktop size, read from Chromium's network events (response headers + body as sent).",
        "Written by `./run screenshots` against the demo server (`puente demo`), which does not",
        "compress responses; behind a reverse proxy that gzips, text weighs about a quarter.",
        "*htmx* is what a page asks for on its own after loading (the phone lookup, the",
        "protocol panel, the draft's autosave).",
        "",
    ]
    titles = {shot.name: shot.title for shot in shots}
    for language, pages in results.items():
        lines += [
            f"## {'English (U.S. hotline)' if language == 'en' else 'Spanish (Mexican hotline)'}",
            "",
            "| page | HTML | CSS | JS | icons | htmx | other | total |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, sizes in pages.items():
            cells = [f"{sizes.get(kind, 0) / 1024:.1f} KB" for kind in kinds]
            total = sum(sizes.values()) / 1024
            lines.append(f"| {titles[name]} | " + " | ".join(cells) + f" | **{total:.1f} KB** |")
        lines.append("")
    (OUT / "page-weights.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="page names: " + ", ".join(s.name for s in PAGES))
    parser.add_argument("--country", choices=sorted(DEPLOYMENTS), action="append")
    args = parser.parse_args(argv)
    shots = [s for s in PAGES if not args.only or s.name in args.only]
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt install chromium).")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, dict[str, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="puente-screenshots-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for country in args.country or ["US", "MX"]:
            deployment = DEPLOYMENTS[country]
            data_dir = Path(tmp) / country
            print(f"{country}: building a fresh demo in {data_dir} …")
            facts = build_demo(data_dir, country)
            port = free_port()
            server = serve(data_dir, country, port)
            try:
                results[deployment.language] = shoot(
                    browser, deployment, f"http://127.0.0.1:{port}", facts, shots
                )
            finally:
                stop(server)
        browser.close()
    write_weights(results, shots)
    print(f"Screenshots and page-weights.md in {OUT}")


if __name__ == "__main__":
    sys.exit(main())
