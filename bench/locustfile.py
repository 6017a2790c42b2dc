"""Simulated advocates for the load test (run by bench/run.py through locust, headless).

Each simulated advocate has a signed-in, MFA-verified session and works like a person on
a call: a few seconds between actions, mostly phone lookups, then searches, case pages,
the home queue and, less often, saving an intake."""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

INPUTS = json.loads(open(os.environ["PUENTE_BENCH_INPUTS"]).read())  # noqa: SIM115
SESSIONS = itertools.cycle(INPUTS["sessions"])
SEARCHES = [INPUTS["case_reference"], INPUTS["person_name"], "shelter", "trabajo", "caller asked"]


class Advocate(HttpUser):
    wait_time = between(1, 5)  # an advocate reads, listens and types between actions

    def on_start(self):
        csrf = INPUTS["csrf"]
        self.client.headers.update(
            {"Cookie": f"sessionid={next(SESSIONS)}; csrftoken={csrf}", "X-CSRFToken": csrf}
        )

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def phone_lookup(self):
        phone = random.choice([INPUTS["phone_national"], INPUTS["phone_without_history"]])
        self.client.get("/intake/new/phone-lookup/", params={"phone": phone}, name="phone lookup")

    @task(2)
    def search(self):
        self.client.get("/search/", params={"q": random.choice(SEARCHES)}, name="search")

    @task(2)
    def case_page(self):
        self.client.get(f"/cases/{INPUTS['case_reference']}/", name="case page")

    @task(1)
    def save_intake(self):
        with self.client.post(
            "/intake/new/",
            data={
                "channel": "phone",
                "reason": "general_info",
                "language": "eng",
                "phone": f"(713) 555-{random.randint(0, 9999):04d}",
                "country": "US",
                "summary": "Load test: caller asked about the signs of labour trafficking.",
            },
            allow_redirects=False,
            name="save intake",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"intake not saved: {response.status_code}")
