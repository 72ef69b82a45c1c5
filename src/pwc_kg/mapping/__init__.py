"""Mapping records to triples: one module per archive file, sharing the context in ``context``."""
