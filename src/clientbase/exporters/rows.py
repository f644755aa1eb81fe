"""An audience file's rows for one preset: a customer's identifiers and fields, rendered.

Pure rendering over values the export has already chosen (consent and platform rules are
decided in ``services.export``): the platform's form of each value, hashing where the column is
hashed, phones and emails side by side, and the escaping of cells a spreadsheet would run.
"""

from __future__ import annotations

from clientbase.exporters.presets import Preset
from clientbase.exporters.render import escape_formula, has_cyrillic, hasher, render_name


class RowRenderer:
    """Turns a customer's surviving identifiers and fields into file rows for one preset."""

    def __init__(self, preset: Preset, algo: str, cust_fields: list[str]):
        self.preset = preset
        self.hashing = algo != "none"
        self.h = hasher(algo)
        self.columns = preset.columns
        self.cust_fields = cust_fields  # the customer fields a point row carries, in order
        self.need_country = "country" in preset.fields
        self.escape = preset.escape_formulas
        self.escaped = 0
        self.cyrillic_names = 0
        self.names_out = 0
        # Per column: (source, hash it?)
        self.plan = [(c.field, self.hashing and c.hashed) for c in preset.columns]
        self._phone_at = [i for i, (f, _) in enumerate(self.plan) if f == "phone"]
        self._email_at = [i for i, (f, _) in enumerate(self.plan) if f == "email"]
        self._width = len(self.plan)
        self._one_each = len(self._phone_at) == 1 and len(self._email_at) == 1
        # Customer-level columns: (field, hashed, where in the customer fields; -1 = country,
        # which comes from the phone), the columns each fills, and a cache of rendered values.
        self._fields = [
            (f, hashed, self.cust_fields.index(f) if f != "country" else -1)
            for f, hashed in dict(self.plan).items() if f not in ("phone", "email")
        ]  # fmt: skip
        self._field_cols = [
            [i for i, (f, _) in enumerate(self.plan) if f == name] for name, _, _ in self._fields
        ]
        self._caches: list[dict] = [{} for _ in self._fields]

    def header(self, kind: str | None = None) -> list[str]:
        cols = [c for c in self.columns if kind is None or c.field in (kind,)]
        return [c.title(self.hashing) for c in cols]

    def fields(self, extra: tuple, country: str) -> list[str]:
        """Customer-level values (in the order of ``_fields``), rendered and hashed where the
        column is, once per customer. Names repeat a lot (a few hundred first names cover most
        people), so each distinct value is rendered and hashed once."""
        out = []
        for (name, hashed, at), cache in zip(self._fields, self._caches, strict=True):
            raw = extra[at] if at >= 0 else country
            hit = cache.get(raw)
            if hit is None:
                if len(cache) >= 100_000:  # full names and ids do not repeat: keep memory flat
                    cache.clear()
                hit = cache[raw] = self._field(name, hashed, raw)
            out.append(hit[0])
            if hit[1] or hit[2]:
                self.cyrillic_names += hit[1]
                self.names_out += hit[2]
        return out

    def _field(self, name: str, hashed: bool, raw: str | None) -> tuple[str, int, int]:
        """(value, 1 if a Cyrillic name was transliterated, 1 if a name was left out)."""
        mode = self.preset.names
        cyr = lost = 0
        if name == "name" and raw and ("@" in raw or not any(ch.isalpha() for ch in raw)):
            raw = None  # a card known only by its phone or email shows that as its name
        if name in ("first_name", "last_name", "name"):
            v = render_name(raw, mode if mode != "plain" or not hashed else "hash")
            if raw and mode == "drop":
                lost = 1
            elif raw and mode == "transliterate":
                cyr, lost = int(has_cyrillic(raw)), int(not v)  # lost: nothing left in a-z
        elif name == "country":
            v = (raw or "").lower() if hashed else raw or ""
        elif name == "zip":
            v = "".join((raw or "").split())
            v = v.lower() if hashed else v
        elif name == "city":
            v = render_name(raw or "", mode if hashed else "plain").replace(" ", "")
        else:  # external_id
            v = (raw or "").strip()
        return (self.h(v) if hashed and v else v), cyr, lost

    def rows(self, phones: list[str], emails: list[str], fields: list[str]) -> list[list[str]]:
        """Phones and emails side by side (row i has the i-th of each), customer fields repeated."""
        base = [""] * self._width
        for cols, v in zip(self._field_cols, fields, strict=True):
            for i in cols:
                base[i] = v
        n_p, n_e = len(phones), len(emails)
        if n_p <= 1 and n_e <= 1 and self._one_each:  # most customers: one row, no copies
            if n_p:
                base[self._phone_at[0]] = phones[0]
            if n_e:
                base[self._email_at[0]] = emails[0]
            return [self._escape(base) if self.escape else base]
        out = []
        for k in range(max(n_p, n_e)):
            row = base.copy()
            if k < n_p:
                for i in self._phone_at:
                    row[i] = phones[k]
            if k < n_e:
                for i in self._email_at:
                    row[i] = emails[k]
            out.append(self._escape(row) if self.escape else row)
        return out

    def single(self, value: str) -> list[str]:
        return self._escape([value]) if self.escape else [value]

    def _escape(self, row: list[str]) -> list[str]:
        new = [escape_formula(v) for v in row]
        if new != row:
            self.escaped += sum(a != b for a, b in zip(new, row, strict=True))
        return new
