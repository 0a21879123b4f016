"""User text as people will see it: normalised, so that what is stored is what shows.

``text_normalise`` is the one pure function every service runs over text a
member writes (posts and quotes, comments, poll options, display names, bios,
report details) before checking its length:

- Unicode NFC, so one visible string has one spelling (and one length);
- direction controls (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069, U+061C)
  are dropped wherever they are: an override makes ``gpj.exe`` read
  ``exe.jpg``, and nothing people write here needs them;
- other invisible characters (zero-width space, word joiner, BOM, soft hyphen,
  Hangul fillers, the braille blank, control characters, default-ignorable
  code points in general) are dropped, except those that attach to the
  visible character before them (Unicode's grapheme-cluster extenders): the
  zero-width joiner inside ``👩‍💻``, a variation selector after ``❤`` and the
  tags of a subdivision flag stay; a zero-width space, or a joiner at the
  start or after a space, goes;
- whitespace of every kind stays inside the text and is trimmed at both ends.

So a text made only of invisible characters normalises to ``""``, which
``visible_text`` refuses with a 400 naming the field. The work is linear in the
text's length: three passes of patterns without nested quantifiers, written for
the ``regex`` package, which knows the Unicode properties the standard ``re``
does not (default-ignorable, bidi control, grapheme-cluster break).
"""

from __future__ import annotations

import unicodedata

import regex

from core.errors import Invalid

NOTHING_VISIBLE = "Must contain visible characters, not only spaces or invisible ones."

# Dropped wherever they are: direction controls, and control characters other than tab and line breaks.
_DROPPED = regex.compile(r"[\p{Bidi_Control}[\p{Cc}--[\t\n\r]]]", regex.VERSION1)
# Invisible characters that attach to the character before them (the zero-width joiner and
# non-joiner, variation selectors, tags...): part of that character's grapheme cluster.
_EXTENDER = r"[[\p{Default_Ignorable_Code_Point}&&[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}]]]"
# The other invisible characters (zero-width space, word joiner, BOM, soft hyphen, Hangul fillers,
# the braille blank, format characters...) stand alone, and take with them the extenders that would
# attach to them. The format characters that do show (the Arabic number sign and its kin, which
# Unicode calls prepended concatenation marks) stay.
_STRAY = regex.compile(
    r"[[\p{Default_Ignorable_Code_Point}\u2800[\p{Cf}--\p{Prepended_Concatenation_Mark}]]--"
    rf"{_EXTENDER}]{_EXTENDER}*+",
    regex.VERSION1,
)
# Extenders with nothing visible to attach to: at the start or after whitespace.
_DETACHED = regex.compile(rf"(?:^|(?<=\s)){_EXTENDER}++", regex.VERSION1)


def text_normalise(value: str) -> str:
    """``value`` in NFC, without direction controls or stray invisible characters, trimmed.

    Idempotent; the result is ``""`` or shows at least one visible character;
    visible characters are kept, in order. Three linear regular-expression passes.
    """
    text = _DROPPED.sub("", unicodedata.normalize("NFC", value))
    text = _DETACHED.sub("", _STRAY.sub("", text))
    # Removing a character can bring a base and a combining mark together: compose them again.
    return unicodedata.normalize("NFC", text).strip()


def visible_text(value: str, *, field: str) -> str:
    """``text_normalise(value)``; ``Invalid`` (a 400) naming ``field`` when ``value`` had characters but none visible.

    An empty ``value`` stays empty: whether a field may be empty is the caller's rule.
    """
    text = text_normalise(value)
    if value and not text:
        raise Invalid({field: [NOTHING_VISIBLE]}, code="blank")
    return text
