"""Reporters sharing concerns against a running public deployment over HTTP, as people do
during an outage: a page that fails is tried again; a send that says "not sent" is sent again.
Used by the high-availability tests and the failover benchmark."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import requests

from .journeys import PUBLIC_ANSWERS

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SHOWN = re.compile(r"govuk-panel__body.*?<strong>([^<]+)</strong>", re.S)
CHECK = "/share-a-concern/check-your-answers/"


@dataclass
class Outcome:
    marker: str
    reference: str | None = None
    not_sent_pages: int = 0  # "not sent, your answers are kept", each followed by a new try
    failed_pages: int = 0  # any page that had to be tried again
    sent_at: float | None = None


@dataclass
class Reporter:
    """One person's browser: its own cookies, one request at a time."""

    base: str
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self):
        self.session = requests.Session()

    def _page(self, outcome: Outcome, method: str, path: str, data=None, deadline=0.0):
        while True:
            try:
                response = self.session.request(
                    method, self.base + path, data=data, allow_redirects=False, timeout=40
                )
                if response.status_code < 500:
                    return response
            except requests.RequestException:
                pass
            outcome.failed_pages += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {path} kept failing")
            time.sleep(0.5)

    def share(self, number: int, *, within: float = 120) -> Outcome:
        """Answer every question and press Send until a reference is shown."""
        outcome = self.prepare(number, within=within)
        self.press(outcome, within=within)
        return outcome

    def prepare(self, number: int, *, within: float = 120) -> Outcome:
        """Answer every question, up to check your answers."""
        marker = f"HA-{self.name}-{number}"
        outcome = Outcome(marker)
        self.outcomes.append(outcome)
        deadline = time.monotonic() + within
        answers = {
            **PUBLIC_ANSWERS,
            "concern": {**PUBLIC_ANSWERS["concern"], "concern": f"{marker} is worried about"},
        }
        self._page(outcome, "GET", "/share-a-concern/before-you-start/", deadline=deadline)
        for slug, data in answers.items():
            path = f"/share-a-concern/{slug}/"
            while True:
                page = self._page(outcome, "GET", path, deadline=deadline)
                assert page.status_code == 200, (self.name, path, page.status_code)
                token = TOKEN.search(page.text).group(1)
                answered = self._page(
                    outcome, "POST", path, {**data, "csrfmiddlewaretoken": token}, deadline
                )
                if answered.status_code == 302:
                    break
                assert time.monotonic() < deadline, (self.name, path, answered.status_code)
        return outcome

    def press(self, outcome: Outcome, *, within: float = 120) -> None:
        """Press Send, and again after "not sent", until a reference is shown."""
        deadline = time.monotonic() + within
        while outcome.reference is None:
            page = self._page(outcome, "GET", CHECK, deadline=deadline)
            if page.status_code == 302 and page.headers["Location"].endswith("/sent/"):
                pressed = page  # sent already, by a press whose answer was lost
            else:
                token = TOKEN.search(page.text).group(1)
                try:
                    pressed = self.session.post(
                        self.base + CHECK,
                        data={"csrfmiddlewaretoken": token},
                        allow_redirects=False,
                        timeout=40,
                    )
                except requests.RequestException:
                    outcome.failed_pages += 1  # no answer: pressed again below
                    continue
            if pressed.status_code == 302:
                shown = self._page(outcome, "GET", pressed.headers["Location"], deadline=deadline)
                found = SHOWN.search(shown.text)
                if shown.status_code == 200 and found:
                    outcome.reference = found.group(1)
                    outcome.sent_at = time.monotonic()
                    break
            else:
                assert pressed.status_code == 503, (self.name, pressed.status_code)
                assert "been sent" in pressed.text  # "not been sent", answers kept
                outcome.not_sent_pages += 1
            assert time.monotonic() < deadline, f"{self.name}: never sent"
            time.sleep(0.5)
        self.session.get(self.base + "/share-a-concern/before-you-start/", timeout=40)


class Load:
    """Several reporters sharing concerns, one after another, until stopped."""

    def __init__(self, base: str, reporters: int = 4, prefix: str = "r"):
        self.reporters = [Reporter(base, f"{prefix}{n}") for n in range(reporters)]
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._run, args=(reporter,), daemon=True)
            for reporter in self.reporters
        ]

    def _run(self, reporter: Reporter) -> None:
        number = 0
        try:
            while not self.stopping.is_set():
                reporter.share(number)
                number += 1
        except BaseException as error:  # reported by stop(), not lost in a thread
            self.errors.append(error)

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> list[Outcome]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=180)
        assert not self.errors, self.errors
        return self.outcomes()

    def outcomes(self) -> list[Outcome]:
        return [outcome for r in self.reporters for outcome in list(r.outcomes)]

    def sent(self) -> int:
        return sum(1 for outcome in self.outcomes() if outcome.reference)

    def wait_for_sends(self, count: int, within: float) -> float:
        """Seconds until `count` more sends were shown a reference."""
        target = self.sent() + count
        started = time.monotonic()
        while self.sent() < target:
            assert not self.errors, self.errors
            assert time.monotonic() - started < within, f"fewer than {count} sends in {within} s"
            time.sleep(0.1)
        return time.monotonic() - started
