"""A customer's second client code: a CRM's ID and 1C's code for one person is normal.

A row that finds its customer by phone, e-mail or name and brings a code the customer does not
have keeps it on the customer as a contact point of kind ``code`` (candidates.CODE_KIND), known
to the key index as the code's own key, so the next row with only that code finds the same
customer. A code another customer has stays with them: it is one customer's in its system.
"""

from __future__ import annotations

from clientbase.i18n import _
from clientbase.importers.candidates import CODE_KEY, CODE_KIND, Cust
from clientbase.importers.clean import Clean, Point


def code_owner(cust: Cust, code: str, index) -> Cust | None:
    """Another customer of the chunk's candidates who has ``code``, if any."""
    for other in index.get((CODE_KEY, code), ()):
        if other.id != cust.id:
            return other
    return None


def conflict_line(cl: Clean, code: str, owner: Cust, cust: Cust, by: str) -> str:
    """The warning for a row whose code belongs to ``owner`` while it went to ``cust``."""
    where = _("row {row}").format(row=cl.row)
    if cl.sheet:
        where = _("sheet {sheet}, row {row}").format(sheet=cl.sheet, row=cl.row)
    return _(
        "{where}: client code {code} belongs to customer #{owner}, the row went to #{customer} "
        "({by}); the code stays with #{owner} (if they are one person: `clientbase dedupe merge "
        "{owner} {customer}`)"
    ).format(where=where, code=code, owner=owner.id, customer=cust.id, by=by)


def add_code(cust: Cust, code: str, point_id: int, index) -> None:
    """``code`` on ``cust`` as a new contact point with id ``point_id``, written with the
    customer's other new points; findable by later rows of the chunk at once."""
    key = (CODE_KEY, code)
    cust.keys[key] = [point_id, "unknown", (None, None)]
    cust.new_points[key] = [
        Point(CODE_KIND, code, code, True, None, None, None, key),
        None,
        point_id,
    ]
    index[key].append(cust)
