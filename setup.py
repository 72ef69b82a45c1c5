"""The build step pyproject.toml cannot say: copy the repository's top-level resource folders into the package.

``ontology/``, ``shapes/``, ``queries/`` and ``docs/ontology/`` stay at the top of the repository
(their only copy in git); a wheel carries them as ``pwc_kg/_data/<folder>``, where
``pwc_kg.resources`` finds them. The folders are named once, in ``src/pwc_kg/resources.py``
(``FOLDERS``); ``MANIFEST.in`` puts them in the sdist, so a wheel built from the sdist has them too.
An editable install copies nothing: it reads the repository's files, so an edit shows at once.
Everything else about the package is in pyproject.toml.
"""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
_resources = runpy.run_path(str(HERE / "src" / "pwc_kg" / "resources.py"))
FOLDERS, PACKAGED, IGNORED = _resources["FOLDERS"], _resources["PACKAGED"], _resources["_IGNORED"]


def resource_files() -> list[str]:
    """Every file of FOLDERS, relative to the top of the source tree; a folder missing is an error."""
    out = []
    for folder in FOLDERS:
        top = HERE / folder
        if not top.is_dir():
            raise SystemExit(f"setup.py: the folder {folder}/ is missing from {HERE}: pwc-kg cannot run without it")
        out += [f.relative_to(HERE).as_posix() for f in sorted(top.rglob("*"))
                if f.is_file() and not any(part in IGNORED for part in f.relative_to(top).parts)]
    return out


class build_py_with_resources(build_py):
    """build_py, then FOLDERS copied to <build_lib>/pwc_kg/_data (not in editable mode)."""

    def _targets(self) -> dict[str, str]:
        if getattr(self, "editable_mode", False):
            return {}
        return {str(Path(self.build_lib, "pwc_kg", PACKAGED, name)): str(HERE / name) for name in resource_files()}

    def run(self):
        super().run()
        targets = self._targets()
        if targets:  # a file deleted from the repository must not linger in a reused build/ folder
            shutil.rmtree(Path(self.build_lib, "pwc_kg", PACKAGED), ignore_errors=True)
        for target, source in targets.items():
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def get_outputs(self, include_bytecode=1):
        return super().get_outputs(include_bytecode) + list(self._targets())

    def get_output_mapping(self):
        return {**super().get_output_mapping(), **self._targets()}


setup(cmdclass={"build_py": build_py_with_resources})
