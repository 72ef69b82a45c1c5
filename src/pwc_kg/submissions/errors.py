"""The errors a moderation step or a submission meets, each with the HTTP status the API answers with."""

from __future__ import annotations

from ..errors import PwcKgError


class SubmissionError(PwcKgError):
    """A moderation step that cannot be done; ``status`` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str, status: int | None = None, report: dict | None = None, *,
                 option: str | None = None):
        super().__init__(message, option=option)
        if status is not None:
            self.status = status
        self.report = report


class StoreBusy(SubmissionError):
    status = 503


class TooLarge(SubmissionError):
    """A payload holding more than a bound lets the server map: 413, naming the bound."""

    status = 413
