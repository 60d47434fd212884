"""Demo data for the local stack: agencies, units, categories, and the demo staff's contact rows
and liaison assignments (so reminders and digests have someone to reach)."""
from __future__ import annotations

from chalicelib.demo import load_demo_data, load_demo_staff
from devtools.demo_accounts import DEMO_ACCOUNTS


def seed() -> None:
    load_demo_data()
    load_demo_staff(DEMO_ACCOUNTS)
