"""Reading metric values as the archive writes them.

A value becomes a decimal number with what else the string said (a percent sign, an
uncertainty, a magnitude); anything that is not a number is refused with a reason.

>>> parse_value("77.1%")
Value(number='77.1', raw='77.1%', percent=True, uncertainty=None, note=None)
>>> parse_value("0.8428 ± 0.0014").uncertainty
'0.0014'
>>> parse_value("1.5B").number
'1500000000'
>>> parse_value("78.9/78.6").number, parse_value("78.9/78.6").note
('78.9', 'first of 2 values separated by "/"; the raw value keeps all')
>>> parse_value("--*")
Traceback (most recent call last):
...
pwc_kg.values.ValueRejected: no number in '--*'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAGNITUDES = {"k": 3, "m": 6, "b": 9, "g": 9, "t": 12}
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-", "\uff0d": "-"})
_NUMBER = r"[-+]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_FOOTNOTE = r"[*†‡§¶#]*"
_SINGLE = re.compile(
    rf"^(?P<num>{_NUMBER})\s*(?P<mag>[kKmMbBgGtT])?\s*(?P<pct>%)?\s*{_FOOTNOTE}"
    rf"(?:\s*(?:±|\+/-|\+-)\s*(?P<unc>{_NUMBER})\s*%?)?\s*{_FOOTNOTE}$"
)
_SEVERAL = re.compile(
    rf"^(?P<num>{_NUMBER})\s*(?P<pct>%)?\s*{_FOOTNOTE}\s*(?P<sep>[/|;])\s*{_NUMBER}\s*%?\s*{_FOOTNOTE}"
    rf"(?:\s*[/|;]\s*{_NUMBER}\s*%?\s*{_FOOTNOTE})*$"
)
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00a0"), None)
_MAX_LEN = 64


class ValueRejected(ValueError):
    """The value is no number; the message is the reason written to the rejects report."""


@dataclass(frozen=True)
class Value:
    number: str  # canonical xsd:decimal lexical form
    raw: str
    percent: bool = False
    uncertainty: str | None = None
    note: str | None = None


def _decimal(text: str, magnitude: str | None = None) -> str:
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation as e:  # pragma: no cover - the regex admits only numbers
        raise ValueRejected(f"unreadable number {text!r}") from e
    if not d.is_finite():
        raise ValueRejected(f"not a finite number: {text!r}")
    if magnitude:
        d = d.scaleb(MAGNITUDES[magnitude.lower()])
    # The store keeps decimals as 128-bit fixed point (18 fractional digits, |x| < 1.7e20):
    # a value outside would be stored but could not be compared or ranked.
    if d != 0 and d.adjusted() > 19:
        raise ValueRejected(f"number too large to rank (above 1e20): {text!r}")
    if _fraction_digits(d) > 18:
        raise ValueRejected(f"more than 18 digits after the point: {text!r}")
    return canonical_decimal(d)


def _fraction_digits(d: Decimal) -> int:
    """Significant digits after the point, exactly (no rounding to the context's precision)."""
    _, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - zeros)


def canonical_decimal(d: Decimal) -> str:
    """xsd:decimal lexical form: no exponent, no trailing zeros after the point, '1.0' kept as '1'."""
    if d == 0:
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_value(raw: object) -> Value:
    """Parse one metric value: a JSON number, or a string as the archive writes them."""
    if isinstance(raw, bool) or raw is None:
        raise ValueRejected(f"not a number: {raw!r}")
    if isinstance(raw, (int, Decimal, float)):
        d = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
        if not d.is_finite():
            raise ValueRejected(f"not a finite number: {raw!r}")
        return Value(_decimal(str(d)), str(raw))
    if not isinstance(raw, str):
        raise ValueRejected(f"a value must be a string or a number, not {type(raw).__name__}")
    text = raw.translate(_INVISIBLE).strip().translate(_MINUS)
    if not text:
        raise ValueRejected("empty value")
    approximate = text[0] in "~≈"
    if approximate:
        text = text[1:].lstrip()
    if len(text) > _MAX_LEN:
        raise ValueRejected(f"value longer than {_MAX_LEN} characters")
    m = _SINGLE.match(text)
    if m:
        mag = m.group("mag")
        if mag and m.group("pct"):
            raise ValueRejected(f"both a magnitude and a percent sign in {raw!r}")
        unc = _decimal(m.group("unc")) if m.group("unc") else None
        if unc is not None and mag:
            unc = _decimal(m.group("unc"), mag)
        note = "approximate (written with ~)" if approximate else None
        return Value(_decimal(m.group("num"), mag), raw, bool(m.group("pct")), unc, note)
    m = _SEVERAL.match(text)
    if m and not approximate:
        count = len(re.findall(_NUMBER, text))
        note = f'first of {count} values separated by "{m.group("sep")}"; the raw value keeps all'
        return Value(_decimal(m.group("num")), raw, bool(m.group("pct")), None, note)
    raise ValueRejected(f"no number in {raw!r}")
