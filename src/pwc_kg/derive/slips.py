"""Scale slips: a value on another scale than the rest of its leaderboard.

Real tables mix "0.853" into a column of "84.1", "85.6", "86.0" (a fraction among percentages),
and the other way round. Ranked as it stands, such a value is last, or, in a lower-is-better
column, the state of the art. A value is a slip when it is on one side of 1 while at least three
times as many values of its leaderboard (and at least three) are on the other, those others are on
one scale (the largest at most ``SPREAD`` times the smallest: 4.83 to 90.9 is no scale to slip
from), and a hundred times it (or a hundredth of it) falls among them. It is kept, shown and flagged with the reason, and kept
out of ranks, SOTA and records.

>>> from decimal import Decimal as D
>>> from .inputs import Row
>>> rows = [Row(f"r{i}", D(v), None, False) for i, v in enumerate(["84.1", "85.6", "86.0", "0.853"])]
>>> scale_slips(rows)
{'r3': '0.853 looks like a fraction where the 3 other results are percentages (84.1 to 86.0)'}
>>> scale_slips([Row(f"r{i}", D(v), None, False) for i, v in enumerate(["1.2", "1.5", "2.0", "0.9"])])
{}
"""

from __future__ import annotations

from decimal import Decimal

from .inputs import Row

_ONE, _HUNDRED = Decimal(1), Decimal(100)
_SLACK = Decimal("1.5")  # how far outside the others' range the rescaled value may fall
SPREAD = 4


def scale_slips(rows: list[Row]) -> dict[str, str]:
    """result → why its value is kept out of the ranking, for the slips among these rows."""
    small = [r.value for r in rows if 0 < r.value <= _ONE]
    big = [r.value for r in rows if _ONE < r.value <= _HUNDRED]
    out = {}
    for few, many, scale, says in ((small, big, _HUNDRED, "a fraction where the {n} other results are percentages"),
                                   (big, small, 1 / _HUNDRED, "a percentage where the {n} other results are fractions")):
        if not few or len(many) < 3 or len(few) * 3 > len(many):
            continue
        lo, hi = min(many), max(many)
        if hi > lo * SPREAD:
            continue
        for r in rows:
            if r.value in few and lo / _SLACK <= r.value * scale <= hi * _SLACK:
                out[r.result] = f"{r.value} looks like {says.format(n=len(many))} ({lo} to {hi})"
    return out
