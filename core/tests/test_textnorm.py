"""text_normalise: what is stored is what shows; nothing invisible passes for text."""

from __future__ import annotations

import functools
import unicodedata

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st

from core.errors import Invalid
from core.testing import seconds_taken
from core.textnorm import NOTHING_VISIBLE, text_normalise, visible_text

# Independent of the implementation's patterns: what a reader cannot see. The format characters
# that do show (the Arabic number sign and its kin, "prepended concatenation marks") count as visible.
_SHOWS = regex.compile(
    r"[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}[\p{Cf}--\p{Prepended_Concatenation_Mark}]\u2800]",
    regex.VERSION1,
)

INVISIBLES = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u180e"  # zero-width space/non-joiner/joiner, word joiner, BOM...
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # direction controls
    "\u3164\u115f\u1160\uffa0\u2800"  # Hangul fillers, braille blank
    "\ufe0f\U000e0067\U000e007f\ufff9\x00\x07\x1f"  # variation selector, tags, annotation anchor, controls
    " \t\n\r\u00a0\u1680\u2000\u2003\u200a\u2028\u2029\u202f\u205f\u3000"  # whitespace of every kind
)
VISIBLE = "aZé\u0301\u0323가\u1100\u1161👩💻❤\U0001f3f4ب\u0600."  # letters, combining marks, jamo, emoji

# Text made mostly of the awkward characters, so the examples hit the edge cases often.
awkward_text = st.text(alphabet=st.sampled_from(INVISIBLES + VISIBLE), max_size=40)
any_text = st.text(max_size=60)


def _visible(text: str) -> str:
    return unicodedata.normalize("NFD", "".join(_SHOWS.findall(unicodedata.normalize("NFD", text))))


@given(st.one_of(awkward_text, any_text))
@example("a\u200b\u0301")  # removing the space brings the mark to its base: composed again
@example("\u3000\u200dx")
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = text_normalise(text)
    assert text_normalise(once) == once


@given(st.one_of(awkward_text, any_text))
@example("\u0600")  # a visible format character alone
def test_the_result_is_empty_or_shows_something_at_both_ends(text: str) -> None:
    result = text_normalise(text)
    assert result == "" or (_SHOWS.search(result) and result == result.strip())
    assert unicodedata.is_normalized("NFC", result)


@given(st.one_of(awkward_text, any_text))
def test_every_visible_character_is_kept_in_order(text: str) -> None:
    assert _visible(text_normalise(text)) == _visible(text)


@given(st.text(alphabet=st.sampled_from(INVISIBLES), max_size=40))
def test_text_of_only_invisible_characters_is_empty(text: str) -> None:
    assert text_normalise(text) == ""


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("\u200b\u200d\u2060\ufeff", ""),
        ("\u3164\u115f\u1160\u2800", ""),
        (" \u00a0\u3000\u2003\n", ""),
        ("\u202eexe.jpg", "exe.jpg"),  # an override would show it reversed
        ("\u2066$AAPL\u2069 up", "$AAPL up"),
        ("$\u200bTSLA", "$TSLA"),  # a cashtag split by a zero-width space is one again
        ("e\u0301", "é"),  # NFC
        ("👩\u200d💻 writes", "👩\u200d💻 writes"),  # the joiner inside an emoji sequence stays
        ("❤\ufe0f", "❤\ufe0f"),  # so does a variation selector
        (
            "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
            "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        ),
        ("\u200dleading joiner", "leading joiner"),
        ("two\n\nlines\twith  spaces", "two\n\nlines\twith  spaces"),  # inner whitespace stays
        ("\u0600100", "\u0600100"),  # a format character that shows
    ],
)
def test_examples(raw: str, stored: str) -> None:
    assert text_normalise(raw) == stored


def test_visible_text_refuses_invisible_only_naming_the_field() -> None:
    with pytest.raises(Invalid) as caught:
        visible_text("\u200b\u202e", field="bio")
    assert caught.value.errors == {"bio": [NOTHING_VISIBLE]}
    assert visible_text("", field="bio") == ""  # empty by choice is the caller's rule
    assert visible_text(" hi\u200b ", field="bio") == "hi"


def test_a_megabyte_of_hostile_text_is_normalised_quickly() -> None:
    # Long runs of each kind of character the patterns treat specially (linear, not quadratic).
    for hostile in (" \u200b" * 500_000, "\u200d" * 1_000_000, "a\u200d" * 500_000, "\u3000\u200d" * 500_000):
        _, seconds = seconds_taken(functools.partial(text_normalise, hostile))
        assert seconds < 1.0, f"{seconds:.3f} s"
