"""A call record's row: its call attached to the customer unless the base has it already, and
the words the row's reason is told in (stored with the import rows, in the import's language)."""

from __future__ import annotations

from clientbase.i18n import N_, _
from clientbase.importers.candidates import Cust
from clientbase.importers.clean import Clean
from clientbase.importers.counts import Counts

CALL_WORDS = {True: N_("incoming {result} call"), False: N_("outgoing {result} call")}
RESULT_WORDS = {
    "answered": N_("answered"),
    "missed": N_("missed"),
    "rejected": N_("rejected"),
    "voicemail": N_("voicemail"),
    "blocked": N_("blocked"),
    "busy": N_("busy"),
    "failed": N_("failed"),
}


def take_call(
    cust: Cust, cl: Clean, outcome: str, calls_seen: set[tuple], counts: Counts, calls: list
) -> tuple[str, str]:
    """Attach a call to its customer unless the base has it already; returns the row's
    outcome and reason."""
    direction, started_at, _duration, result, phone = cl.call[:5]
    key = (cust.id, started_at, direction, phone)
    if key in calls_seen:
        counts.known_calls += 1
        return "unchanged", _("call on {when} is in the base already").format(
            when=f"{started_at:%Y-%m-%d %H:%M:%S}"
        )
    calls_seen.add(key)
    calls.append((cust.id, cl.call))
    counts.calls += 1
    what = _(CALL_WORDS[direction == "in"]).format(result=_(RESULT_WORDS.get(result, result)))
    if outcome == "created":
        named = cust.fields.get("display_name") != phone
        if named:
            return "created", _("new customer from an {call}").format(call=what)
        return "created", _("new lead from an {call}").format(call=what)
    counts.updated += not cust.created_here
    return "updated", _("{call} added (same phone {phone})").format(call=what, phone=phone)
