"""How much an incoming report looks like spam: a few plain signals, added up.

No model and no network: links, promotion and gambling-ad words, a contact to "chat on WhatsApp",
shouting, the same words again and again, next to no text, a sender writing many times in the hour,
files with no words. Above the threshold (SPAM_SCORE_THRESHOLD) a report is filed but flagged: it
waits for the central admin, whatever agency it names, and is never published until verified. Words
a real complaint uses (judi, pinjol, togel as a thing to report) weigh little on their own."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LINK = re.compile(r"(https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|xyz|top|vip|club|site|online|link|me|io|id)\b/?\S*",
                  re.IGNORECASE)
SHORTENERS = ("bit.ly", "s.id", "tinyurl", "cutt.ly", "rb.gy", "t.ly", "shorturl", "linktr.ee", "wa.me", "t.me")
# Advertisement phrases (gambling sites, quick loans, pills, prizes); each counts once.
SPAM_PHRASES = (
    "gacor", "maxwin", "slot online", "situs slot", "slot88", "scatter", "rtp live", "bonus new member",
    "deposit pulsa", "deposit", "link alternatif", "daftar sekarang", "klik link", "klik disini", "klik di sini",
    "jackpot", "jp paus", "anti rungkad", "bandar", "casino", "sbobet", "dana cepat", "cair cepat",
    "cair dalam", "tanpa jaminan", "tanpa agunan", "bunga rendah", "pinjaman online cepat", "promo",
    "diskon", "gratis ongkir", "obat kuat", "pembesar", "viagra", "investasi", "profit", "cuan",
    "hadiah", "pemenang", "selamat anda", "undian", "free spin", "crypto", "forex",
)
# Asking the reader to reach someone: what an advertisement does and a complaint rarely does.
CONTACT = re.compile(r"\b(wa|whatsapp|telegram|tele|hubungi|chat|dm|line)\b\W{0,3}(ke\s+)?(\+?62|0)8\d[\d\s-]{6,}",
                     re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
RUN = re.compile(r"(.)\1{5,}")


@dataclass(frozen=True)
class Score:
    points: int
    reasons: tuple[str, ...] = field(default=())

    def flagged(self, threshold: int) -> bool:
        return self.points >= threshold


def _folded(text: str) -> str:
    """Lower case, accents and look-alike letters folded, so "G4C0R" and "ｇａｃｏｒ" read as gacor."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.translate(str.maketrans({"4": "a", "0": "o", "3": "e", "1": "i", "5": "s", "@": "a", "$": "s"}))


def score(text: str, title: str = "", sender_messages: int = 0, attachments: int = 0) -> Score:
    """`sender_messages`: how many messages this sender sent in the last hour (this one included);
    `attachments`: how many files came with it."""
    whole = f"{title}\n{text}".strip()
    folded = _folded(whole)
    points: dict[str, int] = {}
    links = LINK.findall(whole)
    if links:
        points["links"] = min(2 * len(LINK.findall(whole)), 6)
    if any(s in whole.lower() for s in SHORTENERS):
        points["short_link"] = 2
    phrases = {p for p in SPAM_PHRASES if re.search(rf"\b{re.escape(p)}", folded)}
    if phrases:
        points["spam_words"] = min(2 * len(phrases), 8)
    if CONTACT.search(whole):
        points["contact"] = 2
    letters = [c for c in whole if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.85:
        points["all_caps"] = 1
    words = [w.casefold() for w in WORD.findall(text)]
    if len(words) >= 12 and len(set(words)) / len(words) < 0.35:
        points["repeated_text"] = 3
    if RUN.search(whole):
        points["repeated_characters"] = 1
    if len(letters) < 10 and attachments:
        points["attachments_only"] = 2
    elif len(text.strip()) < 25:
        points["very_short"] = 1
    if sender_messages >= 10:
        points["many_messages"] = 3
    elif sender_messages >= 5:
        points["many_messages"] = 2
    return Score(sum(points.values()), tuple(sorted(points)))
