"""The keys a cleaned row is known by, as matching looks them up.

Two questions are asked of every row of a chunk: does any other row of the chunk or any customer
it may meet share a key with it (``alone.rows_alone``), and which customers of the base may own
one of its keys (``candidates.load_known``). The keys are worked out here, in one place, so that
the cleaning workers can hand them over with the rows they cleaned (``handoff``) and the main
process, which matches and writes one chunk after another, only counts and hashes them.

Light on purpose: a cleaning worker imports this module and nothing of the database layer.
"""

from __future__ import annotations

from clientbase.importers.clean import Clean, Point

# Read by position, so the same functions serve a Clean row and the plain tuple a worker packs
# it into (see clean.clean_rows_packed): only a cleaned customer row has this many fields.
_WIDTH = len(Clean._fields)
_FIELDS, _POINTS, _VALID_KEY, _CALL, _GROUP = (
    Clean._fields.index(n) for n in ("fields", "points", "has_valid_key", "call", "group")
)
_P_VALUE, _P_VALID, _P_KEY = (Point._fields.index(n) for n in ("value", "valid", "key"))


def alone_keys(cl) -> tuple | None:
    """Every key of a row that could tie it to another row or customer: its name, client code
    and contact points (as typed or normalised). None for a row that always goes through
    matching (not a customer row, a call, a row of a long-format group)."""
    if len(cl) != _WIDTH or cl[_CALL] is not None or cl[_GROUP] is not None:
        return None
    f = cl[_FIELDS]
    ext = f.get("external_id")
    if ext:
        return (("name", f["display_name"]), ("ext", ext), *[p[_P_KEY] for p in cl[_POINTS]])
    return (("name", f["display_name"]), *[p[_P_KEY] for p in cl[_POINTS]])


def lookup_keys(cl) -> list[tuple[str, str]]:
    """The keys of a row the base's key index is asked about: its valid phones and emails, its
    client code, and its name when it has no valid contact to be found by. Each is the
    ``(kind, value)`` pair whose ``hash`` the key index holds (``keyindex.key_hash``)."""
    if len(cl) != _WIDTH:
        return []
    out = [p[_P_KEY] for p in cl[_POINTS] if p[_P_VALID] and p[_P_VALUE] is not None]
    f = cl[_FIELDS]
    if not cl[_VALID_KEY] and f.get("display_name"):
        out.append(("name", f["display_name"]))
    if f.get("external_id"):
        out.append(("ext", f["external_id"]))
    return out


def has_call(cl) -> bool:
    return len(cl) == _WIDTH and cl[_CALL] is not None
