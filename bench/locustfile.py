"""Simulated advocates for the load test (bench/run.py runs locust headless with it).

Each simulated advocate has its own signed-in, MFA-verified session and works like a
person on a call: one to five seconds between actions, mostly phone lookups, then
searches, case pages, the home queue and, less often, saving an intake. Beside them one
analyst reads the dashboards (issue 14: the advocates' figures must hold while an analyst
refreshes them), each dashboard for the last twelve months and for all years, changing
filter every ten to twenty seconds. The inputs (sessions, numbers, search terms) come from
bench/prepare.py through the JSON file named by PUENTE_BENCH_INPUTS.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

INPUTS = json.loads(Path(os.environ["PUENTE_BENCH_INPUTS"]).read_text())
SESSIONS = itertools.cycle(INPUTS["sessions"])
NUMBERS = [INPUTS["phone_national"], INPUTS["phone_without_history"]]
SEARCHES = [
    INPUTS["case_reference"],
    INPUTS["phone_national"],
    INPUTS["person_name"],
    INPUTS["word_en"],
    INPUTS["word_es"],
    INPUTS["phrase_en"],
    INPUTS["phrase_es"],
]
SAVED = itertools.count()
DASHBOARDS = ["", "cases/", "places/", "people/", "referrals/"]
PERIODS = [{}, {"all_years": "on"}]


def _signed_in(client, session: str) -> None:
    # The cookies are Secure and the bench speaks plain HTTP, so no cookie jar would
    # send them: the header is set by hand, like bench/run.py's client.
    csrf = INPUTS["csrf"]
    client.headers.update({"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf})


class Advocate(HttpUser):
    wait_time = between(1, 5)  # an advocate listens, reads and types between actions

    def on_start(self) -> None:
        _signed_in(self.client, next(SESSIONS))

    @task(2)
    def home(self) -> None:
        self.client.get("/workspace/", name="home queue")

    @task(4)
    def phone_lookup(self) -> None:
        self.client.get(
            "/intake/new/phone-lookup/",
            params={"phone": random.choice(NUMBERS)},
            name="phone lookup",
        )

    @task(2)
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(SEARCHES)}, name="search")

    @task(2)
    def case_page(self) -> None:
        self.client.get(f"/cases/{INPUTS['case_reference']}/", name="case page")

    @task(1)
    def save_intake(self) -> None:
        form = {
            **INPUTS["intake_form"],
            "phone": f"{INPUTS['intake_phone_prefix']}{next(SAVED) % 10000:04d}",
        }
        with self.client.post(
            "/intake/new/",
            data=form,
            allow_redirects=False,
            name="save intake",
            catch_response=True,
        ) as response:
            # A form shown again with errors is a 200: only the redirect means saved.
            if response.status_code != 302:
                response.failure(f"intake not saved: HTTP {response.status_code}")


class Analyst(HttpUser):
    fixed_count = 1  # one analyst beside however many advocates
    wait_time = between(10, 20)

    def on_start(self) -> None:
        _signed_in(self.client, INPUTS["analyst_session"])
        self.views = itertools.cycle(
            [(dashboard, period) for period in PERIODS for dashboard in DASHBOARDS]
        )

    @task
    def dashboard(self) -> None:
        dashboard, period = next(self.views)
        self.client.get(f"/insights/dashboards/{dashboard}", params=period, name="dashboard")
