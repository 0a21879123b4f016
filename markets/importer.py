"""``import_prices``: CSV files of daily bars into ``DailyBar``, each file all or nothing.

A file is read once, as a stream: each row is checked (``markets.validation``) and sent to the
database in chunks (``BarWriter``) inside one transaction per file; the reading and checking run
in a thread a chunk or two ahead of the writing. The first bad row stops the
writing; the rest of the file is still checked, so one run lists every fault (up to
``MAX_ERRORS``), and the transaction is rolled back, so nothing from that file is kept. Memory
stays flat whatever the file's length: a chunk of bars, the symbols seen, and one bit per
symbol and day for the repeated-row check.
"""

from __future__ import annotations

import csv
import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any, TypeVar

from django.db import transaction

from core.errors import Invalid
from markets.services import WRITE_BATCH, Bar, BarWriter, WriteCounts
from markets.validation import HEADER, BarError, bar_parsed, latest_date

T = TypeVar("T")

# Faults listed per file before the check gives up on it.
MAX_ERRORS = 20


@dataclass
class ImportResult:
    """One file's import: rows read, what the write did, the distinct symbols."""

    file: Path
    rows: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    symbols: int = 0


class _SeenDays:
    """Which (symbol, date) pairs a file has had: one bit per day in a 64-byte block per symbol and
    512 days, so about a byte per six bars of a dense file (a set of pairs would take ~100 bytes a bar)."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, int], bytearray] = {}

    def add(self, symbol: str, date: datetime.date) -> bool:
        """Records the pair; False when it was already there."""
        block_number, day = divmod(date.toordinal(), 512)
        key = (symbol, block_number)
        block = self._blocks.get(key)
        if block is None:
            block = self._blocks[key] = bytearray(64)
        byte, bit = divmod(day, 8)
        if block[byte] >> bit & 1:
            return False
        block[byte] |= 1 << bit
        return True


def prices_import(*, path: Path, max_errors: int = MAX_ERRORS) -> ImportResult:
    """Imports one CSV file of bars (header ``symbol,date,open,high,low,close,adj_close,volume``).

    A bar replaces the stored bar of its symbol and date; an unchanged bar is left as it was.
    Raises ``Invalid`` listing the faults by file and line (a wrong header, a bad value, a symbol
    and date given twice, an unreadable file), and then nothing from the file is written.
    """
    result = ImportResult(file=path)
    errors: list[str] = []
    with transaction.atomic(), BarWriter() as writer:
        for bars, lines in _read_ahead(_checked_chunks(path, result, errors, max_errors)):
            writer.write(bars, csv_lines=lines)
        if errors:
            # Leaving the transaction with an error rolls back every chunk already written.
            raise Invalid({"non_field_errors": errors})
        result.counts = writer.counts
    return result


def _checked_chunks(
    path: Path, result: ImportResult, errors: list[str], max_errors: int
) -> Iterator[tuple[list[Bar], list[str]]]:
    """The file's bars in chunks of ``WRITE_BATCH``, each with its rows as checked CSV lines; counts
    rows and symbols in ``result``. After the first fault it yields nothing more but goes on
    checking, appending each fault to ``errors``. A file that cannot be read raises ``Invalid``."""
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file, strict=True)
            header = next(reader, None)
            if header is None:
                raise Invalid(f"{name}: the file is empty; expected the header {','.join(HEADER)}.")
            if tuple(column.strip().lower() for column in header) != HEADER:
                raise Invalid(f"{name}, line 1: the header must be {','.join(HEADER)}, not {','.join(header)}.")
            known_symbols: set[str] = set()
            latest = latest_date()
            seen = _SeenDays()
            chunk: list[Bar] = []
            lines: list[str] = []
            for fields in reader:
                if not fields:  # a blank line
                    continue
                result.rows += 1
                try:
                    bar = bar_parsed(fields, known_symbols, latest)
                    if not seen.add(bar.symbol, bar.date):
                        raise BarError(f"{bar.symbol} on {bar.date.isoformat()} is given twice in the file")
                except BarError as error:
                    errors.append(f"{name}, line {reader.line_num}: {error}.")
                    if len(errors) >= max_errors:
                        errors.append(f"{name}: stopped checking after {max_errors} faults.")
                        break
                    continue
                if not errors:
                    chunk.append(bar)
                    # Checked: no field holds a comma, a quote or a line break.
                    lines.append(",".join(fields))
                    if len(chunk) >= WRITE_BATCH:
                        yield chunk, lines
                        chunk, lines = [], []
            result.symbols = len(known_symbols)
            if chunk and not errors:
                yield chunk, lines
    except csv.Error as error:
        raise Invalid(f"{name}, line {reader.line_num}: not valid CSV ({error}).") from error
    except UnicodeDecodeError as error:
        # Decoding runs ahead of the CSV reader by a block, so the line is not known.
        raise Invalid(f"{name}: not UTF-8 text ({error.reason}).") from error
    except OSError as error:
        raise Invalid(f"{name}: cannot be read ({error.strerror or error}).") from error


def _read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items``, produced in a thread up to ``depth`` ahead of the consumer.

    Reading and checking the next chunk (Python) then overlaps with the database merging the
    last one (the driver lets go of the GIL while it waits for the server): about a third off an
    import's time. The producer's exception is raised here, in the consumer; a consumer that
    stops early (an error while writing) stops the producer at its next chunk.
    """
    queue: Queue[tuple[str, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(message, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as error:  # handed to the consumer, who raises it
            put(("error", error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator stopped early closes its file now

    thread = threading.Thread(target=produce, name="import_prices reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join()
