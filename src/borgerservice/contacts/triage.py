"""The triage classifier: free text in, the most likely services out.

The method is Amsterdam's Signalen made to fit about 140 services and what citizens really
write: word counts → TF-IDF → logistic regression, over two kinds of features side by side.

- **Words**, folded (æ→ae, ø→o, å→a, "oe"/"aa" spellings; see ``core.text``) and stemmed with
  the Danish Snowball stemmer, single and in pairs. "Boligstøtte", "boligstotte" and
  "boligstøtten" are one feature.
- **Character n-grams** (3–5 letters inside word boundaries) of the folded text. They carry
  typos, OCR errors of scanned letters ("Kebenhavns", "ansegning"), compounds
  ("boligstøtteansøgning" shares most of its n-grams with "ansøgning om boligstøtte") and
  words the stemmer does not know.

Before anything is classified or stored, ``prepare`` cuts quoted replies and signatures from
emails and masks CPR numbers, phone numbers and email addresses.

The probabilities are calibrated by temperature scaling: part of the training examples is
held back, the model trained on the rest, and the temperature that minimises the log-loss on
the held-back part is kept; the final model is then trained on everything. So "0.9" means
that about nine in ten such suggestions are right, which is what a per-department routing
threshold needs.

The model is stored without pickle: vocabularies as text, numbers as numpy arrays in one
``.npz``, so a stored version loads with any later scikit-learn and cannot run code.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from borgerservice.catalogue.search import STOPWORDS, stem
from borgerservice.core.text import fold

FORMAT = 1
MAX_CHARS = 3000  # the opening of a long message says what it is about

# --- masking of personal data ---------------------------------------------------------------

MASK_CPR = "[CPR]"
MASK_PHONE = "[TELEFON]"
MASK_EMAIL = "[EMAIL]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Ten digits as DDMMYY-XXXX, with or without the dash or a space.
_CPR = re.compile(r"(?<![\d-])(?:[0-3]\d[01]\d\d\d)[ -]?\d{4}(?![\d-])")
# Danish numbers (8 digits, in groups of 2 or 4, optionally +45/0045) and international
# ones written with a leading + or 00.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ -]?)?"
    r"(?:\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}|\d{4}[ -]\d{4})(?![\d])"
    r"|(?<![\w+])(?:\+|00)\d{1,3}(?:[ -]?\d){6,12}(?!\d)"
)


def mask_personal_data(text: str) -> str:
    """Replace CPR numbers, phone numbers and email addresses by placeholders."""
    text = _EMAIL.sub(MASK_EMAIL, text)
    text = _CPR.sub(MASK_CPR, text)
    return _PHONE.sub(MASK_PHONE, text)


# --- cleaning emails: quoted replies and signatures -----------------------------------------

_QUOTE_HEADER = re.compile(
    r"^\s*(?:-{2,}\s*(?:original|oprindelig|videresendt|forwarded)[^\n]*-{2,}"
    r"|(?:den|d\.|on)\b[^\n]{0,120}\b(?:skrev|wrote)\b[^\n]*:?"
    r"|(?:fra|from)\s*:[^\n]*\n\s*(?:sendt|sent|dato|date|til|to)\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:med\s+venlig(?:e|st)?\s+hilsen?|venlig(?:st)?\s+hilsen|de\s+bedste\s+hilsner"
    r"|mange\s+hilsner|hilsen|vh|mvh|m\.v\.h\.?|kind\s+regards|best\s+regards|regards"
    r"|best|thanks|thank\s+you|sincerely|yours\s+sincerely|cheers|tak\s+på\s+forhånd"
    r"|på\s+forhånd\s+tak)\b[\s,.!]*(?:\n|$)",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE_DASHES = re.compile(r"^--\s*$", re.MULTILINE)
_SENT_FROM = re.compile(r"^\s*(?:sendt fra min|sent from my|hentet fra)\b.*$", re.I | re.M)
MIN_OWN_WORDS = 6


def strip_reply_and_signature(text: str) -> str:
    """The citizen's own words: without a quoted earlier message and without the signature.

    When what is left is very short ("Se nedenfor", "Tak"), the quoted part is kept, since it
    is then what the message is about.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    own, quoted = text, []
    header = _QUOTE_HEADER.search(own)
    if header:
        own, rest = own[: header.start()], own[header.end() :]
        quoted += [line.lstrip().lstrip("> ") for line in rest.split("\n")]
    lines = []
    for line in own.split("\n"):
        if line.lstrip().startswith(">"):
            quoted.append(line.lstrip().lstrip("> "))
        else:
            lines.append(line)
    own = _SENT_FROM.sub("", "\n".join(lines))
    dashes = _SIGNATURE_DASHES.search(own)
    if dashes:
        own = own[: dashes.start()]
    sign_off = None
    for match in _SIGN_OFF.finditer(own):
        sign_off = match  # the last sign-off
    if sign_off is not None and own[sign_off.end() :].count("\n") <= 8:
        own = own[: sign_off.start()]
    if quoted and len(own.split()) < MIN_OWN_WORDS:
        own = own + "\n" + "\n".join(quoted)
    return own.strip()


def prepare(text: str) -> str:
    """The text as it is classified and stored as training data: signature and quoted reply
    removed, personal data masked, capped in length."""
    return mask_personal_data(strip_reply_and_signature(text))[:MAX_CHARS]


# --- features ---------------------------------------------------------------------------------

_PLACEHOLDERS = re.compile(r"\[(?:cpr|telefon|email)\]")
_WORD = re.compile(r"[0-9a-z]+")
_SPACES = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Folded text with placeholders and punctuation removed: the input of both analysers."""
    return _SPACES.sub(" ", _PLACEHOLDERS.sub(" ", fold(text))).strip()


_stems: dict[str, str] = {}


def _stem(token: str) -> str:
    cached = _stems.get(token)
    if cached is None:
        cached = stem(token)
        if len(_stems) < 200_000:
            _stems[token] = cached
    return cached


def word_features(normalised: str) -> list[str]:
    """Stems of the meaningful words, and pairs of neighbouring stems."""
    stems = [
        _stem(t)
        for t in normalised.split()
        if t not in STOPWORDS and (len(t) > 1 or t.isdigit()) and not t.isdigit()
    ]
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


@dataclass(frozen=True)
class Params:
    c: float = 20.0  # inverse regularisation of the logistic regression
    char_weight: float = 1.0
    word_weight: float = 1.0
    min_df_char: int = 2
    solver: str = "saga"
    max_iter: int = 40
    tol: float = 1e-3
    prune: float = 0.02  # coefficients smaller than this are dropped from the stored model
    calibration_share: float = 0.2
    seed: int = 7


@dataclass
class Suggestion:
    code: str
    confidence: float


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    counts = counts.astype(np.float32)
    counts.data = 1.0 + np.log(counts.data)  # sublinear term frequency
    return normalize(counts.multiply(idf).tocsr(), copy=False)


def _idf(counts: sparse.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


class TriageClassifier:
    """A trained model: two vocabularies with their IDF, a sparse weight matrix, the
    intercepts, the temperature and the service codes in column order."""

    def __init__(
        self,
        *,
        codes: list[str],
        word_vocabulary: list[str],
        word_idf: np.ndarray,
        char_vocabulary: list[str],
        char_idf: np.ndarray,
        weights: sparse.csr_matrix,
        intercept: np.ndarray,
        temperature: float,
        params: Params,
        info: dict | None = None,
    ) -> None:
        self.codes = codes
        self.params = params
        self.temperature = temperature
        self.info = info or {}
        self.word_vocabulary = word_vocabulary
        self.char_vocabulary = char_vocabulary
        self._word = CountVectorizer(
            analyzer=word_features, vocabulary={t: i for i, t in enumerate(word_vocabulary)}
        )
        self._char = CountVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            lowercase=False,
            vocabulary={t: i for i, t in enumerate(char_vocabulary)},
        )
        self.word_idf = word_idf.astype(np.float32)
        self.char_idf = char_idf.astype(np.float32)
        self.weights = weights.tocsr().astype(np.float32)  # services × features, as stored
        # Dense in memory (features × services, about 30 MB): one text's score is then a
        # gather of its few hundred feature rows.
        self.weights_t = np.ascontiguousarray(self.weights.T.toarray())
        self.intercept = intercept.astype(np.float32)
        self._word_index = self._word.vocabulary
        self._char_index = self._char.vocabulary
        self._char_ngrams = self._char.build_analyzer()

    # -- use --

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        normalised = [normalise(t) for t in texts]
        return _features(
            self._word.transform(normalised),
            self._char.transform(normalised),
            self.word_idf,
            self.char_idf,
            self.params,
        )

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._logits_one(texts[0])[np.newaxis, :]
        return np.asarray(self.features(texts) @ self.weights_t) + self.intercept

    def _block(self, terms: list[str], index: dict, idf: np.ndarray, weight: float):
        counts: dict[int, int] = {}
        for term in terms:
            j = index.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        columns = np.fromiter(counts, np.int64, len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))) * idf[
            columns
        ]
        return columns, values * (weight / np.linalg.norm(values))

    def _logits_one(self, text: str) -> np.ndarray:
        """The same numbers as the batch path for one text, without building sparse
        matrices: the usual case of one message arriving."""
        normalised = normalise(text)
        word_columns, word_values = self._block(
            word_features(normalised), self._word_index, self.word_idf, self.params.word_weight
        )
        char_columns, char_values = self._block(
            self._char_ngrams(normalised), self._char_index, self.char_idf, self.params.char_weight
        )
        columns = np.concatenate([word_columns, char_columns + len(self.word_vocabulary)])
        values = np.concatenate([word_values, char_values])
        return values @ self.weights_t[columns] + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(texts) / self.temperature)

    def suggest(self, texts: Sequence[str], k: int = 3) -> list[list[Suggestion]]:
        """The ``k`` most likely services for each text, best first. Texts are used as
        given: pass them through ``prepare`` first."""
        if not texts:
            return []
        probabilities = self.probabilities(texts)
        k = min(k, len(self.codes))
        best = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
        out = []
        for row, candidates in zip(probabilities, best, strict=True):
            ordered = sorted(candidates, key=lambda j: -row[j])
            out.append([Suggestion(self.codes[j], round(float(row[j]), 4)) for j in ordered])
        return out

    # -- storage --

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        meta = {
            "format": FORMAT,
            "codes": self.codes,
            "temperature": self.temperature,
            "params": self.params.__dict__,
            "info": self.info,
        }
        w = self.weights
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            word_vocabulary=np.frombuffer("\n".join(self.word_vocabulary).encode(), np.uint8),
            char_vocabulary=np.frombuffer("\n".join(self.char_vocabulary).encode(), np.uint8),
            word_idf=self.word_idf,
            char_idf=self.char_idf,
            w_data=w.data.astype(np.float16),
            w_indices=w.indices.astype(np.int32),
            w_indptr=w.indptr.astype(np.int64),
            w_shape=np.array(w.shape, dtype=np.int64),
            intercept=self.intercept,
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> TriageClassifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode())
            if meta.get("format") != FORMAT:
                raise ValueError(f"unknown triage model format {meta.get('format')}")
            weights = sparse.csr_matrix(
                (
                    npz["w_data"].astype(np.float32),
                    npz["w_indices"],
                    npz["w_indptr"],
                ),
                shape=tuple(npz["w_shape"]),
            )
            return cls(
                codes=meta["codes"],
                word_vocabulary=_lines(npz["word_vocabulary"]),
                word_idf=npz["word_idf"],
                char_vocabulary=_lines(npz["char_vocabulary"]),
                char_idf=npz["char_idf"],
                weights=weights,
                intercept=npz["intercept"],
                temperature=float(meta["temperature"]),
                params=Params(**meta["params"]),
                info=meta.get("info", {}),
            )


def _lines(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode()
    return text.split("\n") if text else []


def _features(word_counts, char_counts, word_idf, char_idf, params: Params):
    return sparse.hstack(
        [
            _tfidf(word_counts, word_idf) * params.word_weight,
            _tfidf(char_counts, char_idf) * params.char_weight,
        ],
        format="csr",
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


# --- training ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    service: str
    source: str = "phrasing"  # catalogue | phrasing | kle | staff
    weight: float = 1.0


@dataclass
class _Fitted:
    word_vocabulary: list[str]
    char_vocabulary: list[str]
    word_idf: np.ndarray
    char_idf: np.ndarray
    codes: list[str]
    coef: np.ndarray
    intercept: np.ndarray


def _fit(examples: Sequence[Example], params: Params) -> _Fitted:
    normalised = [normalise(e.text) for e in examples]
    word = CountVectorizer(analyzer=word_features, min_df=1)
    char = CountVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=False, min_df=params.min_df_char
    )
    word_counts = word.fit_transform(normalised)
    char_counts = char.fit_transform(normalised)
    word_idf, char_idf = _idf(word_counts), _idf(char_counts)
    x = _features(word_counts, char_counts, word_idf, char_idf, params)
    codes = sorted({e.service for e in examples})
    index = {c: i for i, c in enumerate(codes)}
    y = np.array([index[e.service] for e in examples])
    model = LogisticRegression(
        C=params.c,
        solver=params.solver,
        max_iter=params.max_iter,
        tol=params.tol,
        random_state=params.seed,
    )
    with warnings.catch_warnings():
        # saga stops after max_iter epochs by design: enough for the ranking, and the
        # temperature is fitted on the result.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y, sample_weight=np.array([e.weight for e in examples]))
    coef = np.zeros((len(codes), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(codes), dtype=np.float32)
    coef[model.classes_] = model.coef_
    intercept[model.classes_] = model.intercept_
    return _Fitted(
        word_vocabulary=_vocabulary_list(word),
        char_vocabulary=_vocabulary_list(char),
        word_idf=word_idf,
        char_idf=char_idf,
        codes=codes,
        coef=coef,
        intercept=intercept,
    )


def _vocabulary_list(vectorizer: CountVectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        terms[i] = term
    return terms


def _classifier(fitted: _Fitted, params: Params, temperature: float, info: dict):
    coef = fitted.coef.copy()
    coef[np.abs(coef) < params.prune] = 0.0
    return TriageClassifier(
        codes=fitted.codes,
        word_vocabulary=fitted.word_vocabulary,
        word_idf=fitted.word_idf,
        char_vocabulary=fitted.char_vocabulary,
        char_idf=fitted.char_idf,
        weights=sparse.csr_matrix(coef),
        intercept=fitted.intercept,
        temperature=temperature,
        params=params,
        info=info,
    )


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log-loss of ``softmax(logits / T)`` (golden-section
    search on log T)."""

    def loss(log_t: float) -> float:
        p = softmax(logits / math.exp(log_t))
        return -float(np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1))))

    lo, hi = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return math.exp((lo + hi) / 2)


def train(examples: Sequence[Example], params: Params | None = None) -> TriageClassifier:
    """Train a calibrated classifier. Catalogue texts (names, synonyms, descriptions) always
    stay in the training part; the calibration part is drawn from the phrasings and staff
    decisions, stratified by service, since those look like what will be classified."""
    params = params or Params()
    started = time.perf_counter()
    examples = [e for e in examples if normalise(e.text)]
    rng = np.random.default_rng(params.seed)
    by_service: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        if e.source in ("phrasing", "staff"):
            by_service[e.service].append(i)
    held: set[int] = set()
    for indices in by_service.values():
        if len(indices) >= 5:
            count = max(1, round(len(indices) * params.calibration_share))
            held.update(rng.choice(indices, size=count, replace=False).tolist())
    temperature = 1.0
    calibration: dict = {}
    if held:
        part = [e for i, e in enumerate(examples) if i not in held]
        check = [examples[i] for i in sorted(held)]
        provisional = _classifier(_fit(part, params), params, 1.0, {})
        known = [e for e in check if e.service in set(provisional.codes)]
        position = {c: i for i, c in enumerate(provisional.codes)}
        logits = provisional.logits([e.text for e in known])
        truth = np.array([position[e.service] for e in known])
        temperature = fit_temperature(logits, truth)
        probabilities = softmax(logits / temperature)
        calibration = {
            "calibration_examples": len(known),
            "calibration_top1": _top_k_accuracy(probabilities, truth, 1),
            "calibration_top3": _top_k_accuracy(probabilities, truth, 3),
            "calibration_ece": expected_calibration_error(probabilities, truth),
        }
    fitted = _fit(examples, params)
    sources = Counter(e.source for e in examples)
    info = {
        "examples": len(examples),
        "sources": dict(sources),
        "services": len(fitted.codes),
        "features": len(fitted.word_vocabulary) + len(fitted.char_vocabulary),
        "temperature": round(temperature, 4),
        **calibration,
    }
    classifier = _classifier(fitted, params, temperature, info)
    info["training_seconds"] = round(time.perf_counter() - started, 2)
    return classifier


# --- evaluation -------------------------------------------------------------------------------


def _top_k_accuracy(probabilities: np.ndarray, truth: np.ndarray, k: int) -> float:
    if len(truth) == 0:
        return 0.0
    k = min(k, probabilities.shape[1])
    best = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    return float(np.mean([t in row for t, row in zip(truth, best, strict=True)]))


def expected_calibration_error(probabilities: np.ndarray, truth: np.ndarray, bins: int = 10):
    """The mean gap between confidence and accuracy of the best suggestion, over 10 bins."""
    if len(truth) == 0:
        return 0.0
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth
    error = 0.0
    for low in np.linspace(0, 1, bins, endpoint=False):
        mask = (confidence > low) & (confidence <= low + 1 / bins)
        if mask.any():
            error += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(error)


@dataclass
class Evaluation:
    total: int
    top1: float
    top3: float
    macro_f1: float
    ece: float
    unknown: int  # items whose service the model does not know (counted as wrong)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    per_department: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "macro_f1": round(self.macro_f1, 4),
            "ece": round(self.ece, 4),
            "unknown": self.unknown,
            "per_department": self.per_department,
            "confusion": self.confusion,
        }


def evaluate(
    classifier: TriageClassifier,
    items: Iterable[tuple[str, str]],
    department_of: dict[str, str],
) -> Evaluation:
    """Top-1 and top-3 accuracy, macro-F1 over the services in the file, calibration error
    and a confusion table between departments (true department → department of the best
    suggestion). ``items`` are (text, service code)."""
    from sklearn.metrics import f1_score

    items = list(items)
    texts = [prepare(t) for t, _s in items]
    truth_codes = [s for _t, s in items]
    if not items:
        return Evaluation(0, 0.0, 0.0, 0.0, 0.0, 0)
    probabilities = classifier.probabilities(texts)
    position = {c: i for i, c in enumerate(classifier.codes)}
    truth = np.array([position.get(s, -1) for s in truth_codes])
    best = probabilities.argmax(axis=1)
    predicted_codes = [classifier.codes[j] for j in best]
    labels = sorted(set(truth_codes))
    macro_f1 = float(
        f1_score(truth_codes, predicted_codes, labels=labels, average="macro", zero_division=0)
    )
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_department: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    top3 = np.argsort(-probabilities, axis=1)[:, :3]
    misses = []
    for text, code, predicted, row, t in zip(
        texts, truth_codes, predicted_codes, top3, truth, strict=True
    ):
        true_department = department_of.get(code, "?")
        confusion[true_department][department_of.get(predicted, "?")] += 1
        stats = per_department[true_department]
        stats[0] += 1
        stats[1] += int(predicted == code)
        stats[2] += int(t in row)
        if predicted != code:
            misses.append((code, predicted, text[:120]))
    return Evaluation(
        total=len(items),
        top1=float(np.mean(best == truth)),
        top3=_top_k_accuracy(probabilities, truth, 3),
        macro_f1=macro_f1,
        ece=expected_calibration_error(probabilities[truth >= 0], truth[truth >= 0]),
        unknown=int(np.sum(truth < 0)),
        confusion={k: dict(v) for k, v in sorted(confusion.items())},
        per_department={
            k: {"n": n, "top1": round(a / n, 4), "top3": round(b / n, 4)}
            for k, (n, a, b) in sorted(per_department.items())
        },
        misses=misses,
    )
