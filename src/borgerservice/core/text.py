"""Text folding for search: Danish letters, spellings without æøå and OCR noise.

Citizens and staff type "boligstotte", "boligstoette" and "boligstøtte" for the
same word, and scanned letters turn "ø" into "g" or "e". ``fold`` maps a word to
a canonical ASCII skeleton so all of these meet: æ→ae, ø→o, å→a and the
two-letter spellings oe→o and aa→a. ``tokens`` splits a text into folded words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DANISH = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "ü": "u", "é": "e"})
_WORD = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, fold Danish letters and strip accents; keeps spaces and punctuation."""
    text = text.lower().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text.replace("oe", "o").replace("aa", "a")


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` ("P-bøde, Kbh." → ["p", "bode", "kbh"])."""
    return _WORD.findall(fold(text))


def compact(text: str) -> str:
    """Folded text without separators ("p-bøde" → "pbode"), for hyphenated forms."""
    return "".join(tokens(text))
