"""The face gate (issue 14): YuNet runs only where the object detector sees a person, at a score below the label
threshold, and that loses no face.

Real models on real images (no mocks): the face analyzer is the real one, wrapped only to count its calls.
Always run: scikit-image's astronaut, whole and cropped to the face alone (a portrait), and coffee (no person).
With the corpus: every photo gives the same faces and the same labels with the gate as without it."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer
from cloudalbum.config import Settings
from cloudalbum.media.decode import UndecodableImage, decode
from cloudalbum.media.thumbnails import encode_jpeg
from cloudalbum.services.processing import analyze

from .helpers import corpus_files, photo_bytes

skdata = pytest.importorskip("skimage.data", reason="scikit-image (the dev extras: make install) ships the "
                             "astronaut and coffee test images")

GATE = Settings().face_gate


class CountingAnalyzer:
    """The real analyzer; counts how often the pipeline asks it for faces."""

    def __init__(self, inner: OpencvFaceAnalyzer) -> None:
        self.inner, self.calls = inner, 0
        self.name, self.version, self.models = inner.name, inner.version, inner.models

    def faces(self, image: Any) -> Any:
        self.calls += 1
        return self.inner.faces(image)


@pytest.fixture(scope="module")
def analyzer() -> OpencvFaceAnalyzer:
    return OpencvFaceAnalyzer.load()


def both(data: bytes, detector: Any, analyzer: OpencvFaceAnalyzer) -> tuple[Any, Any, int]:
    """(ungated result, gated result, face-analyzer calls the gated run made)."""
    ungated = analyze(data, detector, None, faces=analyzer)
    counting = CountingAnalyzer(analyzer)
    gated = analyze(data, detector, None, faces=counting, face_gate=GATE)
    return ungated, gated, counting.calls


def jpeg(image: Image.Image) -> bytes:
    return encode_jpeg(image, quality=95)


def test_the_gate_is_below_the_label_threshold() -> None:
    assert 0 < GATE < Settings().detect_threshold


def test_no_person_no_face_detection_and_still_recorded_as_looked_at(detector: Any,
                                                                      analyzer: OpencvFaceAnalyzer) -> None:
    ungated, gated, calls = both(jpeg(Image.fromarray(skdata.coffee())), detector, analyzer)
    assert calls == 0
    assert gated.faces == [] and gated.face_crops == [] and ungated.faces == []
    assert gated.faces_model == analyzer.models  # the photo counts as looked at for faces
    assert [lbl.name for lbl in gated.labels] == [lbl.name for lbl in ungated.labels]


def test_a_gate_above_the_label_threshold_still_gates(detector: Any, analyzer: OpencvFaceAnalyzer) -> None:
    counting = CountingAnalyzer(analyzer)
    result = analyze(jpeg(Image.fromarray(skdata.coffee())), detector, None, faces=counting, face_gate=0.5)
    assert counting.calls == 0 and result.faces == [] and result.faces_model == analyzer.models
    assert "cup" in {lbl.name for lbl in result.labels}  # labels still cut at the label threshold, not the gate


@pytest.mark.parametrize("box", [None, (150, 40, 310, 220), (170, 60, 290, 200)],
                         ids=["astronaut", "face-crop", "tight-portrait"])
def test_a_portrait_keeps_its_face(box: tuple[int, int, int, int] | None, detector: Any,
                                   analyzer: OpencvFaceAnalyzer) -> None:
    image = Image.fromarray(skdata.astronaut())
    ungated, gated, calls = both(jpeg(image.crop(box) if box else image), detector, analyzer)
    assert calls == 1 and len(gated.faces) == len(ungated.faces) == 1
    assert gated.faces[0].embedding == ungated.faces[0].embedding


@pytest.mark.corpus
@pytest.mark.parametrize("rel", corpus_files("gps", "objects", "bad"))
def test_the_gate_loses_no_face_and_changes_no_label_on_the_corpus(rel: str, detector: Any,
                                                                   analyzer: OpencvFaceAnalyzer) -> None:
    data = photo_bytes(rel)
    try:
        decode(data)
    except UndecodableImage:
        pytest.skip("not decodable: no faces either way")
    ungated, gated, calls = both(data, detector, analyzer)
    assert len(gated.faces) == len(ungated.faces)
    assert [f.embedding for f in gated.faces] == [f.embedding for f in ungated.faces]
    assert [(lbl.name, lbl.count, lbl.confidence) for lbl in gated.labels] == \
           [(lbl.name, lbl.count, lbl.confidence) for lbl in ungated.labels]
    if ungated.faces:
        assert calls == 1
