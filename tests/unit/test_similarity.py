"""The duplicate suggestions' text similarity on real-looking Indonesian complaints: the same
problem written differently must meet; different problems on the same street must not. Precision
and recall over every pair are printed (pytest -s) and held to a floor."""
from __future__ import annotations

import pytest

from chalicelib.domain.similarity import Candidate, pairs_precision_recall, rank, stem, words

# Each group: one problem, written by different people (titles and descriptions as citizens type them).
GROUPS = {
    "lampu-gatsu": [
        "Lampu jalan mati di Jl. Gatot Subroto. Sudah seminggu lampu penerangan jalan di depan Indomaret padam, gelap sekali malam hari.",
        "PJU padam Jln Gatot Subroto dekat Indomaret, rawan kejahatan karena gelap.",
        "Lampu jalan di Gatot Subroto tidak menyala sejak minggu lalu, mohon segera diperbaiki lampunya.",
    ],
    "lubang-gatsu": [
        "Jalan berlubang besar di Jl. Gatot Subroto depan sekolah, sudah ada pengendara motor jatuh.",
        "Lubang di jalan Gatot Subroto makin dalam setelah hujan, membahayakan pengendara.",
        "Jl Gatot Subroto bolong dan rusak parah di depan SD, tolong ditambal.",
    ],
    "parkir-petisah": [
        "Juru parkir liar di Pasar Petisah memungut Rp5.000 setiap sore dan menutup separuh badan jalan.",
        "Jukir liar pasar Petisah minta uang parkir 5 ribu, tidak ada karcis resmi.",
        "Pungutan parkir liar di sekitar Pasar Petisah, juru parkir tanpa karcis.",
    ],
    "sampah-pasar": [
        "Sampah menumpuk di TPS Pasar Petisah sudah tiga hari tidak diangkut, bau busuk sampai ke jalan.",
        "Tumpukan sampah di pasar Petisah tidak diangkut petugas kebersihan, baunya menyengat.",
    ],
    "banjir-sei": [
        "Selokan tersumbat di Jl. Sei Batang Hari sehingga jalan banjir setiap hujan.",
        "Drainase mampet di Sei Batang Hari, air tergenang setinggi lutut kalau hujan deras.",
        "Got di jalan Sei Batang Hari penuh sampah dan mampet, genangan air tiap hujan.",
    ],
    "ktp-disdukcapil": [
        "Pengurusan e-KTP di Disdukcapil sudah tiga bulan belum selesai, blangko katanya habis.",
        "KTP elektronik saya belum dicetak oleh Disdukcapil sejak Agustus, alasannya blangko kosong.",
    ],
    "pdam-helvetia": [
        "Air PDAM tidak mengalir di Perumnas Helvetia sejak Senin, warga terpaksa beli air.",
        "Air PDAM mati total di Helvetia sudah empat hari, tidak ada pemberitahuan.",
    ],
    "bpjs-puskesmas": [
        "Pasien BPJS ditolak di Puskesmas Padang Bulan dengan alasan kuota habis.",
        "Puskesmas Padang Bulan menolak melayani pasien BPJS, disuruh datang besok.",
    ],
}
# Different problems on the same streets as the groups above: they must not be taken for them.
LONERS = [
    "Pohon tumbang di Jl. Gatot Subroto menutup sebagian jalan sejak kemarin sore.",
    "Trotoar di Jl. Gatot Subroto dipakai pedagang kaki lima sehingga pejalan kaki turun ke jalan.",
    "Lampu lalu lintas di simpang Gatot Subroto rusak, kendaraan semrawut dan macet.",
    "Kios di Pasar Petisah terbakar, minta bantuan pemadam dan pendataan pedagang.",
    "Pelayanan akta kelahiran di Disdukcapil lambat, antrean sampai sore.",
    "Tarif air PDAM naik tanpa pemberitahuan kepada pelanggan di Helvetia.",
]

TEXTS = {f"{name}-{i}": text for name, texts in GROUPS.items() for i, text in enumerate(texts)}
TEXTS.update({f"loner-{i}": text for i, text in enumerate(LONERS)})
GROUP_KEYS = [[f"{name}-{i}" for i in range(len(texts))] for name, texts in GROUPS.items()]


def test_the_same_problem_written_differently_is_found_and_different_problems_are_not():
    precision, recall = pairs_precision_recall(GROUP_KEYS, TEXTS)
    print(f"\nsimilarity over {len(TEXTS)} texts ({len(GROUPS)} problems written 2-3 ways, "
          f"{len(LONERS)} other problems on the same streets): precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.8 and recall >= 0.9


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_other_text_of_the_same_problem_is_among_the_five_suggestions(group):
    for i, text in enumerate(GROUPS[group]):
        others = [Candidate(k, t) for k, t in TEXTS.items() if k != f"{group}-{i}"]
        found = [m.key for m in rank(text, others)]
        assert {f"{group}-{j}" for j in range(len(GROUPS[group])) if j != i} <= set(found), (group, i, found)


def test_on_the_same_street_the_same_problem_ranks_above_different_ones():
    lamp = "Lampu jalan mati di Jl. Gatot Subroto depan Indomaret."
    found = [m.key for m in rank(lamp, [Candidate(k, t) for k, t in TEXTS.items()], limit=len(TEXTS))]
    lamps = [k for k in found if k.startswith("lampu-gatsu-")]
    assert len(lamps) == 3 and found[:3] == lamps, found


def test_with_a_candidate_set_of_its_own_category_a_pothole_is_not_offered_for_a_street_light():
    """Candidates come from the report's own category (street lighting): the street's other
    lighting problems are still told apart from this one by their words."""
    lamp = "Lampu jalan mati di Jl. Gatot Subroto depan Indomaret."
    lighting = [Candidate("same", "PJU padam di Jln Gatot Subroto dekat Indomaret, gelap sekali."),
                Candidate("traffic", "Lampu lalu lintas di simpang Gatot Subroto rusak, kendaraan semrawut."),
                Candidate("pole", "Tiang listrik miring di Jl. Gatot Subroto hampir roboh menimpa rumah."),
                Candidate("elsewhere", "Lampu taman di Lapangan Merdeka dicuri orang.")]
    assert [m.key for m in rank(lamp, lighting)] == ["same"]


def test_a_nearby_report_is_boosted_and_a_far_one_damped():
    text = "Lampu jalan padam di simpang Jalan Sisingamangaraja"
    same = "Lampu jalan mati di simpang Sisingamangaraja sejak seminggu"
    here = (3.5600, 98.6900)
    near = rank(text, [Candidate("near", same, (3.5601, 98.6901))], here)[0]
    unlocated = rank(text, [Candidate("plain", same)], here)[0]
    far = rank(text, [Candidate("far", same, (3.70, 98.69))], here, threshold=0)[0]
    assert near.score > unlocated.score > far.score and near.distance_m < 50 and far.distance_m > 15_000


def test_the_stemmer_joins_the_forms_people_write():
    assert stem("perbaikan") == stem("diperbaiki") == "baik"
    assert stem("menyapu") == "sapu" and stem("lampunya") == "lampu"
    assert words("PJU padam di Jln. Gatot Subroto") == words("lampu jalan mati jalan gatot subroto")[:2] + [
        "mati", "jalan", "gatot", "subroto"]
