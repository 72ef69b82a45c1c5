"""Which reader and which mapper each kind of source goes through.

A reader yields ``(position, record)``: the position is the record's index in a JSON array, or a
string naming where it is (a card's folder, a YAML path). A mapper turns one record into
triples through its ``Context`` and returns False when the whole record was rejected.
"""

from __future__ import annotations

from .mapping.code_links import map_code_link
from .mapping.datasets import map_dataset
from .mapping.evaluation_tables import map_task_tree
from .mapping.methods import map_method
from .mapping.papers import map_paper
from .sources.archive import (CODE_LINKS, DATASETS, EVALUATION_TABLES, LINEAGE, METHODS, MODEL_CARDS, MODEL_INDEX,
                              PAPERS, iter_records)

MAPPERS = {
    PAPERS: map_paper,
    CODE_LINKS: map_code_link,
    EVALUATION_TABLES: map_task_tree,
    METHODS: map_method,
    DATASETS: map_dataset,
}

READERS = {kind: iter_records for kind in MAPPERS}

UNSUPPORTED = {MODEL_INDEX, MODEL_CARDS, LINEAGE} - set(MAPPERS)
