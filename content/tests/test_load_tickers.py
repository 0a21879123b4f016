"""load_tickers: the reference list of listed symbols, loaded from a CSV file (the shipped one by default)."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from content.models import Ticker
from content.reference import reference_tickers
from content.search import search_tickers
from content.services.posts import post_create

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_tickers", *args, stdout=out)
    return out.getvalue().strip()


def write_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "tickers.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_shipped_list_is_loaded_by_default_and_a_second_run_changes_nothing():
    shipped = reference_tickers()
    post_create(author=UserFactory(), content="$AAPL before the list was loaded")
    Ticker.objects.filter(symbol="AAPL").update(is_listed=False, name="")  # as made before the list knew it

    assert load() == (
        f"Loaded {len(shipped)} symbols from tickers.csv, tickers_index_members.csv: "
        f"{len(shipped) - 1} created, 1 newly listed, 1 renamed."
    )
    assert Ticker.objects.count() == len(shipped)
    assert not Ticker.objects.filter(is_listed=False).exists()
    assert dict(Ticker.objects.values_list("symbol", "name")) == shipped
    assert Ticker.objects.get(symbol="AAPL").post_count == 1  # the counters are left alone

    assert load().endswith(
        f"{len(shipped)} symbols from tickers.csv, tickers_index_members.csv: 0 created, 0 newly listed, 0 renamed."
    )


def test_a_file_lists_new_symbols_and_renames_without_touching_the_others(tmp_path):
    for author in UserFactory.create_batch(2):
        post_create(author=author, content="$NEWCO IPO today, and $OTHER")
    Ticker.objects.create(symbol="RNME", name="Old Name Inc.", is_listed=True)
    assert search_tickers(term="NEWCO", limit=10) == []

    output = load(write_csv(tmp_path, "symbol,name\nnewco,New Company Inc.\nRNME,New Name Inc.\nIPOX, \n"))

    assert output.endswith(": 1 created, 1 newly listed, 2 renamed.")  # NEWCO named, RNME renamed
    rows = {t.symbol: (t.name, t.is_listed) for t in Ticker.objects.all()}
    assert rows == {
        "NEWCO": ("New Company Inc.", True),
        "RNME": ("New Name Inc.", True),
        "IPOX": ("", True),
        "OTHER": ("", False),  # not in the file: left as it was
    }
    assert [ticker.symbol for ticker in search_tickers(term="NEWCO", limit=10)] == ["NEWCO"]
    assert search_tickers(term="OTHER", limit=10) == []


def test_several_files_load_together_the_later_name_winning(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("symbol,name\nONE,One Inc.\nTWO,Two Inc.\n", encoding="utf-8")
    second.write_text("symbol,name\nTWO,Two Corp.\n", encoding="utf-8")

    assert load(str(first), str(second)) == "Loaded 2 symbols from a.csv, b.csv: 2 created, 0 newly listed, 0 renamed."

    assert dict(Ticker.objects.values_list("symbol", "name")) == {"ONE": "One Inc.", "TWO": "Two Corp."}


def test_an_empty_name_in_the_file_keeps_the_rows_name(tmp_path):
    Ticker.objects.create(symbol="KEEP", name="Kept Inc.")

    load(write_csv(tmp_path, "symbol,name\nKEEP,\n"))

    assert Ticker.objects.filter(symbol="KEEP", name="Kept Inc.", is_listed=True).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ticker,company\nAAPL,Apple\n", "the first line must be the header `symbol,name`"),
        ("symbol,name\nAAPL,Apple\nTOOLONG,Nope\n", "line 3: 'TOOLONG' is not a ticker symbol"),
        ("symbol,name\n$AAPL,Apple\n", "line 2: '$AAPL' is not a ticker symbol"),
        (f"symbol,name\nAAPL,{'x' * 201}\n", "line 2: the name is over 200 characters"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_loaded(tmp_path, text, message):
    with pytest.raises(CommandError, match=message.replace("$", r"\$")):
        load(write_csv(tmp_path, text))

    assert not Ticker.objects.exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        load(str(tmp_path / "nope.csv"))


def test_the_migration_lists_existing_rows_on_the_shipped_list_and_counts_the_others_authors():
    from django.apps import apps

    migration = importlib.import_module("content.migrations.0006_ticker_is_listed_authors_count")
    for author in UserFactory.create_batch(2):
        post_create(author=author, content="$AAPL and $ZQX")
    # As the rows were before the migration: no flag, no count.
    Ticker.objects.update(is_listed=False, authors_count=0)

    migration.mark_listed_and_count_authors(apps, None)

    rows = {t.symbol: (t.is_listed, t.authors_count) for t in Ticker.objects.all()}
    assert rows == {"AAPL": (True, 0), "ZQX": (False, 2)}
