"""Deadline day's mix for bench/load.py (which writes the plan this reads from LOAD_PLAN).

Applicants (weight 5) fill the form step by step, upload a document and submit; intake
officers (1) page, filter and search the queue and open applications; visitors (4) read the
catalogue and the public statistics. Every user waits 1-3 s between pages, as people do.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random

from locust import HttpUser, SequentialTaskSet, between, task
from pypdf import PdfWriter

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
APPLICANT_ACCOUNTS = itertools.cycle(PLAN["applicants"])
OFFICER_ACCOUNTS = itertools.cycle(PLAN["officers"])


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = one_page_pdf()


class Browsing(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def log_in(self, account: dict) -> None:
        # The jar also holds the cookie the server last set: drop it, or the next journey
        # would go on as the previous account.
        self.client.cookies.clear()
        self.client.cookies.set(PLAN["session_cookie"], account["session"])

    def post(self, url: str, data: dict, *, name: str, expect: str, files=None) -> str:
        """A form post that must answer with a redirect to `expect`; its Location."""
        # Django's CSRF cookie comes with the first page that has a form.
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            url,
            data=data,
            files=files,
            headers={"X-CSRFToken": token, "Referer": self.host + url},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code in (302, 303) and expect in location:
                response.success()
            else:
                response.failure(f"{response.status_code}, Location {location!r}")
            return location


class ApplicantJourney(SequentialTaskSet):
    def on_start(self):
        self.account = next(APPLICANT_ACCOUNTS)
        self.user.log_in(self.account)
        self.offering = random.choice(PLAN["offerings"])
        self.base = ""

    @task
    def read_the_offering(self):
        self.client.get(f"/yrkescenter/utbildningar/{self.offering}/", name="catalogue: offering")

    @task
    def start(self):
        self.client.get(f"/ansokan/starta/{self.offering}/", name="apply: start page")
        location = self.user.post(
            f"/ansokan/starta/{self.offering}/", {}, name="apply: start", expect="/steg/identity/"
        )
        self.base = location.split("/steg/")[0]

    def step(self, step: str, data: dict):
        if not self.base:
            self.interrupt()
        url = f"{self.base}/steg/{step}/"
        self.client.get(url, name=f"apply: {step}")
        self.user.post(url, data, name=f"apply: save {step}", expect="/steg/")

    @task
    def identity(self):
        self.step(
            "identity",
            {
                "first_name": "Last",
                "last_name": "Dagen",
                "personnummer": self.account["personnummer"],
            },
        )

    @task
    def contact(self):
        self.step(
            "contact",
            {
                "email": "sokande@example.test",
                "phone": "070-1234567",
                "street_address": "Storgatan 1",
                "postal_code": "652 24",
                "city": "Karlstad",
                "home_municipality": PLAN["municipality"],
            },
        )

    @task
    def background(self):
        self.step(
            "background",
            {
                "prior_education": PLAN["prior_education"],
                "situation": PLAN["situation"],
                "recruitment_channel": PLAN["recruitment_channel"],
            },
        )

    @task
    def upload(self):
        url = f"{self.base}/steg/documents/"
        self.client.get(url, name="apply: documents")
        self.user.post(
            url,
            {"action": "upload", "kind": "grades"},
            files={"file": ("betyg.pdf", PDF, "application/pdf")},
            name="apply: upload",
            expect="/steg/documents/",
        )

    @task
    def submit(self):
        url = f"{self.base}/steg/review/"
        self.client.get(url, name="apply: review")
        self.user.post(url, {"consent": "on"}, name="apply: submit", expect="/kvitto/")
        self.client.get(f"{self.base}/kvitto/", name="apply: receipt")

    @task
    def follow_up(self):
        self.client.get(f"{self.base}/", name="apply: status page")
        self.client.get("/ansokan/", name="apply: my applications")
        self.interrupt()


class Applicant(Browsing):
    weight = 5
    tasks = [ApplicantJourney]


class IntakeOfficer(Browsing):
    weight = 1

    def on_start(self):
        self.log_in(next(OFFICER_ACCOUNTS))

    @task(3)
    def page_the_queue(self):
        self.client.get(f"/intag/?page={random.randint(1, 200)}", name="queue: page")

    @task(2)
    def filter_the_queue(self):
        self.client.get(
            "/intag/?status=submitted&missing_documents=on&sort=-submitted",
            name="queue: filtered",
        )

    @task(1)
    def search(self):
        self.client.get("/intag/", name="queue: page")
        location = self.post("/intag/", {"q": "Nilsson"}, name="queue: search", expect="search=")
        if location:
            self.client.get(location, name="queue: search results")

    @task(3)
    def open_an_application(self):
        pk = random.choice(PLAN["applications"])
        self.client.get(f"/intag/ansokningar/{pk}/", name="queue: application")


class Visitor(Browsing):
    weight = 4

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def catalogue(self):
        self.client.get("/yrkescenter/utbildningar/", name="catalogue: offerings")
        offering = random.choice(PLAN["offerings"])
        self.client.get(f"/yrkescenter/utbildningar/{offering}/", name="catalogue: offering")

    @task(1)
    def centres(self):
        self.client.get("/yrkescenter/", name="catalogue: centres")

    @task(2)
    def statistics(self):
        self.client.get("/statistik/", name="public statistics")
