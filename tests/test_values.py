"""Metric values: what the real data holds, and that nothing crashes the parser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pwc_kg.values import Value, ValueRejected, parse_value


@pytest.mark.parametrize(
    ("raw", "number", "percent", "uncertainty"),
    [
        ("90.871", "90.871", False, None),
        ("77.1%", "77.1", True, None),
        (".3412", "0.3412", False, None),
        ("0.8428 ± 0.0014", "0.8428", False, "0.0014"),
        ("0.8428 +/- 0.0014", "0.8428", False, "0.0014"),
        ("33M", "33000000", False, None),
        ("1.5B", "1500000000", False, None),
        ("220k", "220000", False, None),
        ("3.0m", "3000000", False, None),
        ("\u22122.5", "-2.5", False, None),
        ("1,234.5", "1234.5", False, None),
        ("85.3*", "85.3", False, None),
        ("\ufeff93.3", "93.3", False, None),
        ("1e-3", "0.001", False, None),
        ("12.5 %", "12.5", True, None),
        (Decimal("81.30"), "81.3", False, None),
        (42, "42", False, None),
        (0.5, "0.5", False, None),
    ],
)
def test_numbers_the_archive_writes(raw, number, percent, uncertainty):
    v = parse_value(raw)
    assert (v.number, v.percent, v.uncertainty) == (number, percent, uncertainty)
    assert v.raw == str(raw)


def test_several_numbers_take_the_first_and_say_so():
    v = parse_value("78.9/78.6")
    assert v.number == "78.9" and "first of 2" in v.note and v.raw == "78.9/78.6"
    assert parse_value("91.6/91.1*").number == "91.6"


def test_approximate_values_are_kept_with_a_note():
    v = parse_value("~257M")
    assert v.number == "257000000" and "approximate" in v.note


@pytest.mark.parametrize("raw", ["-", "\u2212", "--*", "", "  ", "Yes", "No", "?", "nan", "inf", "N/A", "–",
                                 None, True, [1], {"a": 1}, "1e400", "17.1 (16.1)", "43B?", "Please tell us", "12M%"])
def test_non_numbers_are_rejected_with_a_reason(raw):
    with pytest.raises(ValueRejected) as err:
        parse_value(raw)
    assert str(err.value)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.decimals(), st.none(), st.booleans(),
                 st.lists(st.integers(), max_size=2)))
def test_any_input_gives_a_decimal_or_a_reason(raw):
    try:
        v = parse_value(raw)
    except ValueRejected as e:
        assert str(e)
        return
    assert isinstance(v, Value)
    d = Decimal(v.number)  # the lexical form is a valid xsd:decimal: no exponent, no spaces
    assert d.is_finite() and "e" not in v.number.lower() and " " not in v.number
    if v.uncertainty is not None:
        Decimal(v.uncertainty)
