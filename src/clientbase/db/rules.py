"""Domain rules that several packages apply, each written once.

They live beside the schema because they are about its values (statuses, customer columns), and
this is the lowest layer: importers, dedupe, analytics, segments and services may all read them.
"""

from __future__ import annotations

# Orders kept in the base but left out of every analysis, segment fact and report figure.
UNCOUNTED_ORDER_STATUSES = ("cancelled", "returned")

# Customers that are no longer live cards: never matched, merged into or exported.
NOT_LIVE_CUSTOMER_STATUSES = ("erased", "merged", "archived")

# Changeable facts: when two records disagree, the newer one (a later import, the more recently
# updated card in a merge) knows the current value.
NEWER_WINS = ("company", "position", "city", "address", "postcode", "manager")
