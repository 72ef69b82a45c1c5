"""Papers With Code model-index files: ``model-index.yml`` and the files it imports.

The format (https://github.com/paperswithcode/model-index) as its library reads it:

- an index holds ``Models``, ``Collections``, ``Import`` and ``Library`` (keys in any case);
- ``Import`` lists files (globs allowed: ``configs/*/metafile.yml``), each an index again;
- ``Models`` and ``Collections`` are lists whose items are objects or paths (globs allowed) of
  files holding one object or a list of them; a single path or object instead of a list is read too;
- a file is YAML (``.yml``, ``.yaml``), JSON (``.json``) or Markdown (``.md``), whose
  ``<!-- ... -->`` comments with ``Type: model-index`` hold the YAML;
- a model's ``Metadata`` and ``Results`` may be paths of files holding them;
- a model ``In Collection`` inherits that collection's fields: the model's values win, lists
  (``Training Techniques``) are joined, the collection's results come before the model's.

Paths are relative to the file that names them, and must stay inside the index's folder.
Every model is yielded as ``(position, record)``: the position is the file (relative to the
index's folder) and a JSON Pointer into it, ``configs/resnet/metafile.yml#/Models/3``; the
record is the merged model, with ``_results_at`` (each result's own position) and ``_errors``
(fields that could not be read; ``at``, when there, is the position of the item at fault). A file
that cannot be read is yielded as a record with an ``error``, so that the mapper rejects it with
the reason; only a root file that cannot be read fails the build.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from ..pointers import pointer
from .archive import without_surrogates
from .kinds import SourceError
from .model_cards import YamlError, load_yaml

MODEL_FIELDS = ("Name", "Metadata", "Results", "Paper", "Code", "Weights", "Config", "README", "In Collection", "Image")
_CANONICAL = {k.lower(): k for k in MODEL_FIELDS} | {"in_collection": "In Collection", "incollection": "In Collection"}
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_MODEL_KEYS = {"paper", "code", "weights", "config", "readme", "metadata", "results", "in collection", "in_collection"}


class _Unreadable(Exception):
    """A file that cannot be read; the message is the reason."""


def lower_keys(d: dict) -> dict[str, object]:
    """A dict's keys looked up in any case (the first spelling wins)."""
    out: dict[str, object] = {}
    for k in d:
        if isinstance(k, str):
            out.setdefault(k.strip().lower(), k)
    return out


def get(d: dict, key: str, default=None):
    """``d[key]`` with the key in any case."""
    real = lower_keys(d).get(key.lower())
    return d.get(real, default) if real is not None else default


def canonical(d: dict) -> dict:
    """A model or collection with the standard fields under their standard spelling."""
    out = {}
    for k, v in d.items():
        key = _CANONICAL.get(k.strip().lower(), k) if isinstance(k, str) else k
        if key not in out or out[key] is None:
            out[key] = v
    return out


def _merge_by_key(dest: dict, src: dict) -> None:
    """The model-index library's merge of a model's metadata into its collection's: src wins, lists join."""
    for key, value in src.items():
        if key not in dest:
            dest[key] = value
        elif isinstance(dest[key], list):
            dest[key] = dest[key] + [v for v in (value if isinstance(value, list) else [value]) if v not in dest[key]]
        elif isinstance(dest[key], dict) and isinstance(value, dict):
            dest[key] = {**value, **{k: v for k, v in dest[key].items() if k not in value}}
        else:
            dest[key] = value


def _as_dict(value: object) -> dict | None:
    """Metadata as an object; a list of objects is merged (later keys win), as the library does."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out: dict = {}
        for v in value:
            out.update(v)
        return out
    return None


class _Index:
    def __init__(self, root_file: Path):
        self.root_file = root_file
        self.root = root_file.parent.resolve()
        self.models: list[tuple[str, dict, Path]] = []  # (position, raw model, its file)
        self.collections: dict[str, tuple[dict, str, Path]] = {}  # name -> (raw, position, file)
        self.errors: list[tuple[str, dict]] = []
        self._loaded: set[Path] = set()
        self._collection_files: set[Path] = set()

    # -- files

    def rel(self, path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), self.root)).as_posix()

    def at(self, file: Path, *parts: object) -> str:
        return f"{self.rel(file)}#{pointer(*parts)}"

    def expand(self, ref: str, base: Path) -> list[Path]:
        """The files a path or glob names, relative to the file that names it."""
        ref = ref.strip()
        if not ref:
            raise _Unreadable("an empty path")
        if "\x00" in ref:
            raise _Unreadable(f"{ref!r} is no path (it holds a NUL character)")
        full = os.path.join(base.parent, ref)
        if any(c in ref for c in "*?["):
            paths = sorted(Path(p) for p in glob.glob(full, recursive=True) if os.path.isfile(p))
            if not paths:
                raise _Unreadable(f"no file matches {ref!r}")
        else:
            paths = [Path(full)]
        for p in paths:
            resolved = p.resolve()
            if resolved != self.root and self.root not in resolved.parents:
                raise _Unreadable(f"{ref!r} is outside the model-index folder")
            if not resolved.is_file():
                raise _Unreadable(f"no such file: {ref!r}")
        return paths

    def load(self, path: Path) -> object:
        name = path.name.lower()
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as e:
            raise _Unreadable(f"cannot read {self.rel(path)}: {e.strerror or e}") from None
        except UnicodeDecodeError as e:
            raise _Unreadable(f"{self.rel(path)} is not UTF-8: {e.reason}") from None
        try:
            if name.endswith((".yml", ".yaml")):
                return load_yaml(text)
            if name.endswith(".json"):
                try:
                    return without_surrogates(json.loads(text, parse_float=Decimal))
                except ValueError as e:
                    raise _Unreadable(f"{self.rel(path)}: invalid JSON: {e}") from None
            if name.endswith(".md"):
                found = self._markdown(text)
                if not found:
                    raise _Unreadable(f"{self.rel(path)}: no model-index metadata "
                                      "(an HTML comment holding YAML with 'Type: model-index')")
                return found
        except YamlError as e:
            raise _Unreadable(f"{self.rel(path)}: {e}") from None
        raise _Unreadable(f"{self.rel(path)}: not a YAML, JSON or Markdown file")

    @staticmethod
    def _markdown(text: str) -> dict:
        """The model-index metadata of a Markdown file: its comments that say ``Type: model-index``, merged."""
        merged: dict = {}
        for comment in _COMMENT.findall(text):
            try:
                data = load_yaml(comment)
            except YamlError:
                continue  # a comment that is not YAML is just a comment
            if not isinstance(data, dict) or str(get(data, "type", "")).strip().lower() not in ("model-index", "modelindex"):
                continue
            for key, value in data.items():
                if str(key).lower() == "type":
                    continue
                if key not in merged:
                    merged[key] = value
                else:
                    cur = merged[key] if isinstance(merged[key], list) else [merged[key]]
                    merged[key] = cur + (value if isinstance(value, list) else [value])
        return merged

    # -- structure

    def error(self, position: str, field: str, value: object, reason: str) -> None:
        self.errors.append((position, {"error": reason, "field": field, "value": value}))

    def index(self, data: object, file: Path, parts: tuple = ()) -> None:
        """An index object: its Import, Collections and Models."""
        if not isinstance(data, dict):
            self.error(self.at(file, *parts), "file", None, "expected an object with Models, Collections or Import")
            return
        keys = lower_keys(data)
        if "collections" in keys:
            self._collection_files.add(file.resolve())  # its collections are read here: not again as a collection file
            self.collection_list(data[keys["collections"]], file, parts + (keys["collections"],))
        if "models" in keys:
            self.model_list(data[keys["models"]], file, parts + (keys["models"],))
        if "import" in keys:
            imports = data[keys["import"]]
            items = imports if isinstance(imports, list) else [imports]
            for i, ref in enumerate(items):
                where = parts + (keys["import"],) + ((i,) if isinstance(imports, list) else ())
                if ref is None:
                    continue
                if not isinstance(ref, str):
                    self.error(self.at(file, *where), "Import", ref, "an import must be a path")
                    continue
                self._import("Import", ref, file, where, self.index_file)

    def _import(self, field: str, ref: str, file: Path, where: tuple, then) -> None:
        try:
            paths = self.expand(ref, file)
        except _Unreadable as e:
            self.error(self.at(file, *where), field, ref, str(e))
            return
        for path in paths:
            try:
                then(path)
            except _Unreadable as e:
                self.error(self.at(file, *where), field, ref, str(e))

    def index_file(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved in self._loaded:
            return  # imported twice (or in a cycle): read once
        self._loaded.add(resolved)
        data = self.load(path)
        if isinstance(data, dict) and not ({"models", "collections", "import"} & set(lower_keys(data))):
            keys = set(lower_keys(data))
            if "name" in keys and keys & _MODEL_KEYS:
                self.models.append((self.at(path), data, path))
            return  # a Library block, or metadata: nothing to index
        if isinstance(data, list):
            self.model_list(data, path, ())
            return
        if data is None:
            return
        self.index(data, path)

    def model_list(self, value: object, file: Path, parts: tuple) -> None:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = parts + ((i,) if isinstance(value, list) else ())
            if isinstance(item, dict):
                self.models.append((self.at(file, *where), item, file))
            elif isinstance(item, str):
                self._import("Models", item, file, where, self.model_file)
            elif item is not None:
                self.error(self.at(file, *where), "Models", item, "a model must be an object or a path")

    def model_file(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved in self._loaded:
            return
        self._loaded.add(resolved)
        data = self.load(path)
        if isinstance(data, dict):
            keys = lower_keys(data)
            if "models" in keys or "collections" in keys or "import" in keys:
                self.index(data, path)
            elif "model" in keys:
                self.models.append((self.at(path, keys["model"]), data[keys["model"]], path))
            else:
                self.models.append((self.at(path), data, path))
        elif isinstance(data, list):
            self.model_list(data, path, ())
        else:
            raise _Unreadable(f"{self.rel(path)}: expected a model or a list of models")

    def collection_list(self, value: object, file: Path, parts: tuple) -> None:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = parts + ((i,) if isinstance(value, list) else ())
            if isinstance(item, dict):
                name = get(item, "name")
                if isinstance(name, str) and name.strip():
                    self.collections.setdefault(name.strip(), (item, self.at(file, *where), file))
                else:
                    self.error(self.at(file, *where), "Collections", name, "a collection needs a Name; not read")
            elif isinstance(item, str):
                self._import("Collections", item, file, where, self.collection_file)
            elif item is not None:
                self.error(self.at(file, *where), "Collections", item, "a collection must be an object or a path")

    def collection_file(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved in self._collection_files:
            return  # named twice, or by itself ('*.yml' in the index): read once
        self._collection_files.add(resolved)
        data = self.load(path)
        if isinstance(data, dict) and "collections" in lower_keys(data):
            self.collection_list(data[lower_keys(data)["collections"]], path, (lower_keys(data)["collections"],))
        elif isinstance(data, (list, dict)):
            self.collection_list(data, path, ())
        else:
            raise _Unreadable(f"{self.rel(path)}: expected a collection or a list of collections")

    # -- one model, complete

    def resolve(self, position: str, raw: dict, file: Path) -> dict:
        """The model with its file references read and its collections merged in."""
        model = canonical(raw)
        errors: list[dict] = []
        model["Metadata"] = self._metadata(model.get("Metadata"), file, errors)
        results, at = self._results(model.get("Results"), file, position, errors)
        model["Results"] = results
        cols = model.get("In Collection")
        names = [cols] if isinstance(cols, str) else cols if isinstance(cols, list) else []
        if cols is not None and not names:
            errors.append({"field": "In Collection", "value": cols, "reason": "expected a collection name"})
        base: dict | None = None
        base_results: list = []
        base_at: list[str] = []
        for i, name in enumerate(names):
            if name in names[:i]:
                continue  # a collection named twice is one collection
            found = self.collections.get(name.strip()) if isinstance(name, str) else None
            if found is None:
                errors.append({"field": "In Collection", "value": name,
                               "reason": "no collection of that name in the model index; read without it"})
                continue
            col_raw, col_pos, col_file = found
            col = canonical(copy.deepcopy(col_raw))
            col["Metadata"] = self._metadata(col.get("Metadata"), col_file, errors)
            r, a = self._results(col.get("Results"), col_file, col_pos, errors)
            base_results += r
            base_at += a
            if base is None:
                base = col
            else:
                for k, v in col.items():
                    if k == "Metadata":
                        for mk, mv in (v or {}).items():
                            base.setdefault("Metadata", {}).setdefault(mk, mv)
                    else:
                        base.setdefault(k, v)
        if base is not None:
            full = base
            for key, value in model.items():
                if key == "Metadata":
                    md = dict(full.get("Metadata") or {})
                    _merge_by_key(md, value or {})
                    full["Metadata"] = md
                elif key != "Results" and value is not None:
                    full[key] = value
            model = full
        model["Results"] = base_results + results
        model["_results_at"] = base_at + at
        model["_errors"] = errors
        model.setdefault("Metadata", {})
        return model

    def _metadata(self, value: object, file: Path, errors: list) -> dict:
        if value is None:
            return {}
        if isinstance(value, str):
            try:
                (path,) = self.expand(value, file)[:1]
                value = self.load(path)
            except _Unreadable as e:
                errors.append({"field": "Metadata", "value": value, "reason": str(e)})
                return {}
            if isinstance(value, dict) and set(lower_keys(value)) == {"metadata"}:
                value = get(value, "metadata")
        md = _as_dict(value)
        if md is None:
            errors.append({"field": "Metadata", "value": value, "reason": "expected an object of metadata"})
            return {}
        return dict(md)

    def _results(self, value: object, file: Path, position: str, errors: list) -> tuple[list, list[str]]:
        """The results and each one's position; a path (or glob) names files of results."""
        if value is None:
            return [], []
        if isinstance(value, dict):
            return [value], [position + pointer("Results")]
        if isinstance(value, str):
            value = [value]
            inline = False
        else:
            inline = True
        if not isinstance(value, list):
            errors.append({"field": "Results", "value": value, "reason": "expected a list of results"})
            return [], []
        out, at = [], []
        for i, item in enumerate(value):
            here = position + pointer("Results", i) if inline else position + pointer("Results")
            if isinstance(item, dict):
                out.append(item)
                at.append(here)
            elif isinstance(item, str):
                try:
                    paths = self.expand(item, file)
                    for path in paths:
                        data = self.load(path)
                        if isinstance(data, dict) and "results" in lower_keys(data):
                            key = lower_keys(data)["results"]
                            data, parts = data[key], (key,)
                        else:
                            parts = ()
                        if isinstance(data, dict):
                            out.append(data)
                            at.append(self.at(path, *parts))
                        elif isinstance(data, list):
                            for j, r in enumerate(data):
                                if isinstance(r, dict):
                                    out.append(r)
                                    at.append(self.at(path, *parts, j))
                                else:
                                    errors.append({"field": "Results", "value": r, "at": self.at(path, *parts, j),
                                                   "reason": "a result must be an object"})
                        else:
                            raise _Unreadable(f"{self.rel(path)}: expected results")
                except _Unreadable as e:
                    errors.append({"field": "Results", "value": item, "at": here, "reason": str(e)})
            elif item is not None:
                errors.append({"field": "Results", "value": item, "at": here, "reason": "a result must be an object"})
        return out, at


def iter_model_index(path: str | os.PathLike) -> Iterator[tuple[str, dict]]:
    """(position, record) for each model of a model index (the root file or its folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "model-index.yml" if (path / "model-index.yml").is_file() else path / "model-index.yaml"
    index = _Index(path)
    try:
        data = index.load(path)
    except _Unreadable as e:
        raise SourceError(path, "file", str(e)) from None
    index._loaded.add(path.resolve())
    if isinstance(data, list):
        index.model_list(data, path, ())
    elif isinstance(data, dict):
        index.index(data, path)
    elif data is not None:
        raise SourceError(path, "file", "expected an object with Models, Collections or Import")
    for position, raw, file in index.models:
        if not isinstance(raw, dict):
            yield position, {"error": "a model must be an object", "field": "Models", "value": raw}
            continue
        yield position, index.resolve(position, raw, file)
    yield from index.errors
