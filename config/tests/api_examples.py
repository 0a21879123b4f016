"""Records one real request and response for every API operation, for docs/api-examples.md.

``record_examples()`` runs a fixed scenario through the whole Django stack on a
freshly flushed database, with the clock frozen and advanced a few seconds per
request and ``uuid4`` counting up (request ids, file names), so the same code
always writes the same file. ``config/tests/test_api_examples.py`` runs it:
it fails when the committed file differs or an operation in the schema has no
example, and ``scripts/api-examples`` runs it to rewrite the file.

Operations are keyed by method and path template as the schema spells them,
never by operationId or view. Tokens, passwords and password-reset links are
replaced by ``<placeholders>``; lists are cut to a few items, each cut noted.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from PIL import Image
from rest_framework.test import APIClient

from content.models import Ticker
from markets.services import Bar, bars_write
from notifications.unsubscribe import unsubscribe_token

DOC = Path(settings.BASE_DIR) / "docs" / "api-examples.md"
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STEP = timedelta(seconds=5)  # per request: well inside the access tokens' 15 minutes for the whole run
HOST = "api.pageshare.example"
LIST_ITEMS = 3
TEXT_LINES = 8
METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"]
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
PROJECT_PACKAGES = {
    "config",
    "core",
    "accounts",
    "social",
    "polls",
    "markets",
    "content",
    "moderation",
    "metrics",
    "demo",
}
# Listed symbols the scenario mentions (the shipped reference list is bigger and changes).
TICKERS = {"AAPL": "Apple Inc.", "NVDA": "NVIDIA Corporation", "TSLA": "Tesla, Inc.", "MSFT": "Microsoft Corporation"}


@dataclass
class Person:
    name: str
    email: str
    password: str
    id: str = ""
    access: str = ""
    refresh: str = ""


@dataclass
class Operation:
    method: str
    template: str
    summary: str
    pattern: re.Pattern[str]


@dataclass
class Example:
    operation: Operation
    request: list[str]
    response: list[str]
    notes: list[str] = field(default_factory=list)


class Recorder:
    """Sends requests through Django and keeps the first successful one per operation as its example."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.operations: list[Operation] = []
        for template, item in schema["paths"].items():
            for method, operation in item.items():
                regex = "[^/]+".join(re.escape(part) for part in re.split(r"{[^}]+}", template))
                self.operations.append(
                    Operation(method.upper(), template, operation.get("summary", ""), re.compile(f"{regex}$"))
                )
        # A literal segment wins over a parameter: /users/me is not /users/{user_id}.
        self.operations.sort(key=lambda operation: operation.template.count("{"))
        self.examples: dict[tuple[str, str], Example] = {}
        self.secrets: dict[str, str] = {}

    def secret(self, value: str, placeholder: str) -> None:
        if value:
            self.secrets[value] = placeholder

    def redact(self, text: str) -> str:
        for value, placeholder in sorted(self.secrets.items(), key=lambda item: -len(item[0])):
            text = text.replace(value, placeholder)
        return JWT.sub("<token>", text)

    def operation_for(self, method: str, path: str) -> Operation:
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(path):
                return operation
        raise AssertionError(f"{method} {path} is no operation in the schema")

    def call(
        self,
        method: str,
        path: str,
        *,
        status: int,
        as_: Person | None = None,
        body: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        query: dict[str, Any] | None = None,
        example: bool | None = None,
    ) -> Any:
        """One request; ``example`` True makes it the operation's example, False never, None the first 2xx."""
        operation = self.operation_for(method, path)
        url = f"{path}?{urlencode(query)}" if query else path
        client = APIClient(HTTP_HOST=HOST, REMOTE_ADDR="8.8.8.8")
        headers = {}
        response: Any  # a Django test response; streaming ones (the CSV export) have no .content
        if as_ is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {as_.access}")
            headers["Authorization"] = f"Bearer {as_.access}"
        if files is not None:
            uploads = {}
            for name, (filename, content, _content_type) in files.items():
                upload = io.BytesIO(content)
                upload.name = filename
                uploads[name] = upload
                headers["Content-Type"] = "multipart/form-data; boundary=..."
            response = client.generic(method, url, **self._multipart(client, uploads))
        elif body is not None:
            headers["Content-Type"] = "application/json"
            response = client.generic(method, url, json.dumps(body), content_type="application/json", secure=True)
        else:
            response = client.generic(method, url, secure=True)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == status, (method, url, response.status_code, raw[:2000])
        content_type = response.get("Content-Type", "")
        parsed = json.loads(raw) if "json" in content_type and raw else None
        key = (operation.method, operation.template)
        wanted = example if example is not None else (key not in self.examples and 200 <= status < 300)
        if wanted:
            self.examples[key] = self._example(operation, url, headers, body, files, response, raw, parsed)
        return parsed

    @staticmethod
    def _multipart(client: APIClient, uploads: dict[str, Any]) -> dict[str, Any]:
        from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

        return {
            "data": encode_multipart(BOUNDARY, uploads),
            "content_type": MULTIPART_CONTENT,
            "secure": True,
        }

    def _example(
        self,
        operation: Operation,
        url: str,
        headers: dict[str, str],
        body: Any,
        files: dict[str, tuple[str, bytes, str]] | None,
        response: Any,
        raw: bytes,
        parsed: Any,
    ) -> Example:
        notes: list[str] = []
        request = [f"{operation.method} {url}"]
        request += [f"{name}: {value}" for name, value in headers.items()]
        if files:
            request.append("")
            for name, (filename, _content, content_type) in files.items():
                request.append(f"{name}: {filename} ({content_type})")
        elif body is not None:
            request += ["", json.dumps(body, indent=2, ensure_ascii=False)]
        status = HTTPStatus(response.status_code)
        lines = [f"HTTP/1.1 {status.value} {status.phrase}"]
        for name in ("Content-Type", "Content-Disposition", "Location"):
            if response.has_header(name):
                lines.append(f"{name}: {response[name]}")
        if parsed is not None:
            lines += ["", json.dumps(trim(parsed, "", notes), indent=2, ensure_ascii=False)]
        elif raw:
            text = raw.decode().splitlines()
            if len(text) > TEXT_LINES:
                notes.append(f"The body is cut to {TEXT_LINES} of {len(text)} lines.")
            lines += ["", "\n".join(text[:TEXT_LINES])]
        return Example(operation, request, lines, notes)

    def render(self) -> str:
        sections: dict[str, list[Example]] = {}
        for example in sorted(
            self.examples.values(),
            key=lambda example: (example.operation.template, METHOD_ORDER.index(example.operation.method)),
        ):
            sections.setdefault(section_of(example.operation.template), []).append(example)
        out = [
            "# API examples",
            "",
            "One real request and response for every operation of the API, recorded by",
            "`scripts/api-examples` from a scripted session against a fresh database",
            f"(the clock starts at {START:%Y-%m-%d %H:%M} UTC and moves {STEP.seconds} seconds a request). Do not",
            "edit it by hand: the test suite fails when it is out of date. Tokens, passwords and",
            "reset links are `<placeholders>`; long lists are cut to a few items (noted under",
            "each). The reference is the OpenAPI schema at `/api/schema` (browsable at `/api/docs`).",
            "",
        ]
        out += [f"- [{name}](#{name.lower()})" for name in sections]
        for name, examples in sections.items():
            out += ["", f"## {name}"]
            for example in examples:
                operation = example.operation
                out += ["", f"### {operation.method} {operation.template}", ""]
                if operation.summary:
                    out += [operation.summary.rstrip("."), ""]
                out += ["```http", *example.request, "```", "", "```http", *example.response, "```"]
                if example.notes:
                    out += ["", *[f"_{note}_" for note in example.notes]]
        # Secrets are replaced last: some (a new password, the next tokens) are only known later on.
        return self.redact("\n".join(out)) + "\n"

    def missing(self) -> list[str]:
        return sorted(
            f"{operation.method} {operation.template}"
            for operation in self.operations
            if (operation.method, operation.template) not in self.examples
        )


def section_of(template: str) -> str:
    parts = template.removeprefix("/api/v1/").strip("/").split("/")
    return parts[0] if template.startswith("/api/v1/") else "operations"


def trim(value: Any, where: str, notes: list[str]) -> Any:
    if isinstance(value, list):
        if len(value) > LIST_ITEMS:
            notes.append(f"`{where or 'the list'}` is cut to {LIST_ITEMS} of {len(value)} items.")
        return [trim(item, f"{where}[{index}]", notes) for index, item in enumerate(value[:LIST_ITEMS])]
    if isinstance(value, dict):
        return {key: trim(item, f"{where}.{key}" if where else key, notes) for key, item in value.items()}
    return value


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class Uuids:
    """``uuid4`` for our code (request ids, file names), counting up from each request's own base.

    Per request, so a call more or less elsewhere (PostgreSQL, Redis) shifts nothing; ours only, as
    libraries draw uuids too (Sentry's trace ids once a test has started it).
    """

    def __init__(self) -> None:
        self.request = 0
        self.counter = itertools.count()
        self.real = uuid.uuid4

    def next_request(self) -> None:
        self.request += 1
        self.counter = itertools.count()

    def __call__(self) -> uuid.UUID:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.split(".")[0] not in PROJECT_PACKAGES:
            return self.real()
        return uuid.UUID(int=(self.request << 32) + next(self.counter), version=4)


@contextmanager
def frozen_world() -> Iterator[tuple[time_machine.Traveller, Uuids]]:
    uuids = Uuids()
    with time_machine.travel(START, tick=False) as clock, mock.patch("uuid.uuid4", new=uuids):
        yield clock, uuids


def record_examples() -> Recorder:
    """The scenario: four people use every operation once or more, in an order that reads as a story."""
    call_command("flush", interactive=False, verbosity=0)  # empty tables, ids from 1 on SQLite and PostgreSQL
    mail.outbox = []
    for symbol, name in TICKERS.items():
        Ticker.objects.create(symbol=symbol, name=name, is_listed=True)
    with frozen_world() as (clock, uuids):
        schema = APIClient().get("/api/schema", {"format": "json"}).json()
        recorder = Recorder(schema)
        original_call = recorder.call

        def call(*args: Any, **kwargs: Any) -> Any:
            clock.shift(STEP)
            uuids.next_request()
            return original_call(*args, **kwargs)

        recorder.call = call  # type: ignore[method-assign]
        scenario(recorder)
    return recorder


def sign_up(rec: Recorder, person: Person, username: str, display_name: str) -> None:
    rec.secret(person.password, "<password>")
    session = rec.call(
        "POST",
        "/api/v1/auth/register",
        status=201,
        body={"email": person.email, "username": username, "password": person.password, "display_name": display_name},
    )
    keep_tokens(rec, person, session)
    person.id = session["user"]["id"]


def keep_tokens(rec: Recorder, person: Person, session: dict[str, Any]) -> None:
    person.access, person.refresh = session["access"], session["refresh"]
    rec.secret(person.access, f"<{person.name}'s access token>")
    rec.secret(person.refresh, f"<{person.name}'s refresh token>")


def scenario(rec: Recorder) -> None:
    ana = Person("ana", "ana@example.com", "ana-correct-horse-1")
    bob = Person("bob", "bob@example.com", "bob-battery-staple-2")
    cleo = Person("cleo", "cleo@example.com", "cleo-long-passphrase-3")
    sam = Person("sam", "sam@example.com", "sam-moderator-pass-4")

    rec.call("GET", "/health", status=200)
    rec.call("GET", "/health/ready", status=200)

    # Accounts.
    sign_up(rec, ana, "ana", "Ana Lima")
    sign_up(rec, bob, "bob_trades", "Bob")
    sign_up(rec, cleo, "cleo", "Cleo")
    sign_up(rec, sam, "sam", "Sam (moderator)")
    get_user_model().objects.filter(pk=sam.id).update(is_staff=True)
    keep_tokens(
        rec,
        ana,
        rec.call("POST", "/api/v1/auth/login", status=200, body={"email": ana.email, "password": ana.password}),
    )
    rec.call("POST", "/api/v1/auth/verify", status=200, as_=ana)
    keep_tokens(rec, ana, rec.call("POST", "/api/v1/auth/refresh", status=200, body={"refresh": ana.refresh}))
    rec.call(
        "POST",
        "/api/v1/users/me/onboarding",
        status=200,
        as_=cleo,
        body={"username": "cleo_charts", "timezone": "Europe/Berlin", "interests": ["options", "earnings"]},
    )
    rec.call("GET", "/api/v1/users/me", status=200, as_=ana)
    rec.call(
        "PATCH",
        "/api/v1/users/me",
        status=200,
        as_=ana,
        body={"bio": "Semis and megacaps. Not advice.", "timezone": "America/New_York", "settings": {"theme": "dark"}},
    )
    rec.call(
        "PUT", "/api/v1/users/me/interests", status=200, as_=ana, body={"interests": ["semiconductors", "earnings"]}
    )
    rec.call("GET", "/api/v1/users/me/interests", status=200, as_=ana)
    rec.call(
        "POST",
        "/api/v1/users/me/profile-picture",
        status=200,
        as_=ana,
        files={"file": ("ana.png", png(64, 64, (30, 120, 200)), "image/png")},
    )
    rec.call(
        "POST",
        "/api/v1/users/me/profile-picture",
        status=200,
        as_=bob,
        files={"file": ("bob.png", png(64, 64, (200, 80, 40)), "image/png")},
        example=False,
    )
    rec.call("DELETE", "/api/v1/users/me/profile-picture", status=204, as_=bob)
    rec.call("POST", "/api/v1/users/me/watchlist", status=201, as_=ana, body={"symbol": "NVDA"})
    rec.call("POST", "/api/v1/users/me/watchlist", status=201, as_=ana, body={"symbol": "MSFT"})
    rec.call("GET", "/api/v1/users/me/watchlist", status=200, as_=ana)
    rec.call("DELETE", "/api/v1/users/me/watchlist/MSFT", status=204, as_=ana)

    # Posts, media, polls.
    media = rec.call(
        "POST",
        "/api/v1/media/upload",
        status=201,
        as_=ana,
        files={"files": ("nvda-chart.png", png(320, 180, (20, 20, 20)), "image/png")},
    )
    poll_post = rec.call(
        "POST",
        "/api/v1/posts",
        status=201,
        as_=ana,
        body={
            "content": "Adding to $NVDA before earnings; $AAPL looks heavy. Where does NVDA close Friday?",
            "sentiment": "bullish",
            "poll": {"options": ["Higher", "Lower", "Flat"], "duration_hours": 48},
        },
    )
    chart_post = rec.call(
        "POST",
        "/api/v1/posts",
        status=201,
        as_=ana,
        body={"content": "The $NVDA weekly chart, for the record.", "media_ids": [media["media"][0]["id"]]},
    )
    bob_post = rec.call(
        "POST",
        "/api/v1/posts",
        status=201,
        as_=bob,
        body={"content": "Trimmed my $TSLA position today; @ana called the top.", "sentiment": "bearish"},
    )
    extra = [
        rec.call("POST", "/api/v1/posts", status=201, as_=ana, body={"content": f"$AAPL note {number}: holding."})
        for number in (1, 2)
    ]
    rec.call("GET", "/api/v1/posts", status=200, query={"author": ana.id, "limit": 2})
    rec.call("GET", f"/api/v1/posts/{poll_post['id']}", status=200, as_=bob)

    # People.
    rec.call("GET", f"/api/v1/users/{ana.id}", status=200, as_=bob)
    rec.call("GET", "/api/v1/users/by-username/ana", status=200)
    rec.call("POST", f"/api/v1/users/{ana.id}/follow", status=201, as_=bob)
    rec.call("POST", f"/api/v1/users/{ana.id}/follow", status=201, as_=cleo)
    rec.call("POST", f"/api/v1/users/{bob.id}/follow", status=201, as_=cleo)
    rec.call("GET", f"/api/v1/users/{ana.id}/followers", status=200)
    rec.call("GET", f"/api/v1/users/{cleo.id}/following", status=200)
    rec.call("DELETE", f"/api/v1/users/{bob.id}/follow", status=204, as_=cleo)

    # Reading and reacting.
    page = rec.call("GET", "/api/v1/feed", status=200, as_=bob, query={"scope": "following", "limit": 2})
    cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    rec.call("GET", "/api/v1/feed", status=200, as_=bob, query={"scope": "following", "limit": 2, "cursor": cursor})
    rec.call("POST", f"/api/v1/posts/{poll_post['id']}/reactions", status=200, as_=bob)
    comment = rec.call(
        "POST",
        f"/api/v1/posts/{poll_post['id']}/comments",
        status=201,
        as_=bob,
        body={"content": "@ana Guidance will matter more than the beat."},
    )
    rec.call(
        "POST",
        f"/api/v1/posts/{poll_post['id']}/comments",
        status=201,
        as_=ana,
        body={"content": "Agreed, watching data-centre revenue.", "parent_id": comment["id"]},
        example=False,
    )
    rec.call("GET", f"/api/v1/posts/{poll_post['id']}/comments", status=200)
    rec.call("POST", f"/api/v1/comments/{comment['id']}/reactions", status=200, as_=ana)
    rec.call(
        "POST",
        f"/api/v1/polls/{poll_post['poll']['id']}/votes",
        status=201,
        as_=bob,
        body={"option_id": poll_post["poll"]["options"][0]["id"]},
    )
    rec.call("GET", f"/api/v1/polls/{poll_post['poll']['id']}/results", status=200)
    rec.call("POST", f"/api/v1/posts/{chart_post['id']}/reposts", status=201, as_=cleo)
    rec.call(
        "POST",
        f"/api/v1/posts/{chart_post['id']}/reposts",
        status=201,
        as_=bob,
        body={"content": "This is the chart that matters."},
        example=False,
    )
    rec.call("DELETE", f"/api/v1/posts/{chart_post['id']}/reposts", status=204, as_=cleo)
    rec.call("POST", f"/api/v1/posts/{chart_post['id']}/bookmarks", status=201, as_=bob)
    rec.call("POST", f"/api/v1/posts/{extra[0]['id']}/bookmarks", status=201, as_=bob)
    rec.call("GET", "/api/v1/bookmarks", status=200, as_=bob)
    rec.call("DELETE", f"/api/v1/posts/{extra[0]['id']}/bookmarks", status=204, as_=bob)

    # Notifications: ana's post was liked and commented on, her comment was replied to and so on.
    notifications = rec.call("GET", "/api/v1/notifications", status=200, as_=ana, query={"limit": 3})
    rec.call("GET", "/api/v1/notifications/unread-count", status=200, as_=ana)
    rec.call(
        "POST", "/api/v1/notifications/read", status=204, as_=ana, body={"up_to_id": notifications["results"][-1]["id"]}
    )
    rec.call("GET", "/api/v1/notifications/preferences", status=200, as_=ana)
    rec.call(
        "PATCH",
        "/api/v1/notifications/preferences",
        status=200,
        as_=ana,
        body={"types": {"reply": {"email": True}, "repost": {"in_app": False}}, "email_digest": "daily"},
    )
    unsubscribe = unsubscribe_token(int(ana.id))
    rec.secret(unsubscribe, "<token from the digest email>")
    rec.call("GET", "/api/v1/notifications/unsubscribe", status=200, query={"token": unsubscribe})
    rec.call("POST", "/api/v1/notifications/unsubscribe", status=200, query={"token": unsubscribe})

    # Mutes and blocks.
    rec.call("POST", f"/api/v1/users/{cleo.id}/mute", status=201, as_=bob)
    rec.call("POST", f"/api/v1/users/{ana.id}/block", status=201, as_=cleo, example=False)
    rec.call("POST", f"/api/v1/users/{cleo.id}/block", status=201, as_=bob)
    rec.call("GET", "/api/v1/content-filters", status=200, as_=bob)
    rec.call("DELETE", f"/api/v1/users/{cleo.id}/mute", status=204, as_=bob)
    rec.call("DELETE", f"/api/v1/users/{cleo.id}/block", status=204, as_=bob)

    # Discovery (trending reads the hourly roll-up that refresh_metrics keeps).
    call_command("refresh_metrics", verbosity=0)
    rec.call("GET", "/api/v1/search", status=200, query={"q": "$nvda", "type": "all"})
    rec.call("GET", "/api/v1/tickers/trending", status=200, query={"hours": 24})
    rec.call("GET", "/api/v1/tickers/NVDA", status=200)
    rec.call("GET", "/api/v1/tickers/NVDA/posts", status=200, as_=bob)

    # Calls (README "Calls"): ana's bullish $NVDA post is a call; a month of prices, then score_calls.
    days = [START.date() + timedelta(days=n) for n in range(45)]
    weekdays = [day for day in days if day.weekday() < 5]
    bars_write(
        Bar("NVDA", day, 120 + k, 121.5 + k, 119 + k, 120.5 + k, 120.5 + k, 200_000_000 + k * 1_000_000)
        for k, day in enumerate(weekdays)
    )
    call_command("score_calls", stdout=io.StringIO())
    rec.call("GET", f"/api/v1/users/{ana.id}/calls", status=200, query={"status": "scored"})
    rec.call("GET", f"/api/v1/users/{ana.id}/track-record", status=200)
    rec.call("GET", "/api/v1/leaderboard", status=200, query={"horizon": "1m", "days": 90, "min_calls": 1})

    # Moderation and operations.
    rec.call(
        "POST",
        "/api/v1/reports",
        status=201,
        as_=ana,
        body={"target_type": "post", "target_id": bob_post["id"], "reason": "misinformation", "details": "Made up."},
    )
    rec.call(
        "POST",
        "/api/v1/errors/log",
        status=201,
        body={
            "message": "TypeError: Cannot read properties of undefined (reading 'symbol')",
            "stack": "at TickerCard (ticker-card.tsx:42:17)",
            "url": "https://app.pageshare.example/t/NVDA",
            "level": "error",
        },
    )
    errors = rec.call("GET", "/api/v1/errors", status=200, as_=sam, query={"resolved": "false"})
    rec.call("PATCH", f"/api/v1/errors/{errors['results'][0]['id']}/resolve", status=200, as_=sam)
    call_command("refresh_metrics", verbosity=0)
    for group in ("dashboard", "users", "engagement", "growth", "health", "trending"):
        rec.call("GET", f"/api/v1/metrics/{group}", status=200, as_=sam, query={"days": 7})
    rec.call("GET", "/api/v1/metrics/export", status=200, as_=sam, query={"format": "csv", "days": 7})

    # Deleting, passwords, signing out.
    rec.call("DELETE", f"/api/v1/comments/{comment['id']}", status=204, as_=bob)
    rec.call("DELETE", f"/api/v1/posts/{extra[1]['id']}", status=204, as_=ana)
    rec.call(
        "POST",
        "/api/v1/auth/password/change",
        status=204,
        as_=cleo,
        body={"old_password": cleo.password, "new_password": "cleo-even-longer-passphrase-5"},
    )
    rec.secret("cleo-even-longer-passphrase-5", "<new password>")
    rec.call("POST", "/api/v1/auth/password/reset", status=202, body={"email": bob.email})
    link = re.search(r"https?://\S+", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    reset = parse_qs(urlsplit(link[0]).query)
    rec.secret(reset["uid"][0], "<uid from the emailed link>")
    rec.secret(reset["token"][0], "<token from the emailed link>")
    rec.secret("bob-new-passphrase-6", "<new password>")
    rec.call(
        "POST",
        "/api/v1/auth/password/reset/confirm",
        status=204,
        body={"uid": reset["uid"][0], "token": reset["token"][0], "new_password": "bob-new-passphrase-6"},
    )
    rec.call("GET", "/api/v1/users/me/export", status=200, as_=cleo)
    rec.call("DELETE", "/api/v1/users/me", status=204, as_=cleo, body={"password": "cleo-even-longer-passphrase-5"})
    rec.call("POST", "/api/v1/auth/logout", status=204, as_=ana, body={"refresh": ana.refresh})
    # The streaming API's health probe (the stream itself is a WebSocket: README, "Streaming").
    rec.call("GET", "/api/v1/streaming/health", status=200)
