"""Which reader and which mapper each kind of source goes through.

A reader yields ``(position, record)``: the position is the record's index in a JSON array, or a
string naming where it is (a card's folder, a YAML path). A mapper turns one record into
triples through its ``Context`` and returns False when the whole record was rejected.
"""

from __future__ import annotations

from .mapping.code_links import map_code_link
from .mapping.datasets import map_dataset
from .mapping.evaluation_tables import map_task_tree
from .mapping.lineage_file import map_lineage_row
from .mapping.methods import map_method
from .mapping.model_cards import map_model_card
from .mapping.model_index import map_model_index_model
from .mapping.papers import map_paper
from .sources.archive import iter_records
from .sources.kinds import (CODE_LINKS, DATASETS, EVALUATION_TABLES, LINEAGE, METHODS, MODEL_CARDS, MODEL_INDEX,
                            PAPERS)
from .sources.lineage_file import iter_lineage
from .sources.model_cards import iter_model_cards
from .sources.model_index import iter_model_index

MAPPERS = {
    PAPERS: map_paper,
    CODE_LINKS: map_code_link,
    EVALUATION_TABLES: map_task_tree,
    METHODS: map_method,
    DATASETS: map_dataset,
    MODEL_INDEX: map_model_index_model,
    MODEL_CARDS: map_model_card,
    LINEAGE: map_lineage_row,
}

READERS = {kind: iter_records for kind in (PAPERS, CODE_LINKS, EVALUATION_TABLES, METHODS, DATASETS)}
READERS.update({MODEL_INDEX: iter_model_index, MODEL_CARDS: iter_model_cards, LINEAGE: iter_lineage})
