"""The simulated users of the load test: anonymous searchers, researchers
and documenters saving consent. Each is one asyncio task with its own
connection pool and its own cookies.

The server runs the production settings behind an imagined TLS proxy: every
request says X-Forwarded-Proto: https, and the cookies (Secure, which an
HTTP client's jar keeps away from a plain-http address) are kept here.
"""

import asyncio
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import httpx

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONSENT_LINK = re.compile(r'href="/testimonies/([A-Za-z0-9_-]+)/consent/"')
HISTORY = re.compile(r'<table class="consent-table">.*?<tbody>(.*?)</tbody>', re.S)

# What anonymous searchers type and tick: text, text with facets, facets
# only, Arabic. Places and vocabularies are those of the seeds.
TEXT_QUERIES = ["Banias", "shooting", "killed", "neighbourhood", "rooftops", "car"]
ARABIC_QUERIES = ["بانياس", "إطلاق نار", "القصور", "مسلحين"]
FACETS = [
    {"place": "banias"},
    {"community": "alawite"},
    {"event_type": "killing"},
    {"event_type": ["looting", "killing"]},
    {"date_from": "2025-03-06", "date_to": "2025-03-10"},
    {"place": "latakia-governorate", "community": "alawite"},
]


@dataclass
class Outcome:
    """Every request of one kind: latencies (s) and status counts."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    unexpected: int = 0  # a status the flow did not expect (429 aside)
    transport_errors: int = 0


class Recorder:
    def __init__(self):
        self.kinds: dict[str, Outcome] = defaultdict(Outcome)
        # public id -> consent saves the server confirmed
        self.saved: dict[str, int] = defaultdict(int)
        # public id -> history rows on the consent page, before and after
        self.history_before: dict[str, int] = {}
        self.history_after: dict[str, int] = {}
        # API searches answered, and those that found something: an empty or
        # broken index answers 200 with nothing in it.
        self.api_answers = 0
        self.api_hits = 0

    def api_answer(self, kind: str, response) -> list[dict]:
        """Count a search API answer; its results. A 200 that is not the
        API's JSON is a failure of its own kind."""
        if response is None or response.status_code != 200:
            return []
        try:
            results = response.json()["results"]
        except (ValueError, KeyError):
            self.kinds[kind].unexpected += 1
            return []
        self.api_answers += 1
        self.api_hits += bool(results)
        return results


class Client:
    """One simulated user."""

    def __init__(self, *, base_url, recorder, deadline, address, think=0.0):
        self.base_url = base_url
        self.recorder = recorder
        self.deadline = deadline
        self.think = think
        self.cookies: dict[str, str] = {}
        # Each client comes from its own address, as seen through the proxy.
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": address,
            "Accept-Language": "en",
        }
        self.http = httpx.AsyncClient(base_url=base_url, timeout=120)

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def _keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.http.cookies.clear()

    async def request(self, kind, method, path, *, expect=(200,), **kwargs):
        """Send one request, record its outcome under `kind`; the response,
        or None when the transport failed."""
        headers = dict(self.headers)
        headers.update(kwargs.pop("headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        outcome = self.recorder.kinds[kind]
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError:
            outcome.transport_errors += 1
            return None
        outcome.latencies.append(time.perf_counter() - started)
        outcome.statuses[response.status_code] += 1
        if response.status_code not in expect and response.status_code != 429:
            outcome.unexpected += 1
        self._keep_cookies(response)
        return response

    async def pause(self):
        await asyncio.sleep(self.think)

    async def log_in(self, username, password) -> bool:
        form = await self.request("login", "GET", "/accounts/login/")
        token = CSRF_FIELD.search(form.text) if form is not None else None
        if token is None:
            return False
        answer = await self.request(
            "login",
            "POST",
            "/accounts/login/",
            expect=(302,),
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"https://{self.http.base_url.netloc.decode()}/"},
        )
        return answer is not None and answer.status_code == 302

    async def close(self):
        await self.http.aclose()


def _search_params(rng: random.Random) -> tuple[str, dict]:
    shape = rng.choice(["text", "text+facets", "facets", "arabic"])
    params: dict = {}
    if shape in ("text", "text+facets"):
        params["q"] = rng.choice(TEXT_QUERIES)
    if shape == "arabic":
        params["q"] = rng.choice(ARABIC_QUERIES)
    if shape in ("text+facets", "facets"):
        params.update(rng.choice(FACETS))
    return shape, params


async def searcher(client: Client, rng: random.Random) -> None:
    """Anonymous: the search page and the JSON API, in every shape of query."""
    while client.running():
        shape, params = _search_params(rng)
        query = urlencode(params, doseq=True)
        if rng.random() < 0.5:
            await client.request(f"search page ({shape})", "GET", f"/search/?{query}")
        else:
            kind = f"api search ({shape})"
            found = await client.request(kind, "GET", f"/api/search/?{query}")
            client.recorder.api_answer(kind, found)
        await client.pause()


async def researcher(client: Client, rng: random.Random, account) -> None:
    """Logs in, searches, opens what it finds, now and then exports."""
    if not await client.log_in(account.username, account.password):
        return
    rounds = 0
    while client.running():
        rounds += 1
        _, params = _search_params(rng)
        query = urlencode(params, doseq=True)
        found = await client.request(
            "researcher api search", "GET", f"/api/search/?{query}"
        )
        await client.pause()
        results = client.recorder.api_answer("researcher api search", found)
        for result in rng.sample(results, min(2, len(results))):
            if not client.running():
                break
            await client.request("testimony page", "GET", result["url"])
            await client.pause()
        if rounds % 8 == 0 and client.running():
            fmt = rng.choice(["csv", "json"])
            await client.request(
                f"export {fmt}", "GET", f"/search/export.{fmt}?{query}"
            )
            await client.pause()


def history_rows(html: str) -> int | None:
    body = HISTORY.search(html)
    return body.group(1).count("<tr>") if body else None


CONSENT_FORM = {
    "archive": "on",
    "researchers": "on",
    "method": "oral",
    "explained_purpose": "on",
    "explained_audience": "on",
    "explained_risks": "on",
    "explained_withdrawal": "on",
    "obtained_on": "2025-03-20",
    "witness_is_minor": "no",
    "images": "none",
}


async def writer(client: Client, rng: random.Random, account) -> None:
    """A documenter re-recording the consent of their own testimonies (the
    same scopes: the testimony stays approved and its search document is
    rewritten at each save). Every save the server confirms is counted, to
    be checked against the database at the end."""
    recorder = client.recorder
    if not await client.log_in(account.username, account.password):
        return
    mine = await client.request("my testimonies", "GET", "/testimonies/mine/")
    own = sorted(set(CONSENT_LINK.findall(mine.text))) if mine is not None else []
    for public_id in own:
        page = await client.request(
            "consent form", "GET", f"/testimonies/{public_id}/consent/"
        )
        recorder.history_before[public_id] = history_rows(page.text) if page else None
    if not own:
        return
    referer = f"https://{client.http.base_url.netloc.decode()}/"
    while client.running():
        public_id = rng.choice(own)
        path = f"/testimonies/{public_id}/consent/"
        page = await client.request("consent form", "GET", path)
        token = CSRF_FIELD.search(page.text) if page is not None else None
        if token is None:
            continue
        saved = await client.request(
            "consent save",
            "POST",
            path,
            expect=(302,),
            data={
                **CONSENT_FORM,
                "obtained_by": account.username,
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": referer + path.lstrip("/")},
        )
        if saved is None or saved.status_code != 302:
            pass
        elif urlsplit(saved.headers.get("location", "")).path == path:
            recorder.saved[public_id] += 1
        else:
            # Redirected elsewhere (the login page: the session was lost).
            recorder.kinds["consent save"].unexpected += 1
        await client.pause()
    for public_id in own:
        page = await client.request(
            "consent form", "GET", f"/testimonies/{public_id}/consent/"
        )
        recorder.history_after[public_id] = history_rows(page.text) if page else None
