from __future__ import annotations

import datetime
import threading
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from markets.importer import prices_import
from markets.models import DailyBar, Quote
from markets.services import WRITE_BATCH, BarWriter

pytestmark = pytest.mark.django_db

HEADER = "symbol,date,open,high,low,close,adj_close,volume\n"
NOW = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


def write(tmp_path: Path, name: str, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + rows)
    return path


def run(*files: Path) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_prices", *map(str, files), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def bars() -> list[tuple]:
    return list(
        DailyBar.objects.order_by("symbol", "date").values_list(
            "symbol", "date", "open", "high", "low", "close", "adj_close", "volume"
        )
    )


GOOD = (
    "AAPL,2026-03-02,10,11,9,10.5,10.4,1000\n"
    "AAPL,2026-03-03,10.5,12,10,11.5,,\n"
    "BRK.B,2026-03-03,400,410,395,405.25,405.25,7\n"
)


def test_import_writes_every_bar_and_the_quotes_and_prints_a_summary(tmp_path):
    path = write(tmp_path, "prices.csv", GOOD)

    out, err, error = run(path)

    assert error is None
    assert err == ""
    assert out.startswith("prices.csv: 3 rows read, 3 bars new, 0 changed, 0 unchanged (2 symbols) in ")
    assert bars() == [
        ("AAPL", datetime.date(2026, 3, 2), 10.0, 11.0, 9.0, 10.5, 10.4, 1000),
        ("AAPL", datetime.date(2026, 3, 3), 10.5, 12.0, 10.0, 11.5, None, None),
        ("BRK.B", datetime.date(2026, 3, 3), 400.0, 410.0, 395.0, 405.25, 405.25, 7),
    ]
    assert list(Quote.objects.order_by("symbol").values_list("symbol", "last", "previous_close", "as_of")) == [
        ("AAPL", 11.5, 10.5, datetime.date(2026, 3, 3)),
        ("BRK.B", 405.25, None, datetime.date(2026, 3, 3)),
    ]


def test_reimporting_the_same_file_changes_nothing_not_even_updated_at(tmp_path):
    path = write(tmp_path, "prices.csv", GOOD)
    with time_machine.travel(NOW, tick=False):
        run(path)
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        out, _, error = run(path)

    assert error is None
    assert "3 rows read, 0 bars new, 0 changed, 3 unchanged" in out
    assert set(DailyBar.objects.values_list("updated_at", flat=True)) == {NOW}


def test_reimporting_a_date_replaces_it_and_only_the_changed_bar_is_stamped(tmp_path):
    with time_machine.travel(NOW, tick=False):
        run(write(tmp_path, "first.csv", GOOD))
    corrected = GOOD.replace("AAPL,2026-03-03,10.5,12,10,11.5,,", "AAPL,2026-03-03,10.5,12,10,11.75,11.7,500")
    later = NOW + datetime.timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        out, _, error = run(write(tmp_path, "second.csv", corrected))

    assert error is None
    assert "3 rows read, 0 bars new, 1 changed, 2 unchanged" in out
    assert DailyBar.objects.get(symbol="AAPL", date="2026-03-03").close == 11.75
    assert dict(DailyBar.objects.values_list("symbol", "updated_at").filter(date="2026-03-03")) == {
        "AAPL": later,
        "BRK.B": NOW,
    }
    assert Quote.objects.get(symbol="AAPL").last == 11.75


def test_an_emptied_adj_close_replaces_the_stored_one(tmp_path):
    run(write(tmp_path, "a.csv", "AAPL,2026-03-02,10,11,9,10.5,10.4,1000\n"))
    out, _, _ = run(write(tmp_path, "b.csv", "AAPL,2026-03-02,10,11,9,10.5,,1000\n"))

    assert "1 changed" in out
    assert DailyBar.objects.get().adj_close is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("aapl,2026-03-02,10,11,9,10.5,,", "symbol 'aapl' is not a ticker symbol"),
        ("TOOLONG,2026-03-02,10,11,9,10.5,,", "symbol 'TOOLONG' is not a ticker symbol"),
        ("BRK.BBB,2026-03-02,10,11,9,10.5,,", "symbol 'BRK.BBB' is not a ticker symbol"),
        ("AAPL,03/02/2026,10,11,9,10.5,,", "date '03/02/2026' is not a date (YYYY-MM-DD)"),
        ("AAPL,2026-02-30,10,11,9,10.5,,", "date '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("AAPL,20260302XX,10,11,9,10.5,,", "date '20260302XX' is not a date (YYYY-MM-DD)"),
        ("AAPL,1899-12-29,10,11,9,10.5,,", "date 1899-12-29 is not between 1900-01-01 and 2026-03-11"),
        ("AAPL,2026-03-12,10,11,9,10.5,,", "date 2026-03-12 is not between 1900-01-01 and 2026-03-11"),
        ("AAPL,2026-03-02,-1,11,9,10.5,,", "open '-1' is not a number >= 0"),
        ("AAPL,2026-03-02,10,nan,9,10.5,,", "high 'nan' is not a number >= 0"),
        ("AAPL,2026-03-02,10,11,inf,10.5,,", "low 'inf' is not a number >= 0"),
        ("AAPL,2026-03-02,10,11,9,1e999,,", "close '1e999' is too large"),
        ("AAPL,2026-03-02,10,11,9,10.5,abc,", "adj_close 'abc' is not a number >= 0"),
        ("AAPL,2026-03-02,10,11,9,1_0.5,,", "close '1_0.5' is not a number >= 0"),
        ("AAPL,2026-03-02,10, 11,9,10.5,,", "high ' 11' is not a number >= 0"),
        ("AAPL,2026-03-02,10,9,11,10.5,,", "high 9 is below low 11"),
        ("AAPL,2026-03-02,10,11,9,10.5,,12.5", "volume '12.5' is not a whole number >= 0"),
        ("AAPL,2026-03-02,10,11,9,10.5,,-3", "volume '-3' is not a whole number >= 0"),
        ("AAPL,2026-03-02,10,11,9,10.5", "expected 8 fields"),
        ("AAPL,2026-03-02,10,11,9,10.5,,,", "expected 8 fields"),
    ],
)
def test_a_bad_row_is_reported_by_file_and_line_and_nothing_from_the_file_is_written(tmp_path, row, message):
    path = write(tmp_path, "bad.csv", GOOD + row + "\n" + GOOD.replace("2026-03", "2026-02"))

    with time_machine.travel(NOW, tick=False):
        out, err, error = run(path)

    assert f"bad.csv, line 5: {message}" in err
    assert "bad.csv: not imported, nothing from it was written." in err
    assert str(error) == "1 of 1 files not imported (see above)."
    assert out == ""
    assert bars() == []
    assert not Quote.objects.exists()


def test_a_symbol_and_date_given_twice_is_a_fault_of_the_second_line(tmp_path):
    path = write(tmp_path, "twice.csv", GOOD + "AAPL,2026-03-02,10,11,9,10.6,,\n")

    _, err, error = run(path)

    assert "twice.csv, line 5: AAPL on 2026-03-02 is given twice in the file." in err
    assert error is not None
    assert not DailyBar.objects.exists()


def test_a_repeat_is_found_across_write_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("markets.importer.WRITE_BATCH", 2)
    path = write(tmp_path, "twice.csv", GOOD + "BRK.B,2026-03-04,1,1,1,1,,\nAAPL,2026-03-02,10,11,9,10.6,,\n")

    _, err, _error = run(path)

    assert "twice.csv, line 6: AAPL on 2026-03-02 is given twice in the file." in err
    assert not DailyBar.objects.exists()


def test_every_fault_of_a_file_is_listed_up_to_a_limit(tmp_path):
    rows = "".join(f"AAPL,2026-01-{day:02},10,9,11,10,,\n" for day in range(1, 26))
    path = write(tmp_path, "many.csv", rows)

    _, err, _ = run(path)

    lines = err.splitlines()
    assert lines[0] == "many.csv, line 2: high 9 is below low 11."
    assert lines[19] == "many.csv, line 21: high 9 is below low 11."
    assert lines[20] == "many.csv: stopped checking after 20 faults."
    assert len(lines) == 22


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("symbol,date,open,high,low,close,volume\n", "wrong.csv, line 1: the header must be"),
        ("date,symbol,open,high,low,close,adj_close,volume\n", "wrong.csv, line 1: the header must be"),
        ("AAPL,2026-03-02,10,11,9,10.5,,\n", "wrong.csv, line 1: the header must be"),
    ],
)
def test_a_wrong_header_is_an_error(tmp_path, header, message):
    _, err, error = run(write(tmp_path, "wrong.csv", GOOD, header=header))

    assert message in err
    assert error is not None
    assert not DailyBar.objects.exists()


def test_a_header_with_a_byte_order_mark_crlf_and_capitals_is_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER.upper() + GOOD).replace("\n", "\r\n").encode())

    out, _, error = run(path)

    assert error is None
    assert "3 bars new" in out


def test_an_empty_file_a_missing_file_and_a_binary_file_fail(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(HEADER.encode() + b"AAPL,2026-03-02,\xff\xfe,11,9,10.5,,\n")

    _, err, error = run(empty, tmp_path / "missing.csv", binary)

    assert "empty.csv: the file is empty" in err
    assert "missing.csv: cannot be read (No such file or directory)." in err
    assert "binary.csv: not UTF-8 text (invalid start byte)." in err
    assert str(error) == "3 of 3 files not imported (see above)."


def test_the_other_files_still_load_when_one_fails(tmp_path):
    good = write(tmp_path, "good.csv", GOOD)
    bad = write(tmp_path, "bad.csv", "MSFT,2026-03-02,10,9,11,10,,\n")
    other = write(tmp_path, "other.csv", "MSFT,2026-03-03,10,11,9,10,,\n")

    out, err, error = run(good, bad, other)

    assert "good.csv: 3 rows read, 3 bars new" in out
    assert "other.csv: 1 rows read, 1 bars new" in out
    assert "bad.csv, line 2: high 9 is below low 11." in err
    assert str(error) == "1 of 3 files not imported (see above)."
    assert DailyBar.objects.count() == 4
    assert not DailyBar.objects.filter(date="2026-03-02", symbol="MSFT").exists()


def test_a_fault_after_chunks_were_written_rolls_the_whole_file_back(tmp_path, monkeypatch):
    monkeypatch.setattr("markets.importer.WRITE_BATCH", 2)
    rows = "".join(f"AAPL,2026-01-{day:02},10,11,9,10,,\n" for day in range(1, 8)) + "AAPL,2026-01-20,1,0,2,1,,\n"

    _, err, _error = run(write(tmp_path, "late.csv", rows))

    assert "late.csv, line 9: high 0 is below low 2." in err
    assert not DailyBar.objects.exists()
    assert not Quote.objects.exists()


def test_a_file_larger_than_a_chunk_is_written_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("markets.importer.WRITE_BATCH", 3)
    rows = "".join(f"AAPL,2026-01-{day:02},10,11,9,{day},,\n" for day in range(1, 11))

    result = prices_import(path=write(tmp_path, "ten.csv", rows))

    assert (result.rows, result.counts.new, result.symbols) == (10, 10, 1)
    assert DailyBar.objects.count() == 10
    assert Quote.objects.get(symbol="AAPL").last == 10.0
    assert WRITE_BATCH >= 10_000  # the real chunk is large: the patch above only exercises the seams


def test_blank_lines_are_skipped(tmp_path):
    out, _, error = run(write(tmp_path, "blank.csv", GOOD.replace("\n", "\n\n", 1)))

    assert error is None
    assert "3 rows read, 3 bars new" in out


def test_import_prices_needs_a_file():
    with pytest.raises(CommandError, match="the following arguments are required: FILE"):
        call_command("import_prices")


def test_a_failed_write_stops_the_reading_thread_and_rolls_back(tmp_path, monkeypatch):
    monkeypatch.setattr("markets.importer.WRITE_BATCH", 2)
    rows = "".join(f"AAPL,2026-01-{day:02},10,11,9,10,,\n" for day in range(1, 21))
    path = write(tmp_path, "fails.csv", rows)
    writes = []
    real_write = BarWriter.write

    def write_twice(self, bars, **kwargs):
        writes.append(len(bars))
        if len(writes) == 2:
            raise OSError("the database went away")
        return real_write(self, bars, **kwargs)

    monkeypatch.setattr(BarWriter, "write", write_twice)

    with pytest.raises(OSError, match="the database went away"):
        prices_import(path=path)

    assert writes == [2, 2]
    assert not [thread for thread in threading.enumerate() if thread.name == "import_prices reader"]
    assert not DailyBar.objects.exists()
