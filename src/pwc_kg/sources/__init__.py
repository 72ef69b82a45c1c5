"""Reading sources: which archive file a path is, and its records as a stream."""

from .archive import iter_records
from .discover import SourceFile, discover
from .kinds import KINDS, SourceError

__all__ = ["KINDS", "SourceError", "SourceFile", "discover", "iter_records"]
