"""A full disk, told plainly: the errors that writing a generation ends with when space runs out.

They come from our own writers (an ``OSError`` with errno ENOSPC, EDQUOT or EFBIG) or from
RocksDB through pyoxigraph (an ``OSError`` whose message says "No space left on device" and names
the file), possibly wrapped in a ``BuildError`` by the loader thread.

>>> disk_full(OSError(28, "No space left on device", "/s/gen-1/staging/000-papers-0000.nt"), "/s/gen-1")
'no space left on device while writing /s/gen-1/staging/000-papers-0000.nt'
>>> disk_full(RuntimeError("loading papers.json failed: IO error: No space left on device: "
...                        "While appending to file: /s/gen-1/db/000113.sst: No space left on device"), "/s/gen-1")
'no space left on device while writing /s/gen-1/db/000113.sst'
>>> disk_full(ValueError("something else"), "/s/gen-1") is None
True
"""

from __future__ import annotations

import errno
import os
import re

_FULL = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
         errno.EFBIG: "file size limit reached"}
_MESSAGES = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
             "File too large": errno.EFBIG}
_FILE_IN_MESSAGE = re.compile(r"(?:to|file):? (/[^:\s]+)")


def disk_full(error: BaseException, folder: str | os.PathLike) -> str | None:
    """What to tell when ``error`` is a full disk (or a quota, or a file-size limit) while writing into
    ``folder``; None for any other error."""
    for e in _chain(error):
        code = e.errno if isinstance(e, OSError) and e.errno in _FULL else None
        if code is None:
            code = next((c for text, c in _MESSAGES.items() if text in str(e)), None)
        if code is None:
            continue
        where = getattr(e, "filename", None)
        if not where:
            m = _FILE_IN_MESSAGE.search(str(e))
            where = m[1] if m else folder
        return f"{_FULL[code]} while writing {where}"
    return None


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__
