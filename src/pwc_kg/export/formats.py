"""The dump formats: how each is written, named and described.

>>> FORMATS["nq"].media_type, FORMATS["jsonld"].holds_graphs
('application/n-quads', True)
>>> guess_format("dump.ttl.gz")
('ttl', True)
>>> guess_format("dump.txt")
(None, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str  # as --format spells it
    rdf_format: ox.RdfFormat | None  # pyoxigraph's serialiser; None for JSON-LD, which pwc-kg writes itself
    media_type: str
    extension: str
    w3c_format: str  # the format's IRI in http://www.w3.org/ns/formats/, as VoID's void:feature names it
    spec: str
    holds_graphs: bool  # a dataset format (named graphs kept) or a graph format (their merge)


_W3C = "http://www.w3.org/ns/formats/"
FORMATS = {
    "nq": Format("nq", ox.RdfFormat.N_QUADS, "application/n-quads", "nq", _W3C + "N-Quads",
                 "https://www.w3.org/TR/n-quads/", True),
    "trig": Format("trig", ox.RdfFormat.TRIG, "application/trig", "trig", _W3C + "TriG",
                   "https://www.w3.org/TR/trig/", True),
    "jsonld": Format("jsonld", None, "application/ld+json", "jsonld", _W3C + "JSON-LD",
                     "https://www.w3.org/TR/json-ld11/", True),
    "nt": Format("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt", _W3C + "N-Triples",
                 "https://www.w3.org/TR/n-triples/", False),
    "ttl": Format("ttl", ox.RdfFormat.TURTLE, "text/turtle", "ttl", _W3C + "Turtle",
                  "https://www.w3.org/TR/turtle/", False),
}
GZIP_MEDIA_TYPE = "application/gzip"


def guess_format(path: str | Path) -> tuple[str | None, bool]:
    """(format name or None, whether gzip) from a file name such as ``dump.nq.gz``."""
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    stem = name[:-3] if gz else name
    for fmt in FORMATS.values():
        if stem.endswith("." + fmt.extension):
            return fmt.name, gz
    return None, gz
