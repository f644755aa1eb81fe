"""Shell completion of values: platform names, and the names of the base's saved segments.

Completion runs on every Tab press, before any command: it reads the base only when it exists
(never creating or migrating one) and says nothing when it cannot read it.
"""

from __future__ import annotations

import typer

from clientbase.config import resolve_db


def complete_platform(incomplete: str) -> list[str]:
    # exporters.presets (its tables, importlib.resources) only on a Tab press: not at start-up
    from clientbase.exporters.presets import platforms

    return [p for p in platforms() if p.startswith(incomplete.lower())]


def complete_segment(ctx: typer.Context, incomplete: str) -> list[str]:
    location = resolve_db(ctx.find_root().params.get("db"))
    if location.path is not None and not location.path.is_file():
        return []
    try:
        # SQLAlchemy, loaded by both, only when a segment name is completed
        from clientbase.db.engine import make_engine
        from clientbase.services.segments import segment_names

        names = segment_names(make_engine(location.url))
    except Exception:  # a Tab press must never print a traceback into the command line
        return []
    return [n for n in names if n.lower().startswith(incomplete.lower())]
