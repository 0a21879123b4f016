"""The OpenAPI schema works for a real client generator.

openapi-python-client (pinned in requirements-dev.txt; it generates offline)
turns the schema the live server serves into a typed Python package, which is
imported and driven through a whole flow against that server. Operations are
found by method and path template, never by operationId or module name, which
follow view names.
"""

from __future__ import annotations

import enum
import importlib
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from content.models import Ticker

PACKAGE = "pageshare_client"
CONFIG = f"project_name_override: pageshare-client\npackage_name_override: {PACKAGE}\npost_hooks: []\n"
# What every generated endpoint module builds its request from (openapi-python-client's template).
METHOD = re.compile(r'"method": "(\w+)"')
URL = re.compile(r'"url": f?"(/[^"]*)"')


def template_key(method: str, path: str) -> str:
    """``POST /api/v1/posts/{}/comments``: parameter names may change, the route does not."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"


class GeneratedApi:
    """The generated package, called by method and path: ``api.call("POST", "/api/v1/posts", body={...})``."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package = package
        self.base_url = base_url
        self.token: str | None = None
        self.operations: dict[str, ModuleType] = {}
        for path in sorted(Path(package.__path__[0], "api").glob("*/*.py")):
            if path.name == "__init__.py":
                continue
            source = path.read_text()
            method, url = METHOD.search(source), URL.search(source)
            assert method, f"{path} builds no request"
            assert url, f"{path} builds no request"
            module = importlib.import_module(f"{PACKAGE}.api.{path.parent.name}.{path.stem}")
            self.operations[template_key(method[1], url[1])] = module

    def as_user(self, token: str | None) -> GeneratedApi:
        other = object.__new__(GeneratedApi)
        other.__dict__.update(self.__dict__, token=token)
        return other

    def call(self, method: str, path: str, *path_args: str, status: int, body: dict | None = None, **query: Any) -> Any:
        module = self.operations[template_key(method, path)]
        client_module = self.package.client
        client = (
            client_module.AuthenticatedClient(base_url=self.base_url, token=self.token)
            if self.token
            else client_module.Client(base_url=self.base_url)
        )
        hints = typing.get_type_hints(module.sync_detailed)
        # Enum parameters take the generated enum, whose class name follows the operationId.
        kwargs = {name: self.enum_value(hints[name], value) for name, value in query.items()}
        if body is not None:
            kwargs["body"] = self.body_model(module).from_dict(body)
        with client as session:
            response = module.sync_detailed(*path_args, client=session, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.content)
        return response.parsed

    @staticmethod
    def enum_value(hint: Any, value: Any) -> Any:
        for arg in typing.get_args(hint) or [hint]:
            if isinstance(arg, type) and issubclass(arg, enum.Enum):
                return arg(value)
        return value

    @staticmethod
    def body_model(module: ModuleType) -> Any:
        hints = typing.get_type_hints(module.sync_detailed)
        models = [arg for arg in typing.get_args(hints["body"]) or [hints["body"]] if hasattr(arg, "from_dict")]
        assert models, f"{module.__name__} takes no JSON body model"
        return models[0]


@pytest.fixture(scope="module")
def generated_package(
    live_server: Any, tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any
) -> Iterator[ModuleType]:
    """Generated once for this module's tests."""
    tmp_path = tmp_path_factory.mktemp("client")
    # The schema request may touch the database (a module fixture has no test transaction to use).
    with django_db_blocker.unblock():
        schema = httpx.get(f"{live_server.url}/api/schema?format=json", timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    # The generator's command line, as a frontend developer would run it; it needs no network.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Warnings mean skipped endpoints or models the generator could not read.
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def api(generated_package: ModuleType, live_server: Any) -> GeneratedApi:
    return GeneratedApi(generated_package, live_server.url)


def test_every_generated_module_imports(generated_package, api):
    schema = httpx.get(f"{api.base_url}/api/schema?format=json", timeout=30).json()
    in_schema = {template_key(method, path) for path, item in schema["paths"].items() for method in item}
    assert set(api.operations) == in_schema


def cursor_of(next_url: str) -> str:
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_drives_the_whole_flow(api, settings):
    # On the reference list (a migration loads it, but a transactional test may follow a flush).
    Ticker.objects.update_or_create(symbol="AAPL", defaults={"name": "Apple Inc.", "is_listed": True})

    # Two people sign up; one signs in again.
    ana = api.call(
        "POST",
        "/api/v1/auth/register",
        status=201,
        body={
            "email": "ana@example.com",
            "username": "ana",
            "password": "long enough password 1",
            "display_name": "Ana",
        },
    )
    bob = api.call(
        "POST",
        "/api/v1/auth/register",
        status=201,
        body={"email": "bob@example.com", "username": "bob", "password": "long enough password 2"},
    )
    assert ana.user.username == "ana"
    assert isinstance(ana.user.id, str)
    assert isinstance(ana.user.created_at, datetime)
    login = api.call(
        "POST",
        "/api/v1/auth/login",
        status=200,
        body={"email": "ana@example.com", "password": "long enough password 1"},
    )
    assert login.user.id == ana.user.id
    as_ana, as_bob = api.as_user(login.access), api.as_user(bob.access)

    # Ana posts with a cashtag and a poll, then two more; Bob follows her.
    first = as_ana.call(
        "POST",
        "/api/v1/posts",
        status=201,
        body={
            "content": "Buying more $aapl before earnings, and #TSLA?",
            "sentiment": "bullish",
            "poll": {"options": ["Up", "Down"], "duration_hours": 24},
        },
    )
    assert first.tickers == ["AAPL", "TSLA"]
    assert first.sentiment.value == "bullish"
    assert [option.text for option in first.poll.options] == ["Up", "Down"]
    assert first.poll.total_votes == 0
    assert first.poll.viewer_vote is None
    later = [
        as_ana.call("POST", "/api/v1/posts", status=201, body={"content": f"Update {number} on $AAPL"})
        for number in (2, 3)
    ]
    followed = as_bob.call("POST", "/api/v1/users/{user_id}/follow", ana.user.id, status=201)
    assert followed.username == "ana"
    assert followed.viewer.following is True
    assert followed.stats.followers == 1

    # Bob reads his following feed two posts at a time, newest first, and follows the cursor.
    page = as_bob.call("GET", "/api/v1/feed", status=200, scope="following", limit=2)
    assert [post.id for post in page.results] == [later[1].id, later[0].id]
    assert page.results[0].created_at >= page.results[1].created_at
    assert page.next_ is not None  # "next" is a builtin: the generator adds "_"
    second = as_bob.call("GET", "/api/v1/feed", status=200, scope="following", limit=2, cursor=cursor_of(page.next_))
    assert [post.id for post in second.results] == [first.id]
    assert second.next_ is None

    # Bob likes it, comments, votes.
    like = as_bob.call("POST", "/api/v1/posts/{post_id}/reactions", first.id, status=200)
    assert (like.reacted, like.count) == (True, 1)
    comment = as_bob.call(
        "POST", "/api/v1/posts/{post_id}/comments", first.id, status=201, body={"content": "Up, surely"}
    )
    assert comment.post_id == first.id
    assert comment.parent_id is None
    assert comment.author.username == "bob"
    down = first.poll.options[1]
    poll = as_bob.call("POST", "/api/v1/polls/{poll_id}/votes", first.poll.id, status=201, body={"option_id": down.id})
    assert [(option.text, option.votes) for option in poll.options] == [("Up", 0), ("Down", 1)]
    assert poll.total_votes == 1
    assert poll.viewer_vote == down.id

    # Anyone sees the counts; the post shows Bob's like and comment to Bob.
    results = api.call("GET", "/api/v1/polls/{poll_id}/results", first.poll.id, status=200)
    assert results.total_votes == 1
    assert results.viewer_vote is None
    seen = as_bob.call("GET", "/api/v1/posts/{post_id}", first.id, status=200)
    assert (seen.stats.reactions, seen.stats.comments) == (1, 1)
    assert seen.viewer.reacted is True
    comments = api.call("GET", "/api/v1/posts/{post_id}/comments", first.id, status=200)
    assert [item.id for item in comments.results] == [comment.id]

    # Search finds the user and the ticker; the ticker page lists Ana's three posts.
    found = api.call("GET", "/api/v1/search", status=200, q="$aapl", type_="all")
    assert found.tickers[0].symbol == "AAPL"
    assert found.tickers[0].post_count == 3
    assert [user.username for user in api.call("GET", "/api/v1/search", status=200, q="an").users] == ["ana"]
    ticker_posts = api.call("GET", "/api/v1/tickers/{symbol}/posts", "AAPL", status=200)
    assert [post.id for post in ticker_posts.results] == [later[1].id, later[0].id, first.id]

    # Ana reports Bob's comment; a second report of it conflicts.
    report_body = {"target_type": "comment", "target_id": comment.id, "reason": "spam"}
    report = as_ana.call("POST", "/api/v1/reports", status=201, body=report_body)
    assert report.target_type.value == "comment"
    assert report.target_id == comment.id
    problem = as_ana.call("POST", "/api/v1/reports", status=409, body=report_body)
    assert problem.status == 409
