"""KLE suggestions for case texts, on the real OS2KLE keywords when the file is present.

Builds texts of about 300 words from everyday case sentences (with and without æøå),
then times ``kle_suggest`` as the case page and the API call it: the version check
against the database and the match. Reports the index build, latency percentiles of
the whole call and of the match alone, and suggestions per second.
"""

from __future__ import annotations

import random
import time

from common import KLE_FILE, report, setup_django, summarise

ROUNDS = 20
TEXTS = 50
WORDS = 300
TARGET_P95_MS = 1.0

SENTENCES = [
    "Borgeren søger om plejevederlag for at passe sin døende mor i eget hjem.",
    "Hun ansøger om boligstøtte til sin lejlighed efter skilsmissen.",
    "Ansøgningen om helbredstillæg til tandbehandling er modtaget fra folkepensionisten.",
    "Han har brug for hjemmehjælp og madservice efter udskrivning fra hospitalet.",
    "Familien ønsker at forny pas og kørekort inden rejsen.",
    "Der er anmeldt rotter i kælderen under ejendommen.",
    "Borgeren klager over en parkeringsbøde udstedt på en privat vej.",
    "Vi har modtaget lægeerklæring og dokumentation for merudgifter ved diabetes.",
    "Sagsbehandleren har talt med borgeren i telefonen om økonomisk hjælp til husleje.",
    "Barnet skal visiteres til specialundervisning og skolepasning.",
    "Ansøgning om dispensation fra lokalplanen til en carport.",
    "Borgeren har spurgt til reglerne for førtidspension og fleksjob.",
    "Den ældre borger har behov for et hjælpemiddel, en rollator og et badebræt.",
    "Der søges om tilskud til briller og medicin efter lov om aktiv socialpolitik.",
    "Vi afventer oplysninger fra arbejdsgiveren om sygedagpenge.",
    "Forældrene har bedt om økonomisk friplads i daginstitutionen.",
]


def _texts() -> list[str]:
    from borgerservice.core.text import fold

    rng = random.Random(2026)
    texts = []
    for number in range(TEXTS):
        words: list[str] = []
        while len(words) < WORDS:
            words += rng.choice(SENTENCES).split()
        text = " ".join(words[:WORDS])
        # Every other text as typed without æøå (and in capitals now and then).
        if number % 2:
            text = fold(text)
        if number % 7 == 0:
            text = text.upper()
        texts.append(text)
    return texts


def main() -> None:
    vendor = setup_django()
    from borgerservice.cases import kle
    from borgerservice.catalogue.models import KleTopic

    report("kle_suggest_topics", KleTopic.objects.count(), "topics")
    report("kle_suggest_real_os2kle", 1 if KLE_FILE.exists() else 0, "bool")
    report("kle_suggest_on_postgresql", 1 if vendor == "postgresql" else 0, "bool")

    builds = []
    for _ in range(3):
        start = time.perf_counter()
        kle._build_index()
        builds.append((time.perf_counter() - start) * 1000)
    summarise("kle_index_build", builds)

    texts = _texts()
    index = kle.kle_index()
    for text in texts:  # warm up: index built, words stemmed once
        kle.kle_suggest(text)
    matches = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            index.suggest(text)
            matches.append((time.perf_counter() - start) * 1000)
    summarise("kle_match", matches)

    samples = []
    found = 0
    start_all = time.perf_counter()
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            found += bool(kle.kle_suggest(text))
            samples.append((time.perf_counter() - start) * 1000)
    elapsed = time.perf_counter() - start_all
    summarise("kle_suggest", samples)
    report("kle_suggest_per_second", len(samples) / elapsed, "suggestions/s")
    report("kle_suggest_texts_with_suggestions", found / len(samples), "ratio")
    p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
    report("kle_suggest_p95_vs_target", p95 / TARGET_P95_MS, "ratio")

    # A text never seen before: its words are stemmed and split for the first time.
    cold = []
    for number, text in enumerate(texts):
        fresh = f"{text} sagsnummer{number}x journalnotat{number}y"
        start = time.perf_counter()
        index.suggest(fresh)
        cold.append((time.perf_counter() - start) * 1000)
    summarise("kle_match_new_words", cold)


if __name__ == "__main__":
    main()
