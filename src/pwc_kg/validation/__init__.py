"""SHACL validation: shapes compiled to SPARQL for whole stores, pySHACL for small graphs.

pySHACL, the reference engine, validates about 3,000 focus nodes a second here, so the full
archive (millions of focus nodes) would take most of an hour. ``compile`` turns each
constraint of ``shapes/`` into one SPARQL query that returns the violating (focus, value)
pairs, run by the store itself. It understands the core constraint components the shapes
use (sh:targetClass; sh:path an IRI; sh:minCount, sh:maxCount, sh:datatype, sh:class,
sh:nodeKind, sh:pattern, sh:minLength, sh:minInclusive, sh:maxInclusive) and refuses any
other, so a shape it cannot check exactly is never skipped silently. The test suite checks
that both engines agree on every file in ``shapes/examples``.
"""

from .compiled import ValidationResult, Violation, compile_shapes, validate_store
from .reference import validate_with_pyshacl

__all__ = ["ValidationResult", "Violation", "compile_shapes", "validate_store", "validate_with_pyshacl"]
