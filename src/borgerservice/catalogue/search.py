"""Ranked catalogue search that understands how people actually write.

Staff and citizens search with everyday words ("p-bøde", "skrald",
"sundhedskort"), without æøå ("boligstotte"), with typos and with OCR noise
from scanned letters ("ansegning"). The index folds every word (see
``borgerservice.core.text``), stems it with the Danish Snowball stemmer, and
matches query words exactly, by stem, as prefix, inside compounds and, as a
last resort, within a small edit distance (RapidFuzz).

Each service is described by weighted fields: names, synonyms, its area, its
KLE topic's title and OS2KLE keywords (when KLE has been imported), the
description and the department. A query word scores the best field it hits,
weighted by how rare the matched term is (IDF). Services that match every
query word rank above those matching only some, and an exact match of the whole
query against a name or synonym ranks first.

The index is built per process from the database and rebuilt when the
catalogue's version number changes, so every app server answers alike.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import defaultdict
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from borgerservice.core.text import compact, tokens

# Field weights: how strongly a word in this field says "this is the service".
W_NAME_DA = 4.0
W_NAME_EN = 3.0
W_SYNONYM_DA = 3.5
W_SYNONYM_EN = 2.5
W_AREA = 1.5
W_KLE_TITLE = 1.2
W_KLE_KEYWORD = 1.0
W_DESCRIPTION = 0.8
W_DEPARTMENT = 0.6

# How good a match of a query word against an index term is.
Q_EXACT = 1.0
Q_STEM = 0.9
Q_PREFIX = 0.75
Q_COMPOUND = 0.6
Q_FUZZY = 0.6

WHOLE_PHRASE_BONUS = 1.3
RELATIVE_CUTOFF = 0.1  # results scoring under a tenth of the best are dropped

MIN_PREFIX = 3
MIN_COMPOUND = 4

# Words that carry no meaning for finding a service (folded forms).
STOPWORDS = frozenset(
    tokens(
        "jeg du han hun vi i de den det der som og eller at til fra af for med om på i ved en et "
        "min mit mine din dit dine sin sit sine vores jeres har have havde er var være blive blev "
        "vil skal kan kunne skulle ville må gerne hvordan hvad hvor hvornår hvem hvilken hvilke "
        "mig dig sig os jer dem nu så ikke også bare lige noget nogen mere meget få ny nyt nye "
        "the a an of to for in on at by with and or is are be my i you how what where when "
        "need want get can do does please about"
    )
)

_stemmer = snowballstemmer.stemmer("danish")
_stem_lock = threading.Lock()


# Irregular Danish nouns the stemmer cannot join (folded forms): "barn" and "børn" are
# one word to someone looking for a child's passport.
IRREGULAR = {"barn": "born", "barnet": "born", "bornene": "born", "mand": "maend", "mands": "maend"}


def stem(token: str) -> str:
    if token in IRREGULAR:
        return IRREGULAR[token]
    with _stem_lock:  # the Snowball stemmer object is not thread-safe
        return _stemmer.stemWord(token)


@dataclass(frozen=True)
class Hit:
    service_id: int
    score: float


@dataclass
class _Doc:
    service_id: int
    name_da: str
    phrases: frozenset[str]  # compact forms of names and synonyms


class SearchIndex:
    def __init__(self, documents: list[tuple[int, str, list[tuple[str, float]], list[str]]]):
        """``documents``: (service_id, Danish name, [(text, weight)], [phrases])."""
        self.docs: list[_Doc] = []
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for position, (service_id, name_da, fields, phrases) in enumerate(documents):
            self.docs.append(
                _Doc(service_id, name_da, frozenset(compact(p) for p in phrases if compact(p)))
            )
            for text, weight in fields:
                for token in tokens(text):
                    if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
                        continue
                    for term, quality in ((token, 1.0), (stem(token), Q_STEM)):
                        current = postings[term].get(position, 0.0)
                        if weight * quality > current:
                            postings[term][position] = weight * quality
        self.postings = dict(postings)
        count = max(len(self.docs), 1)
        self.idf = {
            term: math.log(1.0 + count / len(by_doc)) for term, by_doc in self.postings.items()
        }
        self.vocabulary = sorted(self.postings)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for term in self.vocabulary:
            self.by_length[len(term)].append(term)

    # -- matching ----------------------------------------------------------------------------

    def _prefixed(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.vocabulary, prefix)
        found = []
        for term in self.vocabulary[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        return found

    def _matches(self, word: str) -> dict[str, float]:
        """Index terms that ``word`` may mean, each with a match quality in (0, 1]."""
        found: dict[str, float] = {}

        def add(term: str, quality: float) -> None:
            if quality > found.get(term, 0.0):
                found[term] = quality

        if word in self.postings:
            add(word, Q_EXACT)
        stemmed = stem(word)
        if stemmed in self.postings:
            add(stemmed, Q_STEM)
        # When the word itself is in the index, longer words that merely contain it are
        # probably not what was meant ("pas" is a passport, not "pasning").
        damp = 0.6 if found else 1.0
        if len(word) >= MIN_PREFIX:
            for term in self._prefixed(stemmed if len(stemmed) >= MIN_PREFIX else word):
                # A short prefix of a long word is weaker evidence than a near-complete one.
                ratio = len(word) / max(len(term), len(word))
                add(term, damp * Q_PREFIX * (0.6 + 0.4 * ratio))
        strong = bool(found)
        if len(word) >= MIN_COMPOUND:
            for term in self.vocabulary:
                if len(term) > len(word) and word in term and not term.startswith(word):
                    # Danish compounds: "bøde" in "parkeringsbøde", "kort" in "sundhedskort".
                    ending = term.endswith(word) or term.endswith(stemmed)
                    add(term, damp * Q_COMPOUND * (1.0 if ending else 0.7))
                elif len(term) >= 5 and len(word) > len(term) and term in word:
                    # The query word is a compound of an index term ("boligstøtteansøgning").
                    add(term, Q_COMPOUND * len(term) / len(word))
        if not strong and len(word) >= 4:
            # No whole word matched: a typo, a missing æøå or OCR noise ("ansegning").
            limit = 1 if len(word) < 8 else 2
            candidates = [
                term
                for size in range(len(word) - limit, len(word) + limit + 1)
                for term in self.by_length.get(size, ())
            ]
            # Optimal string alignment: swapping two letters counts as one edit.
            for term, distance, _index in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=8
            ):
                add(term, Q_FUZZY * (1.0 - 0.25 * (distance - 1)))
        return found

    def search(self, query: str, limit: int | None = None) -> list[Hit]:
        words = [w for w in tokens(query) if w not in STOPWORDS]
        if not words:
            return []
        # Hyphenated and split forms: "p-bøde" → "p", "bode" and also "pbode".
        joined = compact(query)
        if len(words) > 1 and joined in self.postings:
            words.append(joined)
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        meaningful = [w for w in words if len(w) > 1 or w.isdigit()] or words
        for word in meaningful:
            best: dict[int, float] = {}
            for term, quality in self._matches(word).items():
                idf = self.idf[term]
                for position, weight in self.postings[term].items():
                    value = quality * weight * idf
                    if term in self.docs[position].phrases:
                        # The word is a whole name or synonym of the service on its own
                        # ("boligstøtte"), not just part of a longer phrase.
                        value *= WHOLE_PHRASE_BONUS
                    if value > best.get(position, 0.0):
                        best[position] = value
            for position, value in best.items():
                scores[position] += value
                matched[position] += 1
        if not scores:
            return []
        total_words = len(meaningful)
        ranked = []
        for position, score in scores.items():
            coverage = min(matched[position], total_words) / total_words
            score *= coverage**2
            if joined and joined in self.docs[position].phrases:
                score *= 3.0
            elif (
                joined
                and len(joined) >= MIN_COMPOUND
                and any(p.startswith(joined) for p in self.docs[position].phrases)
            ):
                score *= 1.5
            ranked.append((score, position))
        ranked.sort(key=lambda pair: (-pair[0], self.docs[pair[1]].name_da))
        # A long tail of services that only share a word fragment with the query is noise.
        cutoff = ranked[0][0] * RELATIVE_CUTOFF
        ranked = [pair for pair in ranked if pair[0] >= cutoff]
        if limit is not None:
            ranked = ranked[:limit]
        return [Hit(self.docs[position].service_id, round(score, 4)) for score, position in ranked]
