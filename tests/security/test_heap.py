"""Memory freed but kept (a model's arena, glibc's free heap) goes back before a large decode (media/heap.py).

The worker's 1 GB promise with text reading on (test_memory_bombs.py) rests on it: the text detector's arena
holds ~100-200 MiB between photos, and a large decode's pixels would otherwise come on top of it.
"""

from __future__ import annotations

import gc
import io
import sys
from pathlib import Path

import pytest
from PIL import Image

from cloudalbum.media import heap
from cloudalbum.media.decode import decode, decode_bytes

from . import bombs

needs_glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def release(self) -> None:
        self.calls += 1


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@needs_glibc
def test_a_large_decode_runs_the_releasers_first_and_a_small_one_does_not() -> None:
    counter = Counter()
    heap.register_releaser(counter.release)
    small = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 60)).save(small, "JPEG")
    decode(small.getvalue())
    assert counter.calls == 0
    big = bombs.png(5000, 4000, bit_depth=8, colour_type=2)  # 20 MP RGB: 76 MiB to decode
    with Image.open(io.BytesIO(big)) as im:
        assert decode_bytes(im) >= heap.TRIM_BEFORE_DECODE_BYTES
    decoded = decode(big)
    assert (decoded.width, decoded.height) == (5000, 4000)
    assert counter.calls == 1


@needs_glibc
def test_releasers_are_held_weakly_and_one_that_fails_stops_nothing(caplog: pytest.LogCaptureFixture) -> None:
    gone, kept = Counter(), Counter()
    heap.register_releaser(gone.release)
    heap.register_releaser(kept.release)

    class Broken:
        def release(self) -> None:
            raise RuntimeError("cannot")

    broken = Broken()
    heap.register_releaser(broken.release)
    del gone
    gc.collect()
    assert heap.release_free_heap() is True
    assert kept.calls == 1
    assert "a memory releaser failed" in caplog.text
    assert broken  # alive until here: its failure was logged, and the releasers after it ran


@needs_glibc
def test_the_text_detectors_arena_is_given_back() -> None:
    """A read at 800 px grows the detector's arena by ~100 MiB; releasing gives it back to the system."""
    text_reader = pytest.importorskip("cloudalbum.adapters.ml.text_reader")
    try:
        reader = text_reader.RapidTextReader.load()
    except Exception as exc:  # ModelUnavailable: the rapidocr wheel is missing
        pytest.skip(str(exc))
    import numpy as np

    noise = np.random.default_rng(0).integers(0, 255, (960, 1280, 3), dtype=np.uint8)
    reader.detect(Image.fromarray(noise))
    heap.release_free_heap()
    settled = rss_mib()
    reader.detect(Image.fromarray(noise))
    grown = rss_mib()
    heap.release_free_heap()
    released = rss_mib()
    assert grown - settled >= 50, (settled, grown)
    assert grown - released >= 50, (settled, grown, released)
