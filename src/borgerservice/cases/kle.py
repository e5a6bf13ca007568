"""KLE suggestions: which KLE topics (emner) a case is probably about, from its text.

When a case is journalised it gets a KLE number (Kommunernes Landsforenings
Emnesystematik, "32.18.14"). OS2KLE gives every topic a list of keywords with
weights; like OS2KLE's own matcher this module looks for those keyword phrases
in the case's text and ranks the topics whose phrases it finds.

Text and phrases are compared word by word after folding (``core.text.fold``:
"døende" and "doende" meet, so do "ældre" and "aeldre") and Danish stemming
(``catalogue.search.stem``: "plejevederlaget" finds "plejevederlag"). A
one-word keyword also matches the first or last part of a compound
("boligstøtteansøgning" finds "boligstøtte"). A found phrase scores its OS2KLE
weight (on a log scale), its rarity across topics (IDF) and its length; the
topic's title counts as a strong phrase and its words as weak ones.

The index is built once per process from ``KleTopic`` and rebuilt when the
catalogue version changes (``kle_import`` and every saved ``KleTopic`` bump
it), the same way as the catalogue search index.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise

from borgerservice.catalogue.search import STOPWORDS, stem
from borgerservice.catalogue.selectors import PerCatalogueVersion
from borgerservice.core.text import tokens

# Keyword weight of a topic title's parts ("Plejevederlag, pasning af døende" gives
# "plejevederlag" and "pasning af døende") and of its single words.
TITLE_PHRASE_WEIGHT = 50
TITLE_WORD_WEIGHT = 2
# A match inside a compound is weaker evidence than a whole word.
Q_COMPOUND = 0.5
MIN_COMPOUND_PART = 5  # the keyword's length, for a compound match
MIN_COMPOUND_REST = 3  # what is left of the word around it
RELATIVE_CUTOFF = 0.15  # suggestions under this share of the best are dropped
MAX_TEXT = 40_000  # characters of case text looked at
# Title words that say nothing about the topic ("Ydelser efter serviceloven i almindelighed").
TITLE_STOPWORDS = STOPWORDS | frozenset(
    tokens(
        "efter samt under over mellem andre anden andet særlig særlige almindelighed "
        "vedrørende herunder øvrige øvrig diverse generelt generelle sager opgaver"
    )
)
TITLE_SPLIT = re.compile(r"[,;:()/]| og | samt | m\.fl\.| mv\.| i almindelighed")


@dataclass(frozen=True)
class KleSuggestion:
    code: str
    title: str
    score: float
    matched: tuple[str, ...]  # the keywords (as OS2KLE writes them) found in the text


@dataclass(eq=False)
class _Phrase:
    terms: tuple[str, ...]
    # Topic position → (weight factor, keyword as written), for every topic that has it.
    topics: dict[int, tuple[float, str]]
    # (topic position, weight factor × rarity × length), computed once all are added.
    entries: tuple[tuple[int, float], ...] = ()


def _weight_factor(weight: float) -> float:
    """OS2KLE weights are 5 for an ordinary keyword, 20-500 for strong ones: 5 → 1,
    50 → 3.5, 500 → 6.7, 1 → 0.26."""
    return math.log2(1.0 + max(weight, 0.0) / 5.0)


class KleIndex:
    def __init__(self, topics: list[tuple[str, str, list]]):
        """``topics``: (code, title, [[keyword, weight], ...]) as stored in ``KleTopic``."""
        self.codes: list[str] = []
        self.titles: list[str] = []
        self._stems: dict[str, str] = {}
        phrases: dict[tuple[str, ...], _Phrase] = {}

        def add(position: int, text: str, weight: float, shown: str) -> None:
            terms = self._terms(text)
            if not terms or all(t.isdigit() for t in terms):
                return
            if len(terms) == 1 and (terms[0] in STOPWORDS or len(terms[0]) < 2):
                return
            factor = _weight_factor(weight)
            phrase = phrases.setdefault(terms, _Phrase(terms, {}))
            known = phrase.topics.get(position)
            if known is None or factor > known[0]:
                phrase.topics[position] = (factor, shown)

        # In code order, so that equal scores rank by KLE number (the lower position).
        for position, (code, title, keywords) in enumerate(sorted(topics)):
            self.codes.append(code)
            self.titles.append(title)
            for keyword, weight in keywords:
                add(position, str(keyword), float(weight), str(keyword))
            for part in TITLE_SPLIT.split(f" {title} "):
                add(position, part, TITLE_PHRASE_WEIGHT, part.strip())
            for word in tokens(title):
                if len(word) >= 4 and word not in TITLE_STOPWORDS:
                    add(position, word, TITLE_WORD_WEIGHT, word)
        count = max(len(self.codes), 1)
        # One-word phrases by their term; longer ones by their first two terms.
        self.single: dict[str, _Phrase] = {}
        by_pair: dict[tuple[str, str], list[_Phrase]] = defaultdict(list)
        for terms, phrase in phrases.items():
            idf = math.log(1.0 + count / len(phrase.topics))
            length = 1.0 + 0.5 * (len(terms) - 1)
            phrase.entries = tuple(
                (position, factor * idf * length)
                for position, (factor, _shown) in phrase.topics.items()
            )
            if len(terms) == 1:
                self.single[terms[0]] = phrase
            else:
                by_pair[terms[:2]].append(phrase)
        self.by_pair = dict(by_pair)
        # One-word phrases by their folded, unstemmed form, for compound matches.
        self.words: dict[str, str] = {
            word: term
            for word, term in self._stems.items()
            if term in self.single and len(word) >= MIN_COMPOUND_PART
        }
        self._compounds: dict[str, tuple[tuple[str, float], ...]] = {}

    def __len__(self) -> int:
        return len(self.codes)

    # -- text -------------------------------------------------------------------------------

    def _stem(self, word: str) -> str:
        term = self._stems.get(word)
        if term is None:
            term = stem(word)
            if len(self._stems) < 500_000:
                self._stems[word] = term
        return term

    def _terms(self, text: str) -> tuple[str, ...]:
        return tuple(self._stem(word) for word in tokens(text))

    def _compound_terms(self, word: str) -> tuple[tuple[str, float], ...]:
        """One-word keywords that ``word`` starts or ends with ("boligstotteansogning"),
        each with the share of the word it covers."""
        found = self._compounds.get(word)
        if found is not None:
            return found
        parts: dict[str, float] = {}
        size = len(word)
        for length in range(MIN_COMPOUND_PART, size - MIN_COMPOUND_REST + 1):
            for piece in (word[:length], word[size - length :]):
                term = self.words.get(piece)
                if term is not None:
                    parts[term] = max(parts.get(term, 0.0), length / size)
        found = tuple(parts.items())
        if len(self._compounds) < 200_000:
            self._compounds[word] = found
        return found

    # -- matching ---------------------------------------------------------------------------

    def suggest(self, text: str, *, limit: int = 5) -> list[KleSuggestion]:
        if not self.codes or not text or limit <= 0:
            return []
        words = tokens(text[:MAX_TEXT])
        stems, stem_of = self._stems, self._stem
        terms = [stems.get(word) or stem_of(word) for word in words]
        single, by_pair = self.single, self.by_pair
        quality: dict[_Phrase, float] = {}  # best match quality of each phrase found
        counts: dict[_Phrase, int] = defaultdict(int)
        # One-word phrases (and compounds) once per distinct word, with its count.
        for word, times in Counter(words).items():
            phrase = single.get(stems.get(word) or stem_of(word))
            if phrase is not None:
                counts[phrase] += times
                quality[phrase] = 1.0
            elif len(word) >= MIN_COMPOUND_PART + MIN_COMPOUND_REST:
                for part, share in self._compound_terms(word):
                    phrase = single[part]
                    # The longer the keyword is in the word, the more the word is about it.
                    value = Q_COMPOUND * (0.5 + share)
                    if value > quality.get(phrase, 0.0):
                        quality[phrase] = value
                    counts[phrase] += times
        size = len(terms)
        for i, pair in enumerate(pairwise(terms)):
            candidates = by_pair.get(pair)
            if candidates is None:
                continue
            for phrase in candidates:
                n = len(phrase.terms)
                if n == 2 or (i + n <= size and tuple(terms[i : i + n]) == phrase.terms):
                    counts[phrase] += 1
                    quality[phrase] = 1.0
        if not quality:
            return []
        scores: dict[int, float] = defaultdict(float)
        bases = {}
        for phrase, how_well in quality.items():
            base = bases[phrase] = how_well * (1.0 + 0.5 * math.log(counts[phrase]))
            for position, weight in phrase.entries:
                scores[position] += base * weight
        best = heapq.nlargest(limit, scores, key=scores.__getitem__)
        # Equal scores rank by KLE number, also at the edge of the list.
        edge = scores[best[-1]]
        tied = {position for position, score in scores.items() if score == edge}
        ranked = sorted({*best, *tied}, key=lambda position: (-scores[position], position))
        top = [(position, scores[position]) for position in ranked[:limit]]
        cutoff = top[0][1] * RELATIVE_CUTOFF
        suggestions = []
        for position, score in top:
            if score < cutoff:
                break
            matched = sorted(
                (
                    (base * phrase.topics[position][0], phrase.topics[position][1])
                    for phrase, base in bases.items()
                    if position in phrase.topics
                ),
                key=lambda pair: -pair[0],
            )
            suggestions.append(
                KleSuggestion(
                    code=self.codes[position],
                    title=self.titles[position],
                    score=round(score, 3),
                    matched=tuple(shown for _value, shown in matched),
                )
            )
        return suggestions


# -- the index of this process ------------------------------------------------------------------


def _build_index() -> KleIndex:
    from borgerservice.catalogue.models import KleTopic

    rows = KleTopic.objects.order_by("code").values_list("code", "title", "keywords")
    return KleIndex([(code, title, keywords or []) for code, title, keywords in rows])


def catalogue_version() -> int:
    """``catalogue.selectors.catalogue_version`` in plain SQL: it is asked on every call,
    and the ORM's own cost would be most of a suggestion's time."""
    from django.db import connection

    from borgerservice.catalogue.models import CatalogueState

    meta = CatalogueState._meta
    quote = connection.ops.quote_name
    # Only the model's own table and column names are put into the text.
    sql = (
        f"SELECT {quote(meta.get_field('version').column)} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [1])
        row = cursor.fetchone()
    return row[0] if row else 0


def kle_index() -> KleIndex:
    """The KLE index of this process, rebuilt when the catalogue (KLE included) changed."""
    return _index.get()


_index = PerCatalogueVersion(_build_index, version=catalogue_version)


def kle_loaded() -> bool:
    return len(kle_index()) > 0


def kle_suggest(text: str, *, limit: int = 5) -> list[KleSuggestion]:
    """The KLE topics ``text`` is most likely about, best first; [] without KLE."""
    return kle_index().suggest(text, limit=limit)


def case_kle_text(case) -> str:
    """What a case is about, in words: its title, the titles in its journal, its notes
    and the messages with the citizen (newest notes and messages first, then cut)."""
    parts = [case.title]
    parts += case.journal.order_by("number").values_list("title", flat=True)
    parts += case.notes.order_by("-created_at", "-id").values_list("text", flat=True)[:50]
    parts += case.messages.order_by("-created_at", "-id").values_list("text", flat=True)[:50]
    return "\n".join(parts)[:MAX_TEXT]


def case_kle_suggest(case, *, limit: int = 5) -> list[KleSuggestion]:
    index = kle_index()
    if not len(index):
        return []
    return index.suggest(case_kle_text(case), limit=limit)
