"""The text reader (rapidocr's PP-OCRv6 models through onnxruntime), real inference, no mocks.

Always run: words painted with Pillow on scikit-image's photos (astronaut, coffee, chelsea, motorcycle) at
several sizes and angles are read, with boxes where they were drawn; blank, flat and tiny images read nothing;
photos without text read (almost) nothing; the model's failures are ModelUnavailable. With the corpus
(../shared/photos): the road sign and the restaurant bill are read."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cloudalbum.adapters.ml import text_reader as text_reader_module
from cloudalbum.adapters.ml.text_reader import (
    DETECTOR_FILE,
    RECOGNIZER_FILE,
    RapidTextReader,
    Region,
    bgr,
    can_hold_text,
    detector_input,
    keep_regions,
    packaged_model_dir,
    scaled_copy,
)
from cloudalbum.domain.errors import ModelUnavailable
from cloudalbum.ports.text import TextLine
from support import PHOTOS, needs_corpus

from .conftest import needs_fonts, needs_rapidocr
from .painted import BASES, STYLES, Painted, paint
from .scoring import centre_inside, char_accuracy, word_recall, words_of

skdata = pytest.importorskip("skimage.data", reason="scikit-image (the dev extras: make install) ships the "
                             "photos the words are painted on")


def read_words(reader: RapidTextReader, painted: Painted) -> tuple[list[TextLine], list[str]]:
    lines = reader.read(painted.image)
    return lines, words_of(line.text for line in lines)


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0.0, min(ax1, bx1) - max(a[0], b[0])), max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


# --- painted photos: the words are read, where they were drawn --------------------------------------------


@pytest.mark.parametrize("angle", [0, 5, 15])
def test_painted_words_are_read_at_an_angle(reader: RapidTextReader, angle: float) -> None:
    """The four photos, each in a style (sign, caption, plain): every phrase found, 90% of the words read
    exactly (bench/ocr_accuracy.py: 97-98% over 144 such photos at the reader's detection size)."""
    needs_fonts()
    expected: list[str] = []
    read_all: list[str] = []
    for i, base in enumerate(BASES):
        style = STYLES[(i + int(angle)) % len(STYLES)]
        painted = paint(base, size=32, angle=angle, style=style)
        lines, read = read_words(reader, painted)
        for phrase in painted.phrases:
            assert set(words_of([phrase])) & set(read), f"{phrase!r} ({style}) not in {[x.text for x in lines]}"
        expected += words_of(painted.phrases)
        read_all += read
    assert word_recall(expected, read_all) >= 0.9, (expected, read_all)
    assert char_accuracy(expected, read_all) >= 0.9


def test_words_on_a_sign_are_read_exactly_at_every_angle(reader: RapidTextReader) -> None:
    needs_fonts()
    for angle in (0, 5, 15):
        painted = paint("motorcycle", size=28, angle=angle, style="sign", seed=4)
        lines, read = read_words(reader, painted)
        assert set(words_of(painted.phrases)) <= set(read), (angle, [line.text for line in lines])


@pytest.mark.parametrize("size", [16, 24, 48, 96])
def test_painted_words_are_read_at_each_size(reader: RapidTextReader, size: int) -> None:
    needs_fonts()
    painted = paint("coffee", size=size, angle=0, style="sign", seed=size)
    lines, read = read_words(reader, painted)
    assert set(words_of(painted.phrases)) <= set(read), [line.text for line in lines]


@pytest.mark.parametrize("angle", [0, 15])
def test_boxes_are_where_the_words_were_drawn(reader: RapidTextReader, angle: float) -> None:
    """Each phrase's line: its centre inside the box drawn, and (upright text) most of the two boxes shared."""
    needs_fonts()
    painted = paint("motorcycle", size=40, angle=angle, style="sign", seed=7)
    lines = reader.read(painted.image)
    for phrase, drawn in zip(painted.phrases, painted.boxes, strict=True):
        first = words_of([phrase])[0]
        (line,) = [line for line in lines if first in words_of([line.text])]
        assert centre_inside(line, drawn), (phrase, line, drawn)
        if angle == 0:
            assert iou((line.x, line.y, line.w, line.h), drawn) >= 0.5, (phrase, line, drawn)


def test_lines_are_in_pixels_of_the_image_in_reading_order(reader: RapidTextReader) -> None:
    needs_fonts()
    painted = paint("chelsea", size=40, angle=0, style="caption", seed=1)
    lines = reader.read(painted.image)
    assert len(lines) >= 2
    w, h = painted.image.size
    for line in lines:
        assert isinstance(line.text, str) and line.text == line.text.strip() and line.text
        assert reader.min_score <= line.confidence <= 1.0
        assert 0 <= line.x and 0 <= line.y and line.w > 0 and line.h > 0
        assert line.x + line.w <= w and line.y + line.h <= h
    tops = [line.y for line in lines]
    assert tops == sorted(tops)  # two phrases, one per half: top to bottom


def test_a_smaller_image_maps_boxes_back_to_its_own_pixels(reader: RapidTextReader) -> None:
    """The same painted photo at half size: the same words, boxes at half the coordinates."""
    needs_fonts()
    painted = paint("astronaut", size=48, angle=0, style="sign", seed=3)
    full = reader.read(painted.image)
    half = reader.read(painted.image.resize((painted.image.width // 2, painted.image.height // 2),
                                            Image.Resampling.LANCZOS))
    full = [line for line in full if line.text in painted.phrases]  # the astronaut's own badge may read at 1280
    half = [line for line in half if line.text in painted.phrases]
    assert [line.text for line in half] == [line.text for line in full] == painted.phrases
    for a, b in zip(full, half, strict=True):
        assert abs(a.x / 2 - b.x) <= 4 and abs(a.y / 2 - b.y) <= 4
        assert abs(a.w / 2 - b.w) <= 6 and abs(a.h / 2 - b.h) <= 6


# --- what holds no text reads nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("image", [
    Image.new("RGB", (1280, 960), (128, 128, 128)),
    Image.new("RGB", (1280, 960), (255, 255, 255)),
    Image.new("RGB", (960, 1280), (0, 0, 0)),
    Image.new("RGB", (1, 1), (10, 200, 30)),
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (6, 6, 3), dtype=np.uint8)),
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (6, 400, 3), dtype=np.uint8)),
], ids=["grey", "white", "black-portrait", "1x1", "6x6-noise", "6px-strip"])
def test_blank_and_tiny_images_read_nothing(reader: RapidTextReader, image: Image.Image) -> None:
    assert reader.read(image) == []


def test_images_that_cannot_hold_text_are_not_looked_at(reader: RapidTextReader,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def no_detection(image: Image.Image) -> list[Region]:
        raise AssertionError("the detector ran on an image that cannot hold text")

    monkeypatch.setattr(reader, "detect", no_detection)
    assert reader.read(Image.new("RGB", (1280, 960), (90, 90, 90))) == []
    assert reader.read(Image.new("RGB", (reader.min_side - 1, 400), (255, 255, 255))) == []
    gradient = Image.linear_gradient("L").resize((640, 480)).point(lambda v: 100 + v // 20).convert("RGB")
    assert reader.read(gradient) == []  # 100..112: no stroke stands out


def test_photos_without_text_read_nothing(reader: RapidTextReader) -> None:
    """The coffee and the cat, unpainted, at the pipeline's 1280 px."""
    from .painted import base_photo

    for base in ("coffee", "chelsea"):
        assert reader.read(base_photo(base)) == [], base


def test_grayscale_and_rgba_images_are_read(reader: RapidTextReader) -> None:
    needs_fonts()
    painted = paint("coffee", size=40, angle=0, style="sign", seed=11)
    expected = set(words_of(painted.phrases))
    for mode in ("L", "RGBA"):
        lines = reader.read(painted.image.convert(mode))
        assert expected <= set(words_of(line.text for line in lines)), mode


# --- the corpus: real text ---------------------------------------------------------------------------------


def test_the_road_sign_and_the_bill_are_read(reader: RapidTextReader) -> None:
    from cloudalbum.media.decode import decode
    from cloudalbum.media.thumbnails import make_thumbnails

    needs_corpus()
    for rel, words in [("gps/Sony DSC-HX5V (2).jpg", {"alt", "hammoor", "notruf", "112"}),
                       ("gps/Apple iPhone 4.jpg", {"tavolo", "30", "conto", "01", "13", "37"})]:
        image = make_thumbnails(decode((PHOTOS / rel).read_bytes(), min_long_side=1280).image)["large"][0]
        read = set(words_of(line.text for line in reader.read(image)))
        assert words <= read, (rel, read)


# --- identity, loading and the model's failures -------------------------------------------------------------


def test_model_identity(reader: RapidTextReader) -> None:
    assert reader.name == "rapidocr"
    assert re.fullmatch(r"[0-9a-f]{12}", reader.version)
    assert re.fullmatch(r"PP-OCRv6_det_small@[0-9a-f]{12}\+PP-OCRv6_rec_small@[0-9a-f]{12}", reader.models)
    again = RapidTextReader.load()
    assert (again.version, again.models) == (reader.version, reader.models)


def test_a_forked_worker_makes_its_own_sessions(reader: RapidTextReader) -> None:
    """A worker that inherits a loaded reader (another pid) remakes its sessions from the files."""
    needs_fonts()
    fresh = RapidTextReader.load()
    before = fresh.parts
    fresh._pid = -1  # as after a fork
    painted = paint("chelsea", size=40, angle=0, style="sign", seed=2)
    assert set(words_of(painted.phrases)) <= set(words_of(line.text for line in fresh.read(painted.image)))
    assert fresh.parts is not before


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_reader_module, "package_dirs", lambda package: None)
    with pytest.raises(ModelUnavailable, match=r"pip install rapidocr==3\.10\.0"):
        RapidTextReader.load()


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="cannot read the text model file"):
        RapidTextReader.load(model_dir=tmp_path)


@pytest.mark.parametrize("broken", [DETECTOR_FILE, RECOGNIZER_FILE])
def test_corrupt_model_is_a_clear_error(tmp_path: Path, broken: str) -> None:
    needs_rapidocr()
    source = packaged_model_dir()
    for name in (DETECTOR_FILE, RECOGNIZER_FILE):
        shutil.copy(source / name, tmp_path / name)
    (tmp_path / broken).write_bytes(b"not an onnx model" * 100)
    with pytest.raises(ModelUnavailable, match="not usable PP-OCR models"):
        RapidTextReader.load(model_dir=tmp_path)


def test_a_model_of_the_wrong_kind_is_a_clear_error(tmp_path: Path) -> None:
    """The detection model given as the recognizer: it parses and runs, but has no character list."""
    needs_rapidocr()
    source = packaged_model_dir()
    shutil.copy(source / DETECTOR_FILE, tmp_path / DETECTOR_FILE)
    shutil.copy(source / DETECTOR_FILE, tmp_path / RECOGNIZER_FILE)
    with pytest.raises(ModelUnavailable, match="no character list"):
        RapidTextReader.load(model_dir=tmp_path)


# --- the pure helpers ---------------------------------------------------------------------------------------


def region(x: float, y: float, w: float, h: float) -> Region:
    return Region(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32))


def test_keep_regions_drops_slivers_and_keeps_the_tallest_in_order() -> None:
    regions = [region(0, 0, 100, 10), region(0, 20, 100, 40), region(0, 70, 100, 3), region(0, 80, 100, 20),
               region(0, 110, 4, 30)]
    assert keep_regions(regions, max_lines=10, min_line_px=6) == [regions[0], regions[1], regions[3]]
    assert keep_regions(regions, max_lines=2, min_line_px=6) == [regions[1], regions[3]]


def test_region_box_is_the_clipped_axis_aligned_box() -> None:
    slanted = Region(np.array([[10, 20], [110, 0], [115, 25], [15, 45]], np.float32))
    assert slanted.box(1000, 1000) == (10.0, 0.0, 105.0, 45.0)
    assert region(-5, -5, 50, 50).box(30, 40) == (0.0, 0.0, 30.0, 40.0)
    assert round(slanted.height, 1) == round(float(np.hypot(5, 25)), 1)


def test_scaled_copy_goes_both_ways() -> None:
    image = Image.new("RGB", (1280, 960))
    assert scaled_copy(image, 640)[0].size == (640, 480) and scaled_copy(image, 640)[1] == 0.5
    small, f = scaled_copy(Image.new("RGB", (300, 200)), 960)
    assert small.size == (960, 640) and f == pytest.approx(3.2)
    same, f = scaled_copy(image, 1280)
    assert same is image and f == 1.0


@pytest.mark.parametrize("size", [(800, 600), (600, 800), (800, 531), (800, 17)])
def test_the_detector_input_is_rapidocrs_in_float32(size: tuple[int, int]) -> None:
    """detector_input replaces rapidocr's DetPreProcess (float64, three copies) for speed: the same tensor."""
    needs_rapidocr()
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    rng = np.random.default_rng(sum(size))
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    theirs = DetPreProcess(800, "max", [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(bgr(image))
    ours = detector_input(image)
    assert ours is not None and theirs is not None
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    assert float(np.abs(ours - theirs).max()) < 1e-6
    assert detector_input(Image.new("RGB", (800, 12))) is None  # a side rounds to 0: rapidocr reads nothing too
    assert DetPreProcess(800, "max")(bgr(Image.new("RGB", (800, 12)))) is None


def test_can_hold_text() -> None:
    assert not can_hold_text(Image.new("RGB", (4000, 3000), (40, 40, 40)))
    assert not can_hold_text(Image.new("RGB", (10, 400), (255, 255, 255)), min_side=16)
    stroke = Image.new("RGB", (64, 64), (255, 255, 255))
    stroke.paste((0, 0, 0), (10, 10, 50, 14))
    assert can_hold_text(stroke)
