"""Hugging Face model cards: ``README.md`` files whose YAML front matter describes a model.

A source is a folder of cards (or one card). Each ``README.md`` below the folder is one card; its
model id is its folder's path relative to the source folder (``MBZUAI/LaMini-GPT-1.5B/README.md``
is ``MBZUAI/LaMini-GPT-1.5B``); a card at the folder itself takes the folder's name. Nothing in
the front matter changes the id. A card that cannot be read (front matter that is no YAML or no
mapping, a file that is not UTF-8) is still yielded, with an ``error``, so that the mapper
rejects it with the reason; only a folder that cannot be read fails the build.

YAML is read as it is written: a float keeps its digits (``71.30`` stays ``Decimal('71.30')``)
and a date stays a string.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .kinds import SourceError
from ..errors import PwcKgError

CARD = "README.md"


@lru_cache(maxsize=1)
def _loader():
    try:
        import yaml
    except ImportError as e:  # pragma: no cover - PyYAML is a dependency
        raise RuntimeError("reading model cards and model-index files needs PyYAML (pip install PyYAML)") from e
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """SafeLoader that keeps a float's digits (as a Decimal) and a date's text."""

    def as_decimal(loader, node):
        text = loader.construct_scalar(node)
        try:
            return Decimal(text.replace("_", ""))
        except InvalidOperation:  # .inf, .nan, 1:30 (sexagesimal): as YAML reads them
            return yaml.SafeLoader.construct_yaml_float(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:float", as_decimal)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return yaml, Loader


class YamlError(PwcKgError, ValueError):
    """YAML that does not parse; the message says where."""


def load_yaml(text: str, first_line: int = 1) -> object:
    """Parse YAML text safely, keeping numbers' digits; raises YamlError with the place of the error
    (``first_line`` is the line of the file the text starts at)."""
    yaml, loader = _loader()
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        at = f" (line {where.line + first_line}, column {where.column + 1})" if where is not None else ""
        raise YamlError(f"invalid YAML: {problem}{at}") from None


def front_matter(text: str) -> str | None:
    """The YAML between the first two ``---`` lines, or None when the text has no front matter.

    Raises YamlError when the front matter is opened but never closed.
    """
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i])
    raise YamlError("the front matter opened with '---' is never closed")


def read_card(path: Path, model_id: str) -> dict:
    """One card as a record: ``{"id", "front_matter"}``, or ``{"id", "error"}`` when it cannot be read."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        return {"id": model_id, "error": f"cannot read the card: {e.strerror or e}"}
    except UnicodeDecodeError as e:
        return {"id": model_id, "error": f"the card is not UTF-8: {e.reason} at byte {e.start}"}
    try:
        yaml_text = front_matter(text)
        if yaml_text is None:
            return {"id": model_id, "front_matter": {}, "no_front_matter": True}
        data = load_yaml(yaml_text, first_line=2)  # the front matter starts below the opening '---'
    except YamlError as e:
        return {"id": model_id, "error": f"front matter: {e}"}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        return {"id": model_id, "error": f"the front matter is {kind}, not a mapping of fields"}
    return {"id": model_id, "front_matter": data}


def _cards(folder: Path) -> list[Path]:
    try:
        os.listdir(folder)
    except OSError as e:
        raise SourceError(folder, "folder", f"cannot read the folder of model cards: {e.strerror or e}") from None
    found = []
    for root, dirs, files in os.walk(folder):  # symbolic links to folders are not followed
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if CARD in files:
            found.append(Path(root) / CARD)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def iter_model_cards(path: str | os.PathLike) -> Iterator[tuple[str, dict]]:
    """(position, record) for each card: the position is the card's path relative to the source folder."""
    path = Path(path)
    if path.is_file():  # one card given by name: its id is its folder's name (or the file's stem)
        yield path.name, read_card(path, path.parent.resolve().name if path.name == CARD else path.stem)
        return
    for card in _cards(path):
        relative = card.relative_to(path)
        folder = relative.parent.as_posix()
        model_id = folder if folder != "." else path.resolve().name
        try:
            relative.as_posix().encode("utf-8")
        except UnicodeEncodeError:
            yield repr(relative.as_posix()), {"id": "", "error": "the card's folder name is not valid UTF-8"}
            continue
        yield relative.as_posix(), read_card(card, model_id)
