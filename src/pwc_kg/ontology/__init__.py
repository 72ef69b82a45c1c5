"""The ontology, published: its HTML documentation and its JSON-LD context, generated from ``ontology/pwc.ttl``.

``python -m pwc_kg.ontology.docs`` regenerates both build products (``docs/ontology/index.html``
and ``ontology/context.jsonld``); ``--check`` says whether the committed ones are up to date.
"""

from .context import context_path, jsonld_context

__all__ = ["context_path", "jsonld_context"]
