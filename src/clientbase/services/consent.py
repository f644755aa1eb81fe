"""Marketing consent per channel: set it by hand, take in an opt-out list, read what holds.

Consent is kept as events (``consents``: point, channel, status, when, source); the latest event
of a point and channel is what holds, and without one the point's general consent
(``contact_points.consent``, from a plain "Согласие на рассылку" column) does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select

from clientbase.db.models import consents, contact_points, customers, suppressions
from clientbase.errors import InputFileError, NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.importers import sniff
from clientbase.importers.clean import CHANNEL_KINDS, CHANNELS
from clientbase.importers.column_map import cell_to_text
from clientbase.importers.tabular import read_csv, read_workbook
from clientbase.normalize.emails import normalize_email, split_emails
from clientbase.normalize.phones import normalize_phone, split_phones
from clientbase.services.dry_run import changes
from clientbase.services.results import Result

STATUSES = ("granted", "withdrawn")


def channel_states(conn, point_ids: list[int]) -> dict[int, dict[str, dict]]:
    """{point id: {channel: {"status", "at", "source"}}} — the latest event of each."""
    out: dict[int, dict[str, dict]] = defaultdict(dict)
    for i in range(0, len(point_ids), 500):
        q = (
            select(consents.c.contact_point_id, consents.c.channel, consents.c.status,
                   consents.c.at, consents.c.source)
            .where(consents.c.contact_point_id.in_(point_ids[i : i + 500]))
            .order_by(consents.c.at, consents.c.id)
        )  # fmt: skip
        for pid, channel, status, at, source in conn.execute(q):
            out[pid][channel] = {"status": status, "at": at.isoformat(sep=" "), "source": source}
    return out


def _channels(channel: str) -> tuple[str, ...]:
    if channel == "all":
        return CHANNELS
    if channel not in CHANNELS:
        raise UsageError(
            _("--channel {channel!r}: one of {channels} or all").format(
                channel=channel, channels=", ".join(CHANNELS)
            )
        )
    return (channel,)


def set_consent(
    engine: Engine, customer_id: int, channel: str, status: str, *, source: str | None = None,
    value: str | None = None, region: str = "RU", dry_run: bool = False,
) -> int:  # fmt: skip
    """Record consent for a customer's contact points the channel reaches (or one of them)."""
    if status not in STATUSES:
        raise UsageError(_("{status!r}: granted or withdrawn").format(status=status))
    chans = _channels(channel)
    now = datetime.now()
    with changes(engine, dry_run=dry_run) as conn:
        if (
            conn.execute(select(customers.c.id).where(customers.c.id == customer_id)).first()
            is None
        ):
            raise NotFoundError(
                _("there is no customer {customer_id}").format(customer_id=customer_id),
                hint=_("see: clientbase contacts list"),
            )
        points = conn.execute(
            select(contact_points.c.id, contact_points.c.kind, contact_points.c.value).where(
                contact_points.c.customer_id == customer_id
            )
        ).all()
        if value is not None:
            wanted = {value, normalize_email(value).value, normalize_phone(value, region).e164}
            points = [p for p in points if p.value in wanted]
            if not points:
                raise UsageError(
                    _("customer {customer_id} has no phone or email {value!r}").format(
                        customer_id=customer_id, value=value
                    )
                )
        rows = [
            {"contact_point_id": p.id, "channel": ch, "status": status, "at": now,
             "source": source or "by hand"}
            for ch in chans for p in points if p.kind in CHANNEL_KINDS[ch]
        ]  # fmt: skip
        if not rows:
            raise UsageError(
                _("customer {customer_id} has no contact the {channel} channel reaches").format(
                    customer_id=customer_id, channel=channel
                )
            )
        conn.execute(insert(consents), rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class OptOuts(Result):
    """An opt-out list taken in: its values, those of customers in the base (now withdrawn) and
    those kept on the suppression list only, for the channels named."""

    values: int
    in_base: int
    suppressed_only: int
    channels: list[str]
    dry_run: bool


def import_opt_outs(
    engine: Engine, path: Path, *, channel: str = "all", source: str | None = None,
    region: str = "RU", dry_run: bool = False,
) -> OptOuts:  # fmt: skip
    """An opt-out list (any CSV/Excel, or plain lines): every phone and email in it is withdrawn
    for the channel. Values not in the base go to the suppression list, so a later export
    leaves them out too."""
    chans = _channels(channel)
    values = _read_values(path, region)
    if not values:
        raise UsageError(_("{name}: no phone or email found in it").format(name=path.name))
    reached = {kind for ch in chans for kind in CHANNEL_KINDS[ch]}
    values = [(k, v) for k, v in values if k in reached]  # an email has no SMS channel
    now, src = datetime.now(), source or f"opt-out list {path.name}"
    found = 0
    with changes(engine, dry_run=dry_run) as conn:
        cp = contact_points
        known: dict[tuple[str, str], list[int]] = defaultdict(list)
        for kind in ("phone", "email"):
            vals = [v for k, v in values if k == kind]
            for i in range(0, len(vals), 500):
                q = select(cp.c.kind, cp.c.value, cp.c.id).where(
                    cp.c.kind == kind, cp.c.value.in_(vals[i : i + 500])
                )
                for k, v, pid in conn.execute(q):
                    known[(k, v)].append(pid)
        events, missing = [], []
        for kind, value in values:
            pids = known.get((kind, value))
            for ch in chans:
                if kind not in CHANNEL_KINDS[ch]:
                    continue
                if pids:
                    events += [{"contact_point_id": pid, "channel": ch, "status": "withdrawn",
                                "at": now, "source": src} for pid in pids]  # fmt: skip
                else:
                    missing.append(
                        {"kind": kind, "value": value, "channel": ch, "at": now, "source": src}
                    )
            found += bool(pids)
        if events:
            conn.execute(insert(consents), events)
        if missing:
            conn.execute(insert(suppressions), missing)
    return OptOuts(values=len(values), in_base=found, suppressed_only=len(values) - found,
                   channels=list(chans), dry_run=dry_run)  # fmt: skip


def _read_values(path: Path, region: str) -> list[tuple[str, str]]:
    """Every valid phone and email in the file's cells, normalised, without repeats."""
    try:
        head = path.read_bytes()[: sniff.SAMPLE_BYTES]
    except OSError as exc:
        raise InputFileError(
            _("{path}: cannot read: {strerror}").format(path=path, strerror=exc.strerror)
        ) from exc
    fmt = sniff.detect_format(path, head)
    if fmt == "csv":
        tables = [read_csv(path, encoding=None, delimiter=None, header_score=lambda _c: 0)]
    elif fmt in ("xlsx", "xls", "ods", "xlsb"):
        tables = read_workbook(path, sheet=None, header_score=lambda _c: 0)
    else:
        raise InputFileError(
            _("{name}: an opt-out list must be CSV or a spreadsheet ({fmt})").format(
                name=path.name, fmt=fmt
            )
        )
    seen: dict[tuple[str, str], None] = {}
    for t in tables:
        for _n, cells in [(0, t.header), *t.rows]:
            for cell in cells:
                text = cell_to_text(cell)
                if "@" in text:
                    for e in split_emails(text):
                        r = normalize_email(e)
                        if r.valid:
                            seen[("email", r.value)] = None
                elif sum(ch.isdigit() for ch in text) >= 7:
                    for p in split_phones(text):
                        r = normalize_phone(p, region)
                        if r.valid:
                            seen[("phone", r.e164)] = None
    return list(seen)
