"""The demo hotlines' service directory: the invented listings of `data/providers.json`,
entered through the directory's own rules, some deliberately stale so the demo shows the
"not verified since" flag.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from puente.audit.domain import field_changes, record_event
from puente.directory import domain
from puente.directory.models import Provider
from puente.sampledata.files import load


def seed_demo_directory(*, country: str, by=None) -> int:
    """Create the fictional directory (both countries: referrals cross the border) once;
    returns how many listings it added. `country` is the demo hotline's own country,
    whose listings come first in the demo's ordering of external IDs; `by` is the
    administrator the audit trail names (the system when None)."""
    if Provider.objects.filter(external_id__startswith="DEMO-").exists():
        return 0
    data = load("providers")
    listings = data["providers"]
    rows = (
        listings["MX"] + listings["US"]
        if country.upper() == "MX"
        else listings["US"] + listings["MX"]
    )
    today = timezone.localdate()
    added = 0
    with transaction.atomic():
        for n, listing in enumerate(rows, start=1):
            home = listing["subdivision"][:2]
            local = data["listing"][home]  # invented contact details, per country
            fields = dict(
                external_id=listing["external_id"],
                name=listing["name"],
                kind=listing["kind"],
                services=listing["services"],
                languages=listing["languages"],
                populations=listing["populations"],
                hours="" if listing["open_24_7"] else local["hours"],
                open_24_7=listing["open_24_7"],
                phone=local["phone"].format(n=local["phone_offset"] + n),
                email=local["email"].format(n=n),
                website=f"https://example.org/{listing['external_id'].lower()}",
                address=f"{100 + n * 7} {local['street']}",
                city=listing["city"],
                postal_code=listing["postal_code"],
                country=home,
                subdivision=listing["subdivision"],
                coverage=listing["coverage"],
                last_verified=today - timedelta(days=30 * listing["months_since_verified"]),
                active=True,
                notes=listing["notes"],
            )
            _create_as(by, fields)
            added += 1
    return added


def _create_as(by, fields: dict) -> Provider:
    if by is not None:
        return domain.create_provider(by=by, via="demo", **fields)
    # The demo seeder runs before any administrator exists: write through the same
    # cleaning and tag functions, audited as the system.
    values = domain.clean_provider(values={**domain.DEFAULTS, **fields})
    provider = Provider.objects.create(**values)
    domain.sync_tags(providers=[provider])
    record_event(
        action="create",
        actor_name="demo",
        obj=provider,
        object_ref=provider.name[:60],
        changes=field_changes({}, domain.provider_values(provider)),
        via="demo",
    )
    return provider
