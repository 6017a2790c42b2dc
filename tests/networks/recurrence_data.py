"""A small known network for the recurrence and graph tests.

Four cases hold the exploiter's number +1 713 555 0142: "Warehouse" (on its exploiter),
"Nail salon" (on the case, no person), "Restricted farm" (restricted: its owner and the
supervisor who restricted it may open it) and "Caller's case" (only through a contact
from that number). "Massage parlor" and "Nail salon" share a business address; "Unrelated"
shares nothing. Every case is opened by `owner`.
"""

from __future__ import annotations

from dataclasses import dataclass

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.cases.models import Case, Person
from tests.factories import make_case, make_contact, make_user

PHONE = "+17135550142"
PHONE_TYPED = "(713) 555-0142"
ADDRESS = "1200 main st, houston"  # written as the cases app keeps it (case folded)


@dataclass
class World:
    owner: User
    restrictor: User  # the supervisor who restricted the farm case, named on it
    warehouse: Case
    salon: Case
    farm: Case
    caller: Case
    parlor: Case
    unrelated: Case
    exploiter: Person
    salon_business: Person
    parlor_business: Person


def recurring_world() -> World:
    owner = make_user(Role.ADVOCATE)
    restrictor = make_user(Role.SUPERVISOR)
    warehouse = make_case(created_by=owner, title="Warehouse")
    exploiter = cases.add_person(
        case=warehouse,
        by=owner,
        role="exploiter",
        first_name="Rafael",
        alias="El Jefe",
        identifiers=[("phone", PHONE_TYPED)],
    )
    salon = make_case(created_by=owner, title="Nail salon")
    cases.add_identifier(case=salon, by=owner, kind="phone", value=PHONE)
    salon_business = cases.add_person(
        case=salon,
        by=owner,
        role="exploiter",
        is_business=True,
        alias="Glam Nails",
        identifiers=[("address", ADDRESS)],
    )
    farm = make_case(created_by=owner, title="Restricted farm")
    cases.add_identifier(case=farm, by=owner, kind="phone", value="713-555-0142")
    cases.restrict_case(case=farm, by=restrictor)
    caller = make_case(created_by=owner, title="Caller's case")
    make_contact(taken_by=owner, case=caller, phone=PHONE, phone_raw=PHONE_TYPED)
    make_contact(taken_by=owner, case=caller, phone=PHONE, phone_raw=PHONE_TYPED)
    make_contact(taken_by=owner, case=None, phone=PHONE)  # not filed: no case to count
    parlor = make_case(created_by=owner, title="Massage parlor")
    parlor_business = cases.add_person(
        case=parlor,
        by=owner,
        role="exploiter",
        is_business=True,
        alias="Relax Spa",
        identifiers=[("address", "  1200 Main St,   Houston ")],
    )
    unrelated = make_case(created_by=owner, title="Unrelated")
    cases.add_identifier(case=unrelated, by=owner, kind="phone", value="+17135550199")
    return World(
        owner=owner,
        restrictor=restrictor,
        warehouse=warehouse,
        salon=salon,
        farm=farm,
        caller=caller,
        parlor=parlor,
        unrelated=unrelated,
        exploiter=exploiter,
        salon_business=salon_business,
        parlor_business=parlor_business,
    )
