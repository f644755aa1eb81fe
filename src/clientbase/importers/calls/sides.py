"""Which side of a call is ours: our own numbers, our extensions, the trunk a call came in on.

A PBX writes both ends of every call, and one of them is the company itself: an extension
("101"), a line of the company ("+7 495 123-45-67", the number customers dial), or a trunk. That
side is never a customer. Direction follows from knowing which side it is:
- the number the call was dialled to (Asterisk/FreePBX ``did``) is set only on calls that came
  in from outside, and it is one of our numbers;
- the dialplan context says where a call started: ``from-trunk``/``from-pstn``/``public``
  (FreeSWITCH) for calls from outside, ``from-internal``/``default`` for our own phones;
- the channel names the device: ``SIP/101-0000002a``, ``PJSIP/101-…`` or
  ``sofia/internal/1001@…`` is one of our extensions, ``sofia/external/…``/``sofia/gateway/…``
  and a named SIP peer (``SIP/mtt-trunk-…``) is a trunk;
- a number the user named (``--own-number``, the ``own_numbers`` setting), or one that takes
  part in most calls of a log, is ours.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from clientbase.normalize.phones import is_short_or_internal

# Contexts calls from outside arrive in (FreePBX, Issabel, hand-written dialplans, FreeSWITCH's
# "public") and contexts our own phones dial from (FreeSWITCH's "default").
INCOMING_CONTEXT = re.compile(
    r"from-(?:trunk|pstn|external|did|provider|sip-external|dahdi|zaptel)|ext-did|incoming"
    r"|inbound|^public$"
)
OUTGOING_CONTEXT = re.compile(
    r"from-internal|outbound|outgoing|outrt|dialout|macro-dial-?out|^default$"
)
# "SIP/101-0000002a", "PJSIP/1001-00000012", "IAX2/102-1234", "Local/101@from-internal-…"
_ASTERISK_CHANNEL = re.compile(r"^(?:pj)?sip|^iax2|^dahdi|^local|^zap", re.I)
_CHANNEL_PEER = re.compile(r"^[^/]+/([^-@/;]+)")
_SOFIA = re.compile(r"^sofia/([^/]+)/", re.I)
# 10 significant digits tell two writings of one number apart from any other number: the
# national number of most countries, and the tail of "+7 495 …", "8 495 …" and "495 …" alike.
_KEY_DIGITS = 10
# A number in at least this share of a log's calls is the company's own line.
FREQUENT_SHARE = 0.4
FREQUENT_MIN_CALLS = 5


def number_key(value: str) -> str:
    """The last 10 digits of a number: "+7 (495) 123-45-67" and "84951234567" are one line."""
    digits = "".join(c for c in value if c.isdigit())
    return digits[-_KEY_DIGITS:]


class OwnNumbers:
    """The company's own numbers: given by the user, or learned from the log itself."""

    def __init__(self, numbers: Iterable[str] = ()) -> None:
        self.keys: set[str] = set()
        self.learned: dict[str, str] = {}  # number as written -> how it was learned
        for n in numbers:
            key = number_key(n)
            if len(key) >= 6:
                self.keys.add(key)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str) or not value:
            return False
        key = number_key(value)
        return len(key) >= 6 and key in self.keys

    def learn(self, value: str, how: str) -> None:
        key = number_key(value)
        if len(key) >= 6 and key not in self.keys:
            self.keys.add(key)
            self.learned[value.strip()] = how

    def __bool__(self) -> bool:
        return bool(self.keys)


def channel_side(channel: str) -> str | None:
    """ "ours" for a channel of one of our extensions, "trunk" for a line from outside, None when
    the name does not say."""
    c = channel.strip()
    if not c:
        return None
    m = _SOFIA.match(c)
    if m:
        profile = m.group(1).lower()
        if profile == "internal":
            return "ours"
        if profile in ("external", "gateway"):
            return "trunk"
        return None
    if _ASTERISK_CHANNEL.match(c):
        peer = _CHANNEL_PEER.match(c)
        if peer is None:
            return None
        name = peer.group(1)
        if is_short_or_internal(name):
            return "ours"
        return "trunk"  # a named peer ("mtt", "trunk_beeline") or a long number: the provider
    return None


def context_direction(context: str) -> str | None:
    c = context.strip().lower()
    if not c:
        return None
    if INCOMING_CONTEXT.search(c):
        return "in"
    if OUTGOING_CONTEXT.search(c):
        return "out"
    return None


def frequent_numbers(calls: list[tuple[str, ...]]) -> list[str]:
    """Numbers that take part in most calls of a log: the company's own lines. ``calls`` holds
    the numbers of each call (both sides); extensions and hidden callers are not counted."""
    if len(calls) < FREQUENT_MIN_CALLS:
        return []
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for numbers in calls:
        keys = set()
        for n in numbers:
            key = number_key(n)
            if len(key) >= 6 and not is_short_or_internal(n):
                keys.add(key)
                first.setdefault(key, n.strip())
        counts.update(keys)
    return [
        first[k]
        for k, n in counts.most_common()
        if n >= FREQUENT_MIN_CALLS and n >= FREQUENT_SHARE * len(calls)
    ]
