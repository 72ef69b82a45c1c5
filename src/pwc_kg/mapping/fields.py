"""Reading the fields of one record, checking each type, rejecting what does not fit.

A field of the wrong type is not a reason to lose the record: the field goes to the rejects
report with its raw value and the rest of the record is mapped.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal

from ..iri import safe_url
from ..pointers import pointer
from .context import Context

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")
MIN_YEAR = 1900


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


class Fields:
    """Typed access to one record's fields; wrong types are reported, never raised."""

    __slots__ = ("ctx", "ptr", "data", "_rejected")

    def __init__(self, ctx: Context, ptr: str, data: dict):
        self.ctx = ctx
        self.ptr = ptr
        self.data = data
        self._rejected: set | None = None

    def reject(self, key: str, value: object, reason: str) -> None:
        """Report a field once, however often the mapper reads it."""
        if self._rejected is None:
            self._rejected = set()
        elif (key, reason) in self._rejected:
            return
        self._rejected.add((key, reason))
        self.ctx.reject(self.ptr, key, value, reason)

    def text(self, key: str) -> str | None:
        """A non-empty string, stripped; None when missing, null or empty."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                return str(value)  # a number where a string is expected loses nothing
            self.reject(key, value, f"expected a string, found {_kind(value)}")
            return None
        value = value.strip()
        return value or None

    def texts(self, key: str) -> list[str]:
        """A list of non-empty strings; bad items are rejected one by one."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.reject(key, value, f"expected a list of strings, found {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                if item.strip():
                    out.append(item.strip())
            elif item is not None:
                self.ctx.reject(self.ptr + pointer(key, i), key, item, f"expected a string, found {_kind(item)}")
        return out

    def objects(self, key: str) -> list[tuple[int | None, dict]]:
        """(index, item) of a list of objects; other items are rejected.

        One object where a list of them is expected is kept, with the index None: it has none in the
        source, and ``pointer`` leaves a None out.
        """
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, dict):
            return [(None, value)]
        if not isinstance(value, list):
            self.reject(key, value, f"expected a list of objects, found {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            elif item is not None:
                self.ctx.reject(self.ptr + pointer(key, i), key, item, f"expected an object, found {_kind(item)}")
        return out

    def object(self, key: str) -> dict | None:
        value = self.data.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.reject(key, value, f"expected an object, found {_kind(value)}")
        return None

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        url = safe_url(value)
        if url is None:
            self.reject(key, value, "not an absolute http(s) URL")
        return url

    def date(self, key: str) -> str | None:
        """An xsd:date lexical form; a date that does not exist or lies in the future is rejected."""
        value = self.text(key)
        if value is None:
            return None
        m = _DATE.match(value)
        if not m:
            self.reject(key, value, "not a date (YYYY-MM-DD)")
            return None
        try:
            day = _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.reject(key, value, "not a calendar date")
            return None
        if not MIN_YEAR <= day.year or day > _dt.date.today() + _dt.timedelta(days=366):
            self.reject(key, value, f"date out of range ({MIN_YEAR} to next year)")
            return None
        return day.isoformat()

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        taken = "not stated" if default is None else default
        self.reject(key, value, f"expected true or false, found {_kind(value)}; taken as {taken}")
        return default

    def integer(self, key: str, lo: int = -(2**63), hi: int = 2**63) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            self.reject(key, value, f"expected an integer, found {_kind(value)}")
            return None
        try:
            n = int(Decimal(str(value).strip()))
            if Decimal(str(value).strip()) != n:
                raise ValueError
        except (ValueError, ArithmeticError):
            self.reject(key, value, "not an integer")
            return None
        if not lo <= n <= hi:
            self.reject(key, value, f"out of range ({lo} to {hi})")
            return None
        return n
