"""DynamoDB calls per request against budgets (bench/calls_bench.py measures, warm, in-process).

BUDGET is what each request costs today: one call more fails. MINIMUM is what the design needs
(README, "Storage and access patterns"); where it is lower than the budget, the difference is a
known wasted call, named in WASTE, and that row of the minimum test is an expected failure until
it is removed (strict: removing it makes the row pass, then move the budget down to the minimum).

Per request the design needs: the report (GetItem) and, to answer it, its history (Query) and the
names it shows (agency, category: GetItem each); each change one TransactWriteItems (report,
events, the change's outbox row) and, when the change owes counters or messages, one more that
applies them (counter ADDs, message rows, the row's marker: kept out of the report's transaction
so that it stays a handful of items and never waits on the month's busy counter items); each
message sent after the commit a claim and a mark (UpdateItem each); reference checks (GetItem) for
ids the caller names; the limits (one UpdateItem per public submission; a right access code
costs nothing, a wrong one two UpdateItems); idempotency (PutItem + UpdateItem); lists one Query
per index partition (a province is two, "everything" one per status).

Identity reads (UU PDP audit, services/audit.py): every answer that shows a reporter's name, e-mail
or phone writes one audit item (PutItem, conditional) — the staff view and every action's answer,
the P=1 in their rows (not reroute's: the report has left the caller, whose answer then shows the
reporter masked, so nothing is read and nothing recorded). It is a put of its own, not an item of the change's transaction: the audit
table is another table with another life (5-year TTL, no update rights), a read writes it too, and
a transaction would cost the same write units plus its 2x. The central admin's view and answers
also read the report's identity reads for its history (one Query on the audit table, the second
Q in those rows; other roles never see them, so never pay it). Lists and exports show no identity
(minimisation), so they write nothing. /staff/audit is one Query per page (by report: the table;
by user: its index).
"""
from __future__ import annotations

from collections import Counter

import pytest

from chalicelib import wiring
from tests.integration.proof_support import module_world

G, P, Q, T, U, D = "GetItem", "PutItem", "Query", "TransactWriteItems", "UpdateItem", "DeleteItem"


def calls(**ops) -> Counter:
    return Counter({{"G": G, "P": P, "Q": Q, "T": T, "U": U, "D": D}[k]: v for k, v in ops.items()})


#                                   budget (today)                      the design's minimum
BUDGET_AND_MINIMUM = {
    "submit":                      (calls(G=1, T=2, U=1), calls(G=1, T=2, U=1)),
    "submit with Idempotency-Key": (calls(G=1, P=1, T=2, U=2), calls(G=1, P=1, T=2, U=2)),
    "submit naming an agency":     (calls(G=2, T=2, U=5), calls(G=2, T=2, U=5)),
    "track (public)":              (calls(G=3, Q=1), calls(G=3, Q=1)),
    "track (with access code)":    (calls(G=2, Q=1), calls(G=2, Q=1)),
    "staff view":                  (calls(G=3, P=1, Q=2), calls(G=3, P=1, Q=2)),
    "dispatch":                    (calls(G=3, P=1, Q=2, T=2, U=4), calls(G=3, P=1, Q=2, T=2, U=4)),
    "postpone":                    (calls(G=2, P=1, Q=2, T=2, U=4), calls(G=2, P=1, Q=2, T=2, U=4)),
    "archive":                     (calls(G=2, P=1, Q=2, T=2), calls(G=2, P=1, Q=2, T=2)),
    "correct":                     (calls(G=2, P=1, Q=2, T=1), calls(G=2, P=1, Q=2, T=1)),
    "forward":                     (calls(G=3, P=1, Q=2, T=2, U=4), calls(G=3, P=1, Q=2, T=2, U=4)),
    "assign":                      (calls(G=3, P=1, Q=2, T=2), calls(G=3, P=1, Q=2, T=2)),
    "reroute (agency)":            (calls(G=2, Q=1, T=2), calls(G=2, Q=1, T=2)),
    "reroute (unit)":              (calls(G=3, Q=1, T=2), calls(G=3, Q=1, T=2)),
    "set_field_inspection":        (calls(G=3, P=1, Q=1, T=1), calls(G=3, P=1, Q=1, T=1)),
    "respond":                     (calls(G=3, P=1, Q=1, T=2, U=4), calls(G=3, P=1, Q=1, T=2, U=4)),
    "final_answer":                (calls(G=3, P=1, Q=1, T=2, U=4), calls(G=3, P=1, Q=1, T=2, U=4)),
    "reporter reply":              (calls(G=3, Q=1, T=1), calls(G=3, Q=1, T=1)),
    "reporter accepts":            (calls(G=3, Q=1, T=2, U=4), calls(G=3, Q=1, T=2, U=4)),
    "provincial list":             (calls(Q=2), calls(Q=2)),
    "agency list":                 (calls(Q=1), calls(Q=1)),
    "unit list":                   (calls(Q=1), calls(Q=1)),
    "central list":                (calls(Q=8), calls(Q=8)),
    # the reporter's own data (issue 15): a recovery costs its two limit counters and the read
    # whether or not the report exists; a real one then writes the code's hash with its outbox
    # row, applies it and sends (claim + mark) by e-mail and SMS
    "recover access code":         (calls(G=1, T=2, U=6), calls(G=1, T=2, U=6)),
    "recover access code (unknown id)": (calls(G=1, U=2), calls(G=1, U=2)),
    "my data":                     (calls(G=1, Q=2), calls(G=1, Q=2)),
    "correct contact":             (calls(G=1, T=1), calls(G=1, T=1)),
    "erase my data":               (calls(G=1, Q=1, T=1), calls(G=1, Q=1, T=1)),
    # A WhatsApp message: its marker and the sender's dialogue read, the sender's limit; a question
    # asked back keeps the dialogue, writes and sends the answer, then marks the message; the last
    # answer files as LAPOR does (the marker in the report's transaction) and ends the dialogue.
    "whatsapp dialogue turn":      (calls(G=2, P=3, U=3), calls(G=2, P=3, U=3)),
    "whatsapp dialogue files":     (calls(D=1, G=2, T=2, U=4), calls(D=1, G=2, T=2, U=4)),
    "audit by report":             (calls(Q=1), calls(Q=1)),
    "audit by user":               (calls(Q=1), calls(Q=1)),
    # public browsing (issue 14): one Query of one sparse public index per page, whatever the filters
    "public list":                 (calls(Q=1), calls(Q=1)),
    "public list, filtered":       (calls(Q=1), calls(Q=1)),
    "public list, most supported": (calls(Q=1), calls(Q=1)),
    "similar reports":             (calls(Q=1), calls(Q=1)),
    # the same Query, and the category's name for the feed's title
    "public feed, a regency and category": (calls(G=1, Q=1), calls(G=1, Q=1)),
    # issue 14. A support: the report, its supporter row (idempotence), the client's limit; counted
    # in the report's transaction, its counters applied after. A code: the contact's limit too, the
    # pending row and the message row, its claim and mark. A followed report's change: one Query of
    # its followers (and their messages). A merge: both reports, both reports' supporter rows (the
    # count without double counting), one transaction of both, the duplicate's reporter told.
    "support (anonymous)":         (calls(G=2, T=2, U=1), calls(G=2, T=2, U=1)),
    "support (a code sent)":       (calls(G=2, P=2, U=4), calls(G=2, P=2, U=4)),
    "support verified":            (calls(G=2, T=2), calls(G=2, T=2)),
    "opt-out":                     (calls(U=1), calls(U=1)),
    # (each answer shows the reporter: one audit PutItem; the central admin's also reads the report's
    # identity reads for its history: one Query)
    "respond (a followed report)": (calls(G=3, P=1, Q=2, T=2, U=6), calls(G=3, P=1, Q=2, T=2, U=6)),
    "mark_duplicate":              (calls(G=4, P=1, Q=4, T=2, U=4), calls(G=4, P=1, Q=4, T=2, U=4)),
    "unmark_duplicate":            (calls(G=4, P=1, Q=3, T=2), calls(G=4, P=1, Q=3, T=2)),
    "most supported list (agency)": (calls(Q=1), calls(Q=1)),  # one bounded Query of by_public_supported
}

# Calls a request makes beyond the design's minimum, each with why (the minimum row then fails,
# strict xfail, until the call is gone). None today: the last ones went with a per-request
# directory (wiring.RequestDirectory), a claim that returns the outbox row, and template values
# built only when a message is due.
WASTE: dict[str, tuple[str, ...]] = {}


@pytest.fixture(scope="module")
def measured():
    from bench.calls_bench import measure

    with module_world() as api:
        wiring.clock = api.platform.clock
        yield measure(api)


def test_every_measured_request_has_a_budget_and_every_budget_is_measured(measured):
    assert set(measured) == set(BUDGET_AND_MINIMUM)
    for name, (budget, minimum) in BUDGET_AND_MINIMUM.items():
        assert all(minimum[op] <= budget[op] for op in budget | minimum), name
        assert (budget != minimum) == (name in WASTE), f"{name}: name the wasted call, or set budget = minimum"


@pytest.mark.parametrize("name", list(BUDGET_AND_MINIMUM))


def test_each_request_stays_within_its_budget(measured, name):
    budget = BUDGET_AND_MINIMUM[name][0]
    over = {op: n for op, n in measured[name].items() if n > budget.get(op, 0)}
    assert not over, f"{name}: {dict(measured[name])} exceeds {dict(budget)}"


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="; ".join(WASTE[name])))
    if name in WASTE else name
    for name in BUDGET_AND_MINIMUM
])


def test_each_request_makes_only_the_calls_the_design_needs(measured, name):
    assert measured[name] == BUDGET_AND_MINIMUM[name][1]
