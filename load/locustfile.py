"""The load: station workers and district centres using SWS at once, through the real pages.

Run by load/run.py (which starts the production stack and passes these settings in the environment):

    SWS_LOAD_HOSTS      base URL(s) of the site, comma-separated: nginx on TLS (its self-signed
                        certificate is not verified); nginx spreads the requests over the app processes,
                        so a session made on one is used on the other (sessions are shared through Redis)
    SWS_LOAD_ACCOUNTS   JSON file: [{"username": ..., "kind": "station" | "district"}, ...], one per user
    SWS_LOAD_PASSWORD   the demo accounts' password
    SWS_LOAD_LOG        CSV file: one line per request (time, method, name, status, ok, ms, port)
    SWS_LOAD_ACKS       file: one line per acknowledged intake ("<pk> <reference>"), checked afterwards

A station worker logs in through the login form, then: takes a request in (GET the intake form, POST it
as a phone call: the 302 to the new case is the acknowledgement, recorded with its reference number),
triages the queue with the htmx quick actions (研判 / 指派 / 开始办理 on a row, as the queue's buttons do;
an assignment to a colleague texts them, as the run sets their preference), every intake with the
resident's consent to texts (the outbox has a message for each),
and opens the station dashboard. A district centre opens its district dashboard, the district's queue
and a station's dashboard. Think time 0.5–2 s between steps: busy users, not a flood.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlsplit

import urllib3
from locust import HttpUser, between, events, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

HOSTS = [h.rstrip("/") for h in os.environ.get("SWS_LOAD_HOSTS", "http://127.0.0.1:8000").split(",")]
PASSWORD = os.environ.get("SWS_LOAD_PASSWORD", "sws-demo-2026")
with open(os.environ["SWS_LOAD_ACCOUNTS"], encoding="utf-8") as accounts_file:
    ACCOUNTS = json.load(accounts_file)


def accounts(kind):
    return [a for a in ACCOUNTS if a["kind"] == kind]


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
REFERENCE = re.compile(r"受理编号：([0-9]{9}-[0-9]{4}-[0-9]+)")
CASE = re.compile(r"/residents/requests/(\d+)/$")
QUICK_ACTION = re.compile(
    r'<form method="post" action="(/residents/requests/(\d+)/(triage|assign|start)/)"(.*?)</form>', re.S
)


def _select_options(html, name):
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="(\d+)"', match.group(1)) if match else []


# --- Per-request log and acknowledgements (one locust process: a lock is enough) ---------------------
_lock = threading.Lock()
_log = open(os.environ.get("SWS_LOAD_LOG", os.devnull), "a", encoding="utf-8")  # noqa: SIM115
_acks = open(os.environ.get("SWS_LOAD_ACKS", os.devnull), "a", encoding="utf-8")  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    url = getattr(getattr(response, "request", None), "url", "") or ""
    port = urlsplit(url).port or 0
    ok = 0 if exception else 1
    with _lock:
        _log.write(f"{time.time():.3f},{request_type},{name},{status},{ok},{response_time:.1f},{port}\n")


@events.quitting.add_listener
def _close(**kwargs):
    with _lock:
        _log.flush()
        _acks.flush()


def acknowledge(pk, reference):
    with _lock:
        _acks.write(f"{pk} {reference or '-'}\n")
        _acks.flush()  # an acknowledgement must survive whatever happens next


class SWSUser(HttpUser):
    wait_time = between(0.5, 2)
    abstract = True

    def on_start(self):
        # One account per user: each class hands out its kind's accounts in turn.
        self.account = next(type(self).next_account)
        self.client.verify = False  # the run's self-signed certificate
        self.login()

    def url(self, path):
        return random.choice(HOSTS) + path

    def get(self, path, name, **kwargs):
        return self.client.get(self.url(path), name=name, **kwargs)

    def post(self, path, data, name, headers=None, **kwargs):
        # Over HTTPS Django's CSRF check wants the page the form came from (as a browser sends it).
        url = self.url(path)
        headers = {"Referer": url, **(headers or {})}
        return self.client.post(url, data=data, name=name, headers=headers, **kwargs)

    def csrf(self, html):
        match = CSRF.search(html)
        return match.group(1) if match else ""

    def login(self):
        page = self.get("/login/", "login (form)")
        data = {
            "username": self.account["username"],
            "password": PASSWORD,
            "csrfmiddlewaretoken": self.csrf(page.text),
        }
        with self.post("/login/", data, "login", allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"login refused: {response.status_code}")

    def ensure_login(self, response):
        """A lost session (e.g. the store unreachable) sends pages to the login form: log in again."""
        if response.status_code == 302 and "/login/" in response.headers.get("Location", ""):
            self.login()
            return False
        return True

    def home(self):
        """The start page: a redirect to the user's own dashboard; returns its path."""
        response = self.get("/", "home", allow_redirects=False)
        if not self.ensure_login(response) or response.status_code != 302:
            return None
        return response.headers["Location"]


class StationWorker(SWSUser):
    fixed_count = len(accounts("station"))  # exactly one locust user per account
    next_account = itertools.cycle(accounts("station"))

    @task(3)
    def intake(self):
        form = self.get("/residents/requests/new/", "intake (form)", allow_redirects=False)
        if not self.ensure_login(form) or form.status_code != 200:
            return
        html = form.text
        communities = _select_options(html, "community")
        categories = _select_options(html, "category")
        token = TOKEN.search(html)
        if not (communities and categories and token):
            return
        data = {
            "csrfmiddlewaretoken": self.csrf(html),
            "submission_token": token.group(1),
            "mode": "reporter",
            "reporter_name": "负载测试",
            "reporter_phone": f"138{random.randint(0, 99_999_999):08d}",
            "community": random.choice(communities),
            "channel": "phone",
            "category": random.choice(categories),
            "description": "楼道灯坏了，老人晚上出门不便，请尽快安排维修。",
            "sms_updates": "on",  # the reporter's mobile gets the reference: one outbox message each
            "severity": random.choice(["mild", "severe"]),
            "urgency": random.choice(["urgent", "not_urgent"]),
        }
        with self.post(
            "/residents/requests/new/", data, "intake (submit)", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            case = CASE.search(location)
            if response.status_code != 302 or not case:
                response.failure(f"intake not acknowledged: {response.status_code} {location}")
                return
            response.success()
        # Acknowledged: the request is saved. Its reference number is on the case page's message.
        acknowledge(case.group(1), None)
        page = self.get(location, "case page (after intake)")
        reference = REFERENCE.search(page.text) if page.status_code == 200 else None
        if reference:
            acknowledge(case.group(1), reference.group(1))

    @task(3)
    def triage(self):
        queue = self.get("/residents/requests/", "queue", allow_redirects=False)
        if not self.ensure_login(queue) or queue.status_code != 200:
            return
        actions = QUICK_ACTION.findall(queue.text)
        if not actions:
            return
        path, _pk, action, body = random.choice(actions)
        version = re.search(r'name="version" value="(\d+)"', body)
        data = {
            "csrfmiddlewaretoken": self.csrf(queue.text),
            "version": version.group(1) if version else "",
            "from": "queue",
            "next": "/residents/requests/",
        }
        if action == "triage":
            data |= {
                "severity": random.choice(["mild", "severe"]),
                "urgency": random.choice(["urgent", "not_urgent"]),
            }
        elif action == "assign":
            workers = re.findall(r'<option value="(\d+)"', body)
            if not workers:
                return
            data["assignee"] = random.choice(workers)
        # A refusal (someone else acted first: a stale version) comes back as the row with its message,
        # status 200, as the queue shows it; only a server error or a refused request fails here.
        self.post(path, data, f"quick action ({action})", headers={"HX-Request": "true"})

    @task(2)
    def dashboard(self):
        target = self.home()
        if target:
            self.get(target, "station dashboard")


class DistrictCentre(SWSUser):
    fixed_count = len(accounts("district"))
    next_account = itertools.cycle(accounts("district"))

    @task(3)
    def dashboard(self):
        target = self.home()
        if not target:
            return
        page = self.get(target, "district dashboard")
        stations = re.findall(r'href="(/dashboards/station/\d+/)[^"]*"', page.text)
        if stations:
            self.get(random.choice(stations), "station dashboard (drill-in)")

    @task(1)
    def queue(self):
        self.get("/residents/requests/?overdue=on", "queue (district: overdue)")
