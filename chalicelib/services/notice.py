"""The privacy notice every intake answers with (POST /reports, manual entry, Open311) and the
numbers the consent text and /privacy state: one text, from the settings the retention job reads."""
from __future__ import annotations

from typing import Any

from ..config import notice, settings

PRIVACY_PATH = "/privacy"


def privacy_url() -> str:
    origin = settings().public_origin
    return f"{origin.rstrip('/')}{PRIVACY_PATH}" if origin else PRIVACY_PATH


def privacy_notice() -> dict[str, Any]:
    n, url = notice(), privacy_url()
    months = n.retention_months_after_closing
    return {
        "consent_version": n.consent_version,
        "id": ("Data pribadi Anda (nama, e-mail, telepon) hanya dipakai untuk menangani laporan ini dan mengabari "
               "Anda; hanya admin pusat dan petugas yang menanganinya selama laporan terbuka yang melihatnya, dan "
               f"identitas Anda dihapus {months} bulan setelah laporan ditutup. Anda berhak melihat, memperbaiki, "
               f"dan menghapus data Anda: {url}"),
        "en": ("Your personal data (name, e-mail, phone) is used only to handle this report and keep you informed; "
               "only the central admin and the officers handling it while it is open see it, and your identity is "
               f"erased {months} months after the report is closed. You may see, correct and erase your data: {url}"),
        "url": url,
    }


def short_notice() -> str:
    """One line for answers that carry text only (Open311's service_notice, its discovery contact)."""
    return f"Data pribadi / Personal data: {privacy_url()} (versi / version {notice().consent_version})"
