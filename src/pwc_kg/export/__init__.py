"""Dumps of the graph (``pwc-kg export``) and their VoID/DCAT descriptions.

- :mod:`.dump`: the export itself: streaming, atomic, gzip on the fly, the description beside it;
- :mod:`.stream`: the store read one subject block at a time (graph by graph, or merged);
- :mod:`.jsonld`: JSON-LD written node by node, compacted with the ontology's context;
- :mod:`.profile`: the graph restated in schema.org or ML-Schema terms (``--profile``);
- :mod:`.void`: the VoID/DCAT description (``describe``), for dumps and for a server's ``/.well-known/void``;
- :mod:`.formats`: the formats, their media types and extensions.
"""

from .dump import ExportError, ExportReport, export
from .void import Counts, Dump, describe

__all__ = ["Counts", "Dump", "ExportError", "ExportReport", "describe", "export"]
