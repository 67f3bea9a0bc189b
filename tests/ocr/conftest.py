"""Text reader fixtures: one reader per test session (loading the two models is the slow part)."""

from __future__ import annotations

import importlib.util

import pytest

from cloudalbum.adapters.ml.text_reader import RapidTextReader
from support import needs


def needs_rapidocr() -> None:
    needs(importlib.util.find_spec("rapidocr") is not None, "the rapidocr wheel (its models read the text)",
          "pip install rapidocr==3.10.0 (make install does)")


def needs_fonts() -> None:
    from .painted import font_file

    needs(font_file() is not None, "a DejaVu font to paint words with", "apt-get install fonts-dejavu-core")


@pytest.fixture(scope="session")
def reader() -> RapidTextReader:
    needs_rapidocr()
    return RapidTextReader.load()
