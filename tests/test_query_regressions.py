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


class _Counting(EmbeddedBackend):
    """The embedded backend, keeping the text of every SPARQL query it ran."""

    def __init__(self, store):
        super().__init__(store)
        self.texts = []

    def run(self, query):
        self.texts.append(query)
        return super().run(query)


def test_regression_a_new_paper_in_a_submission_compared_every_title_in_lower_case(lamini_store):
    # A submission naming a new paper made resolve() run `LCASE(STR(?l)) = LCASE(?label)` over every
    # label of every paper: 167 s for one title on the full archive (576k papers). Labels are now
    # looked up by index on the embedded store, and a submission names a paper by its exact title
    # (or slug, IRI, arXiv URL): no LCASE scan. Queries still take a title in any case.
    from pwc_kg.iri import Minter
    from pwc_kg.queries.resolve import resolve
    from pwc_kg.store import StoreDir
    from pwc_kg.submissions.resolver import Resolver

    store = StoreDir(lamini_store).open()
    resolver = Resolver(store, Minter())
    resolver.backend = backend = _Counting(store)
    title = "LaMini-LM: A Diverse Herd of Distilled Models from Large-Scale Instructions"
    found = resolver._find("Paper", title, "/paper_title", "paper_title")
    assert found and found.endswith("/paper/lamini-lm-a-diverse-herd-of-distilled-models")
    assert resolver._find("Paper", "A title no paper has", "/paper_title", "paper_title") is None
    assert not resolver.problems
    assert not [t for t in backend.texts if "LCASE" in t]
    assert resolve(backend, "Paper", title.upper()).value == found  # the query path: any case
