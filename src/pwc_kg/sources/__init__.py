"""Reading sources: which archive file a path is, and its records as a stream."""

from .archive import KINDS, SourceError, SourceFile, discover, iter_records

__all__ = ["KINDS", "SourceError", "SourceFile", "discover", "iter_records"]
