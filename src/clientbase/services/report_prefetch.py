"""The orders a report reads, asked of the database on a thread of its own before the report's
modules are imported: the half second the database takes to join a million orders into texts
runs beside the half second Python takes to import pandas and the report (the database holds
no Python lock while it works). Nothing here imports pandas."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from clientbase.db.engine import side_engine
from clientbase.db.joined_sql import fetch_joined
from clientbase.services.analytics import orders_query


def start_reading_orders(engine: Engine) -> Callable[[], tuple] | None:
    """A function giving the texts of ``analytics.orders_query`` as ``ReportSource.orders``
    reads them (``load_orders(fetched=...)``), once, waiting for the thread reading them
    through an engine of its own; None for a base only this engine sees (SQLite in memory).
    The texts (some 40 MB for a million orders) are let go as soon as they are taken."""
    side = side_engine(engine)
    if side is None:
        return None
    q, kinds = orders_query(with_margin=False)
    box: dict = {}
    done = threading.Event()

    def read() -> None:
        try:
            with side.connect() as conn:
                box["texts"] = fetch_joined(conn, q, kinds)
        except BaseException as exc:  # handed to the reader, who falls back or fails with it
            box["error"] = exc
        finally:
            side.dispose()
            done.set()

    def take() -> tuple:
        done.wait()
        if "error" in box:
            raise box.pop("error")
        return box.pop("texts")

    # A daemon: a command that fails before it reads the orders does not wait for them.
    threading.Thread(target=read, name="report-orders", daemon=True).start()
    return take
