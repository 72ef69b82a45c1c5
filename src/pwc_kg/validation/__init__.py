"""SHACL validation: shapes compiled to SPARQL for whole stores, pySHACL for small graphs.

pySHACL, the reference engine, validates about 3,000 focus nodes a second here, so the full
archive (millions of focus nodes) would take most of an hour. ``compile`` turns each
constraint of ``shapes/`` into one SPARQL query that returns the violating (focus, value)
pairs, run by the store itself. It understands SHACL core (every target, property paths, the
core constraint components; see compiler.py and components.py) and refuses, naming it, whatever it cannot check
exactly, so a shape is never skipped silently. The test suite checks that both engines agree
on every file in ``shapes/examples`` and runs both on the W3C SHACL core tests.
"""

from .compiled import ValidationResult, Violation, validate_store
from .compiler import compile_shapes
from .reference import validate_with_pyshacl

__all__ = ["ValidationResult", "Violation", "compile_shapes", "validate_store", "validate_with_pyshacl"]
