from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.cashtags import SYMBOL_RE, extract_tickers
from content.models import MAX_TICKERS_PER_POST
from core.testing import HOSTILE_UNITS, hostile, seconds_taken

LONG = 50_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$AAPL to the moon", ["AAPL"]),
        ("#aapl and #TSLA", ["AAPL", "TSLA"]),
        ("$aapl is the same as $AAPL and #Aapl", ["AAPL"]),
        ("Long $BRK.B and $bf.b", ["BRK.B", "BF.B"]),
        ("$TSLA, then $AAPL, then $TSLA again", ["TSLA", "AAPL"]),
        ("($NVDA) [$AMD] $SPY/$QQQ $MSFT's $F.", ["NVDA", "AMD", "SPY", "QQQ", "MSFT", "F"]),
        ("$AAPL.com is not a class", ["AAPL"]),
        ("$WWW.A is a ticker, www.example.com is a link", ["WWW.A"]),
        ("first line\n$KO\tsecond", ["KO"]),
        ("$C", ["C"]),
        # A link glued after a tag: the tag stays, the link goes.
        ("$AAPL-https://x.com/$TSLA", ["AAPL"]),
    ],
)
def test_extract_tickers_finds_cashtags_and_hashtags(text: str, expected: list[str]) -> None:
    assert extract_tickers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "$100",
        "$5.50 a share",
        "$1k in dividends, $2.5B buyback, $1.2M",
        "I lost 3$ today",
        "US$ and US$20",
        "https://x.com/a#frag",
        "https://example.com/?q=$AAPL#top",
        "see www.example.com/#frag",
        "see...https://x.com/$AAPL 1.http://x.com/#tsla _-ftp://x/$NVDA",
        "abc$AAPL and x#tsla",
        "$$AAPL ##tsla #$NVDA",
        "#earnings #dividends #investing $GOOGLEX",
        "é$AAPL 9#tsla",
        "&#39; &#x27;",
        "$ AAPL # TSLA",
        "",
    ],
)
def test_extract_tickers_ignores_amounts_links_and_glued_tags(text: str) -> None:
    assert extract_tickers(text) == []


def test_extract_tickers_stops_at_ten() -> None:
    symbols = [f"A{chr(65 + i)}" for i in range(12)]

    assert extract_tickers(" ".join(f"${s}" for s in symbols)) == symbols[:MAX_TICKERS_PER_POST]


symbols = st.from_regex(r"[A-Z]{1,5}(\.[A-Z]{1,2})?", fullmatch=True)
# Mostly the characters that matter to the rules, plus anything at all.
texts = st.text(
    alphabet=st.one_of(st.sampled_from(list("$#.:/&_- \n\taAbBzZ019é")), st.characters()),
    max_size=120,
)
whitespace = st.text(alphabet=st.sampled_from([" ", "\n", "\t", "\u00a0", "\u2003"]), max_size=3)


@given(texts)
def test_extract_tickers_output_is_unique_symbols_at_most_ten(text: str) -> None:
    result = extract_tickers(text)

    assert all(SYMBOL_RE.match(symbol) for symbol in result)
    assert len(result) == len(set(result))
    assert len(result) <= MAX_TICKERS_PER_POST


@given(texts, whitespace, whitespace)
def test_extract_tickers_is_stable_under_surrounding_whitespace(text: str, before: str, after: str) -> None:
    assert extract_tickers(before + text + after) == extract_tickers(text)


@given(texts, st.data(), symbols, st.sampled_from(["$", "#"]), st.booleans())
def test_extract_tickers_finds_any_symbol_inserted_between_spaces(
    text: str, data: st.DataObject, symbol: str, sign: str, lower: bool
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    tag = sign + (symbol.lower() if lower else symbol)

    result = extract_tickers(f"{text[:at]} {tag} {text[at:]}")

    # Found unless ten other tickers come before it.
    if len(extract_tickers(text[:at] + " ")) < MAX_TICKERS_PER_POST:
        assert symbol in result


@given(st.lists(symbols, max_size=15))
def test_extract_tickers_reads_back_its_own_output(listed: list[str]) -> None:
    result = extract_tickers(" ".join(f"${s}" for s in listed))

    assert result == list(dict.fromkeys(listed))[:MAX_TICKERS_PER_POST]
    assert extract_tickers(" ".join(f"#{s.lower()}" for s in result)) == result


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"${n}"),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(lambda d: f"${d}"),
    st.tuples(st.integers(min_value=1, max_value=999), st.sampled_from(["k", "K", "m", "M", "B", "bn"])).map(
        lambda t: f"${t[0]}{t[1]}"
    ),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n}$"),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"US${n}"),
)


@given(st.lists(amounts, max_size=10), st.sampled_from([" ", ", ", " and ", "\n", "; "]))
def test_extract_tickers_never_finds_amounts(listed: list[str], separator: str) -> None:
    assert extract_tickers(separator.join(listed)) == []


# Long hostile text (the link pattern once rescanned `a.a.a...` from every dot: quadratic).


@pytest.mark.parametrize("unit", [*HOSTILE_UNITS, "a+", "1.", "#a.", "$a.", "www.", "a://", "h.ttps-"])
def test_extract_tickers_is_linear_on_long_hostile_text(unit: str) -> None:
    text = hostile(unit, LONG)

    _, seconds = seconds_taken(lambda: extract_tickers(text))

    assert seconds < 0.5, f"{seconds:.3f} s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a." * LONG + " $AAPL https://x.com/$TSLA", ["AAPL"]),
        ("a-" * LONG + "https://x.com/$TSLA $KO", ["KO"]),
        ("$AAPL-" + "a." * LONG + "https://x.com/$TSLA", ["AAPL"]),
        ("www." * LONG + " #nvda", ["NVDA"]),
    ],
)
def test_extract_tickers_reads_long_hostile_text_right(text: str, expected: list[str]) -> None:
    assert extract_tickers(text) == expected
