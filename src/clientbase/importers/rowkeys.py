"""The keys a cleaned row is known by, as matching looks them up.

Two questions are asked of every row of a chunk: does any other row of the chunk or any customer
it may meet share a key with it (``alone.rows_alone``), and which customers of the base may own
one of its keys (``candidates.load_known``). The keys are worked out here, in one place, so that
the cleaning workers can hand them over with the rows they cleaned (``handoff``) and the main
process, which matches and writes one chunk after another, only counts and hashes them.

Light on purpose: a cleaning worker imports this module and nothing of the database layer.
"""

from __future__ import annotations

from clientbase.importers.clean import Clean


def alone_keys(cl) -> tuple | None:
    """Every key of a row that could tie it to another row or customer: its name, client code
    and contact points (as typed or normalised). None for a row that always goes through
    matching (not a customer row, a call, a row of a long-format group)."""
    if cl.__class__ is not Clean or cl.call is not None or cl.group is not None:
        return None
    f = cl.fields
    ext = f.get("external_id")
    if ext:
        return (("name", f["display_name"]), ("ext", ext), *[p.key for p in cl.points])
    return (("name", f["display_name"]), *[p.key for p in cl.points])


def lookup_keys(cl) -> list[tuple[str, str]]:
    """The keys of a row the base's key index is asked about: its valid phones and emails, its
    client code, and its name when it has no valid contact to be found by. Each is the
    ``(kind, value)`` pair whose ``hash`` the key index holds (``keyindex.key_hash``)."""
    if not isinstance(cl, Clean):
        return []
    out = [p.key for p in cl.points if p.valid and p.value is not None]
    f = cl.fields
    if not cl.has_valid_key and f.get("display_name"):
        out.append(("name", f["display_name"]))
    if f.get("external_id"):
        out.append(("ext", f["external_id"]))
    return out
