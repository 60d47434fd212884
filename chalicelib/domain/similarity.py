"""Is this the same problem? Indonesian complaint texts compared for the form's duplicate
suggestions (issue 14), in plain Python: no library fits better in the package budget for a few
hundred short texts at a time.

A text becomes weighted features: its words, lowercased, with common complaint synonyms joined
(padam → mati, jln → jalan, jukir → juru parkir), stopwords dropped and a light stemmer (particles,
possessives, -kan/-an/-i, me-/pe-/ber-/ter-/di-/ke-/se- prefixes) so "diperbaiki" and "perbaikan"
meet; and the character trigrams of those words, so typing slips still meet ("lampu" / "lampuu").
Features are weighted by their rarity among the texts being compared (IDF over the candidates
and the query), so the street name every report of that street carries counts less than the
problem words. Similarity is the cosine of the two weighted vectors; a report close by (both
with coordinates) is boosted, a far one damped."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

THRESHOLD = 0.3        # below this, a candidate is not shown as "probably the same"
MAX_SUGGESTIONS = 5
NEAR_METRES = 500      # both located and this close: boosted up to NEAR_BOOST
NEAR_BOOST = 0.3
FAR_METRES = 3000      # both located and farther: damped
FAR_FACTOR = 0.6
AGENCY_BOOST = 0.1     # the same agency named on both
TRIGRAM_WEIGHT = 0.35

STOPWORDS = frozenset("""
yang di ke dari dan atau ini itu dengan untuk pada sudah telah belum tidak tak ada akan sangat juga
saya kami kita mereka dia ia kamu anda aku karena sejak sampai hingga oleh para agar supaya mohon
tolong segera bapak ibu pak bu warga kota kabupaten kab kec kecamatan kelurahan kel desa rt rw no
nomor depan dekat samping sekitar setiap tiap hari minggu bulan tahun sore pagi malam siang lalu
masih sering selalu terus lagi jadi bisa dapat harus perlu hal seperti dalam atas bawah bagi tentang
namun tetapi tapi pun lebih kurang banyak sedikit sekali gang sana sini situ kali sehingga maka
kalau jika bila ketika saat waktu sejak nya pihak terkait mana apa siapa kapan bagaimana mengapa
sudah lama sekarang kemarin besok tersebut adalah ialah yaitu yakni serta namun sebab dua tiga satu
""".split())

# Words people write for the same thing in complaints, joined before stemming.
SYNONYMS = {
    "jln": "jalan", "jl": "jalan", "padam": "mati", "mati2": "mati", "pju": "lampu jalan",
    "lpju": "lampu jalan", "penerangan": "lampu", "berlubang": "lubang", "bolong": "lubang",
    "lobang": "lubang", "kebocoran": "bocor", "rembes": "bocor", "jukir": "juru parkir",
    "tergenang": "banjir", "genangan": "banjir", "tersumbat": "sumbat", "mampet": "sumbat",
    "got": "selokan", "parit": "selokan", "drainase": "selokan", "ektp": "ktp", "e-ktp": "ktp",
    "sampahnya": "sampah", "menumpuk": "tumpuk", "tumpukan": "tumpuk", "pungli": "pungutan liar",
    "bpjs": "bpjs", "puskesmas": "puskesmas", "pdam": "air pdam", "semrawut": "macet",
}

# "not flowing", "not lit": what "mati" says in one word (the negation itself is a stopword).
PHRASES = re.compile(r"\b(?:tidak|tak|nggak|gak) (?:mengalir|menyala|nyala|hidup|keluar)\b")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)?")
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe",
             "ber", "be", "ter", "di", "ke", "se")
_MIN_STEM = 4


def stem(word: str) -> str:
    """A light Indonesian stemmer: consistent rather than exact (both sides go through it)."""
    if len(word) <= _MIN_STEM:
        return word
    for group in (_PARTICLES, _POSSESSIVES, _SUFFIXES):
        for end in group:
            if word.endswith(end) and len(word) - len(end) >= _MIN_STEM:
                if end == "kan" and word[-4] in "aiueo":
                    end = "an"  # perbaikan → perbaik, but bersihkan → bersih
                word = word[: -len(end)]
                break
    for _ in range(2):
        start = next((p for p in _PREFIXES if word.startswith(p)), None)  # the longest that matches
        rest = word[len(start):] if start else ""
        rest = "s" + rest if start in ("meny", "peny") else rest
        if len(rest) < _MIN_STEM:
            break  # bersih is not be-rsih
        word = rest
    return word


def words(text: str) -> list[str]:
    out: list[str] = []
    for raw in _WORD.findall(PHRASES.sub("mati", (text or "").lower())):
        for word in SYNONYMS.get(raw, raw.replace("-", " ")).split():
            if word in STOPWORDS or word.isdigit() or len(word) < 2:
                continue
            stemmed = stem(word)
            if stemmed not in STOPWORDS:
                out.append(stemmed)
    return out


def features(text: str) -> Counter:
    found: Counter = Counter()
    for word in words(text):
        found["w:" + word] += 1.0
        padded = f"_{word}_"
        for i in range(len(padded) - 2):
            found["c:" + padded[i:i + 3]] += TRIGRAM_WEIGHT
    return found


def _weighted(found: Counter, idf: dict[str, float]) -> dict[str, float]:
    return {k: (1 + math.log(v)) * idf[k] if v >= 1 else v * idf[k] for k, v in found.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Candidate:
    key: str
    text: str
    point: tuple[float, float] | None = None
    agency_id: str | None = None


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    text_score: float
    distance_m: float | None


def rank(text: str, candidates: Sequence[Candidate], point: tuple[float, float] | None = None,
         agency_id: str | None = None, threshold: float = THRESHOLD,
         limit: int = MAX_SUGGESTIONS) -> list[Match]:
    """The candidates probably about the same problem as `text`, most similar first."""
    query = features(text)
    docs = [features(c.text) for c in candidates]
    df: Counter = Counter()
    for found in (query, *docs):
        df.update(found.keys())
    n = len(docs) + 1
    idf = {k: math.log((n + 1) / (d + 1)) + 1 for k, d in df.items()}
    q = _weighted(query, idf)
    matches = []
    for candidate, found in zip(candidates, docs):
        text_score = _cosine(q, _weighted(found, idf))
        score, metres = text_score, None
        if point is not None and candidate.point is not None:
            metres = distance_m(point, candidate.point)
            if metres <= NEAR_METRES:
                score *= 1 + NEAR_BOOST * (1 - metres / NEAR_METRES)
            elif metres > FAR_METRES:
                score *= FAR_FACTOR
        if agency_id and candidate.agency_id == agency_id:
            score *= 1 + AGENCY_BOOST
        if score >= threshold:
            matches.append(Match(candidate.key, round(score, 3), round(text_score, 3),
                                 round(metres) if metres is not None else None))
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches[:limit]


def pairs_precision_recall(groups: Iterable[Iterable[str]], texts: dict[str, str],
                           threshold: float = THRESHOLD) -> tuple[float, float]:
    """Over every (query, other text) pair: precision and recall of "probably the same" against
    the groups of texts written about one problem (the unit tests' measure)."""
    group_of = {key: i for i, group in enumerate(groups) for key in group}
    keys = sorted(texts)
    tp = fp = fn = 0
    for key in keys:
        others = [Candidate(k, texts[k]) for k in keys if k != key]
        found = {m.key for m in rank(texts[key], others, threshold=threshold, limit=len(others))}
        for other in others:
            same = group_of.get(key) is not None and group_of.get(key) == group_of.get(other.key)
            tp += same and other.key in found
            fp += (not same) and other.key in found
            fn += same and other.key not in found
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)
