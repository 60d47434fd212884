"""The spam score on texts as they reach LAPOR (SMS, e-mail, the web form), in Indonesian."""
from __future__ import annotations

import pytest

from chalicelib.domain.spam import score

THRESHOLD = 5  # the default of SPAM_SCORE_THRESHOLD


@pytest.mark.parametrize("text", [
    "Lampu jalan di Jl. Sisingamangaraja dekat simpang Jl. Halat mati total sudah dua minggu. Malam hari "
    "jalanan gelap dan rawan kecelakaan serta jambret. Mohon segera diperbaiki.",
    "JALAN BERLUBANG DI JL BRIGJEND KATAMSO DEPAN GG MESJID SUDAH 2 MINGGU, SUDAH ADA PENGENDARA JATUH",
    "Di warung kopi Jl. Melati setiap malam ada judi online dan togel, mohon aparat menertibkan.",
    "Saya diteror debt collector pinjaman online ilegal, foto KTP saya disebar ke kontak keluarga.",
    "Pungli Rp50.000 untuk urus KTP di kantor kelurahan, petugas minta transfer ke rekening pribadi.",
    "Sampah menumpuk di TPS Pasar Sukaramai sudah seminggu, bau sampai ke rumah warga.",
    "Informasi lengkap ada di situs resmi https://lapor.go.id tapi formulirnya error terus.",
])
def test_real_complaints_stay_below_the_threshold(text):
    assert not score(text).flagged(THRESHOLD), score(text)


@pytest.mark.parametrize("text,reason", [
    ("SLOT GACOR MAXWIN HARI INI!!!!!! Daftar sekarang di https://bit.ly/gacor88 bonus new member 100%", "spam_words"),
    ("Butuh dana cepat? Pinjaman cair dalam 5 menit tanpa jaminan, bunga rendah. Hubungi WA 0812 3456 7890",
     "contact"),
    ("S1tus sl0t88 g4c0r, dep0sit pulsa tanpa potongan, link alternatif: www.gacor-88.xyz", "links"),
    ("promo promo promo promo promo promo promo promo promo promo promo promo promo", "repeated_text"),
    ("Selamat anda pemenang undian hadiah mobil! klik link https://s.id/hadiah2024 untuk klaim", "short_link"),
])
def test_advertisements_and_scams_are_flagged(text, reason):
    result = score(text)
    assert result.flagged(THRESHOLD) and reason in result.reasons, result


def test_a_sender_writing_many_times_and_files_without_words_add_up():
    assert score("foto", attachments=2, sender_messages=12).flagged(THRESHOLD)
    assert not score("Foto terlampir, jalan rusak parah di depan SDN 060", attachments=2, sender_messages=2).flagged(THRESHOLD)
    assert "attachments_only" in score("", attachments=1).reasons
    assert score("ok").reasons == ("very_short",)


def test_the_score_explains_itself():
    result = score("Klik link www.promo-gacor.site sekarang, WA 081234567890")
    assert set(result.reasons) >= {"links", "spam_words", "contact"} and result.points >= 6
