"""Reading metric values as the archive writes them.

A value becomes a decimal number with what else the string said (a percent sign, an
uncertainty, a magnitude), and a note for what a table wrote around the number for a person to
read (emphasis, a footnote mark, words in brackets); anything that is not a number is refused with
a reason. The raw string is kept beside the number (``pwc:rawValue``), the note as ``pwc:valueNote``.

>>> parse_value("77.1%")
Value(number='77.1', raw='77.1%', percent=True, uncertainty=None, note=None)
>>> parse_value("0.8428 ± 0.0014").uncertainty
'0.0014'
>>> parse_value("1.5B").number
'1500000000'
>>> parse_value("78.9/78.6").number, parse_value("78.9/78.6").note
('78.9', 'first of 2 values separated by "/"; the raw value keeps all')
>>> [(v.number, v.note) for v in map(parse_value, ("**70.3**", "60.7+", "70.14 (measured by Ge et al., 2018)"))]
[('70.3', 'bold'), ('60.7', 'marked "+"'), ('70.14', 'measured by Ge et al., 2018')]
>>> parse_value("17.1 (16.1)")
Traceback (most recent call last):
...
pwc_kg.values.ValueRejected: not one number as written: '17.1 (16.1)'
>>> parse_value("--*")
Traceback (most recent call last):
...
pwc_kg.values.ValueRejected: no number in '--*'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import PwcKgError

MAGNITUDES = {"k": 3, "m": 6, "b": 9, "g": 9, "t": 12}
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-", "\uff0d": "-"})
_NUMBER = r"[-+]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# Marks a table puts on a number to point at a footnote or to flag it (85.3*, 60.7+, †71.2): kept as a note.
# Superscript digits are not among them: "10²" is a number of its own.
_MARK = "*†‡§¶#+⁺⋆★☆♠♣♦♥"
_MARKS = rf"[{re.escape(_MARK)}]*"
_LEAD = re.compile(r"^(?P<marks>[†‡§¶⋆★☆♠♣♦♥]+)\s*")  # not "*" (emphasis), "+" (a sign) or "#" (a rank)
_SINGLE = re.compile(
    rf"^(?P<num>{_NUMBER})\s*(?P<mag>[kKmMbBgGtT])?\s*(?P<pct>%)?\s*(?P<m1>{_MARKS})"
    rf"(?:\s*(?:±|\+/-|\+-)\s*(?P<unc>{_NUMBER})\s*%?)?\s*(?P<m2>{_MARKS})$"
)
_SEVERAL = re.compile(
    rf"^(?P<num>{_NUMBER})\s*(?P<pct>%)?\s*(?P<m1>{_MARKS})\s*(?P<sep>[/|;])\s*{_NUMBER}\s*%?\s*(?P<m2>{_MARKS})"
    rf"(?:\s*[/|;]\s*{_NUMBER}\s*%?\s*{_MARKS})*$"
)
# Emphasis around the number, as Markdown or HTML writes it: "**70.3**", "<b>70.3</b>", "*70.3*".
_WRAPPED = [
    (re.compile(r"^\*\*(?P<in>[^*].*?)\*\*(?P<out>[^*]*)$"), "bold"),
    (re.compile(r"^__(?P<in>[^_].*?)__(?P<out>[^_]*)$"), "bold"),
    (re.compile(r"^<(?P<tag>b|strong)>(?P<in>.*?)</(?P=tag)>(?P<out>.*)$", re.I), "bold"),
    (re.compile(r"^<(?P<tag>i|em)>(?P<in>.*?)</(?P=tag)>(?P<out>.*)$", re.I), "italic"),
    (re.compile(r"^<(?P<tag>u)>(?P<in>.*?)</(?P=tag)>(?P<out>.*)$", re.I), "underlined"),
    (re.compile(r"^\*(?P<in>[^*\s][^*]*)\*(?P<out>)$"), "italic"),
    (re.compile(r"^_(?P<in>[^_\s][^_]*)_(?P<out>)$"), "italic"),
]
# A footnote written as HTML: "85.3<sup>†</sup>", "85.3<sup>1</sup>".
_SUP = re.compile(r"^(?P<in>.*?\S)\s*<sup>\s*(?P<mark>[^<>\s]{1,3})\s*</sup>$", re.I)
# An uncertainty in brackets: "85.1 (±0.3)".
_BRACKETED_PM = re.compile(rf"^(?P<in>.*?\S)\s*\(\s*(?:±|\+/-|\+-)\s*(?P<unc>{_NUMBER})\s*\)$")
# Words after the number, in brackets: "70.14 (measured by Ge et al., 2018)". Without a letter in them
# ("17.1 (16.1)", "71.2 [12]") they are a second number or a citation: not read.
_ANNOTATION = re.compile(r"^(?P<in>[^()\[\]]*?\S)\s*(?:\((?P<p>[^()]*[^\W\d_][^()]*)\)|\[(?P<b>[^\[\]]*[^\W\d_][^\[\]]*)\])$")
# Words that change the number's scale are not a note: "3.2 (x10^-3)", "4.1 (millions)".
_SCALE_WORDS = re.compile(r"[x×]\s*10|10\s*\^|\be[-+]?\d|\b(?:thousands?|millions?|billions?|trillions?|per\s*cent)\b", re.I)
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00a0"), None)
_MAX_LEN = 64  # of the number and its marks
_MAX_ANNOTATED = 256  # of the whole value, words included


def read_boolean(lexical: str) -> bool:
    """An xsd:boolean's value from its lexical form: true, false, 1 or 0 (a store gives the canonical forms,
    ``"1"`` stored as ``"true"``; a tap or a parsed payload the lines as written).

    >>> [read_boolean(x) for x in ("true", "1", "false", "0")]
    [True, True, False, False]
    """
    return lexical in ("true", "1")


class ValueRejected(PwcKgError, ValueError):
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
    if len(text) > _MAX_ANNOTATED:
        raise ValueRejected(f"value longer than {_MAX_ANNOTATED} characters")
    notes: list[str] = []
    text, unc_pm = _peel(text, notes)
    approximate = text[:1] in ("~", "≈")
    if approximate:
        text = text[1:].lstrip()
    if len(text) > _MAX_LEN:
        raise ValueRejected(f"value longer than {_MAX_LEN} characters")
    if text.endswith("?") and re.search(r"\d", text):
        raise ValueRejected(f"the source marks the value as uncertain ('?'): {raw!r}")
    lead = _LEAD.match(text)
    if lead:
        text = text[lead.end():]
    m = _SINGLE.match(text)
    if m:
        mag = m.group("mag")
        if mag and m.group("pct"):
            raise ValueRejected(f"both a magnitude and a percent sign in {raw!r}")
        if unc_pm is not None and m.group("unc"):
            raise ValueRejected(f"two uncertainties in {raw!r}")
        unc_text = m.group("unc") or unc_pm
        unc = _decimal(unc_text, mag) if unc_text else None
        _marks(notes, lead, m)
        if approximate:
            notes.append("approximate (written with ~)")
        return Value(_decimal(m.group("num"), mag), raw, bool(m.group("pct")), unc, "; ".join(notes) or None)
    m = _SEVERAL.match(text)
    if m and not approximate and unc_pm is None:
        count = len(re.findall(_NUMBER, text))
        _marks(notes, lead, m)
        notes.append(f'first of {count} values separated by "{m.group("sep")}"; the raw value keeps all')
        return Value(_decimal(m.group("num")), raw, bool(m.group("pct")), None, "; ".join(notes))
    if re.search(r"\d", text):
        raise ValueRejected(f"not one number as written: {raw!r}")
    raise ValueRejected(f"no number in {raw!r}")


def _peel(text: str, notes: list[str]) -> tuple[str, str | None]:
    """Take off what is written around the number (emphasis, a footnote in <sup>, words in brackets,
    a bracketed ±), saying each in ``notes``; the text left, and the bracketed uncertainty if any."""
    unc = None
    for _ in range(4):  # "**70.3** (measured by ...)" is two layers; four is plenty
        before = text
        for pattern, what in _WRAPPED:
            m = pattern.match(text)
            if m and m["in"].strip():
                text = (m["in"].strip() + m["out"]).strip()
                if what not in notes:
                    notes.append(what)
                break
        m = _SUP.match(text)
        if m:
            text = m["in"]
            notes.append(f'marked "{m["mark"]}"')
        m = _BRACKETED_PM.match(text)
        if m and unc is None:
            text, unc = m["in"], m["unc"]
        m = _ANNOTATION.match(text)
        if m:
            words = " ".join((m["p"] or m["b"]).split())
            if _SCALE_WORDS.search(words):
                raise ValueRejected(f"the words after the number may change its scale ({words!r}); not read")
            text = m["in"]
            notes.append(words)
        if text == before:
            break
    return text, unc


def _marks(notes: list[str], lead: re.Match | None, m: re.Match) -> None:
    marks = (lead["marks"] if lead else "") + m["m1"] + m["m2"]
    if marks:
        notes.insert(0, f'marked "{marks}"')
