"""The kinds of source a build reads, how a file's name or a record's keys say which archive file it is, and
the error a source that cannot be read raises. Read by ``archive.py`` (JSON) and ``parquet.py`` alike, so that
neither imports the other for them.
"""

from __future__ import annotations

import os
import re

from ..errors import PwcKgError

PAPERS = "papers"
CODE_LINKS = "code-links"
EVALUATION_TABLES = "evaluation-tables"
METHODS = "methods"
DATASETS = "datasets"
# Sources beyond the archive: where model lineage comes from.
MODEL_INDEX = "model-index"  # a Papers With Code model-index.yml (importing metafile.yml files)
MODEL_CARDS = "model-cards"  # a folder of Hugging Face model cards (README.md with YAML front matter)
LINEAGE = "lineage"  # the curated lineage file (CSV)
# The order a build reads them in: later kinds look up names the earlier ones defined.
KINDS = (METHODS, DATASETS, PAPERS, CODE_LINKS, EVALUATION_TABLES, MODEL_INDEX, MODEL_CARDS, LINEAGE)

ARCHIVE_KINDS = (PAPERS, CODE_LINKS, EVALUATION_TABLES, METHODS, DATASETS)
# Each archive file's name: as the dumps are named (papers-with-abstracts.json.gz, ...), and as its dataset
# repository on the Hugging Face Hub is (pwc-archive/links-between-paper-and-code: "paper", not "papers").
DUMP_NAMES = {
    PAPERS: "papers-with-abstracts",
    CODE_LINKS: "links-between-papers-and-code",
    EVALUATION_TABLES: "evaluation-tables",
    METHODS: "methods",
    DATASETS: "datasets",
}
HUB_NAMES = {**DUMP_NAMES, CODE_LINKS: "links-between-paper-and-code"}
_BY_NAME = {**{v: k for k, v in DUMP_NAMES.items()}, **{v: k for k, v in HUB_NAMES.items()}}
# The dated dumps of pwc-archive/files: jul-28-evaluation-tables.json.gz, jul-29-papers-with-abstracts.json.gz;
# also 2025-07-28-... and 20250728-...
_DATE_PREFIX = re.compile(r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-_]\d{1,2}(?:[-_]\d{4})?"
                          r"|\d{4}-\d{2}-\d{2}|\d{8})[-_]", re.IGNORECASE)


def kind_by_name(stem: str) -> str | None:
    """The archive kind a file or folder name (without .json/.json.gz) says, with or without a date prefix.

    >>> kind_by_name("jul-28-links-between-papers-and-code"), kind_by_name("links-between-paper-and-code")
    ('code-links', 'code-links')
    >>> kind_by_name("2025-07-29-papers-with-abstracts"), kind_by_name("README")
    ('papers', None)
    """
    name = stem.lower()
    kind = _BY_NAME.get(name)
    if kind is None:
        m = _DATE_PREFIX.match(name)
        kind = _BY_NAME.get(name[m.end():]) if m else None
    return kind


class SourceError(PwcKgError):
    """A source file that cannot be read: names the file, the position and what is wrong."""

    def __init__(self, path: os.PathLike | str, position: str, message: str):
        self.path = str(path)
        self.position = position
        self.message = message
        super().__init__(f"{self.path}: {position}: {message}")


def kind_of_record(record: object) -> str | None:
    """Which archive file a record belongs in, from its keys."""
    if not isinstance(record, dict):
        return None
    keys = record.keys()
    if "task" in keys and ("datasets" in keys or "subtasks" in keys):
        return EVALUATION_TABLES
    if "repo_url" in keys:
        return CODE_LINKS
    if "paper_url" in keys and ("abstract" in keys or "authors" in keys):
        return PAPERS
    url = record.get("url")
    if "collections" in keys or (isinstance(url, str) and "/method/" in url):
        return METHODS
    if "data_loaders" in keys or "modalities" in keys or (isinstance(url, str) and "/dataset/" in url):
        return DATASETS
    return None


class NotAnArchiveFile(SourceError):
    """A file that can be read and holds no archive records (a README.json, a Parquet file of other
    columns): in a folder, it is passed over and listed."""
