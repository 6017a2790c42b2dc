"""Simulated advocates for the load test (bench/run.py runs locust headless with it).

Each simulated advocate has its own signed-in, MFA-verified session and works like a
person on a call: one to five seconds between actions, mostly phone lookups, then
searches, case pages, the home queue and, less often, saving an intake. The inputs
(sessions, numbers, search terms) come from bench/prepare.py through the JSON file named
by PUENTE_BENCH_INPUTS.
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


class Advocate(HttpUser):
    wait_time = between(1, 5)  # an advocate listens, reads and types between actions

    def on_start(self) -> None:
        # The cookies are Secure and the bench speaks plain HTTP, so no cookie jar would
        # send them: the header is set by hand, like bench/run.py's client.
        csrf = INPUTS["csrf"]
        self.client.headers.update(
            {
                "Cookie": f"sessionid={next(SESSIONS)}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
            }
        )

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
