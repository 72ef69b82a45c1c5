"""Regressions in how queries are bound, each test named after its bug."""

import pyoxigraph as ox

from pwc_kg.queries import load_query
from pwc_kg.queries.run import EmbeddedBackend, bind_params
from pwc_kg.remote import SparqlEndpointBackend


def test_regression_values_block_per_variable_slowed_sota_tenfold_on_oxigraph(sota_store):
    # Oxigraph planned `VALUES ?a {..} VALUES ?b {..}` ten times slower than one row
    # `VALUES (?a ?b) {(.. ..)}` (sota: 44-65 ms against 4-8 ms at 0.1 scale). The embedded store
    # gets the joint row; only a remote endpoint (Virtuoso cannot compile it) gets one block each.
    from pwc_kg.store import StoreDir

    embedded = EmbeddedBackend(StoreDir(sota_store).open())
    query = load_query("sota")
    params = {"task": "Question Answering", "dataset": "SQuAD1.1", "extra": "true"}
    text = bind_params(embedded, query, params)
    assert "VALUES (?task_iri ?dataset_iri ?extra)" in text
    rows = embedded.select(text)
    assert rows and all(r["dataset"].value == "SQuAD1.1" for r in rows)

    remote = SparqlEndpointBackend("http://127.0.0.1:9/sparql")  # never contacted: the task is given as a term
    text = bind_params(remote, query, {"task": ox.NamedNode("https://example.org/task/qa"), "extra": "true"})
    assert "VALUES ?task_iri {" in text and "VALUES ?extra {" in text and "VALUES (" not in text
