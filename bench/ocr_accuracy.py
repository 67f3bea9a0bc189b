"""How well the text reader reads (issue 17): character accuracy (1 - CER) and word recall, per text size and
angle, on photos with known text, at each detection size given.

    .venv/bin/python bench/ocr_accuracy.py [--long-sides 640,960] [--sizes 12,16,20,28,40,64] [--angles 0,5,15]
                                           [--gates 320,480]

* painted: scikit-image's astronaut, coffee, chelsea and motorcycle at 1280 px (the pipeline's large image),
  two phrases painted on each with Pillow (tests/ocr/painted.py: sign, caption and plain styles, DejaVu fonts)
  at each font size (pixels at 1280) and angle; two seeds per base photo (8 photos, 16 phrases per cell).
  A phrase also counts as *placed* when the line its first word was read in has its centre inside the box
  where the phrase was drawn.
* --gates: also what the reader reads behind a gate — text detection at the gate's (smaller) size first, the
  reader only where that finds a region — and its CPU per photo, gate included (a way to spend less on photos
  without text).
* unpainted: the four base photos without paint: the lines read there (the photos have little text: the
  motorcycle's YAMAHA badge), to see what the reader invents.
* tiny: one word on a plate filling an image of the given height, to find the smallest image that can hold
  readable text (the reader's MIN_SIDE).
* corpus: the photos of ../shared/photos with legible text, read from the same large image the pipeline
  makes. MANIFEST.csv has no text column: the text is transcribed here by eye (REAL_TEXT), for the photos
  whose expected objects name a sign or a bill, and the bus; skipped, and said so, when the corpus is absent.

Scores (tests/ocr/scoring.py): words are runs of letters and digits, compared ignoring case and accents, as
search compares them; character accuracy is per expected word against the closest word read (order-free).
CPU time is the process's (time.process_time, one onnxruntime thread): the machine is shared, and wall time
there says more about the other work than about the reader.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from PIL import Image, ImageDraw, ImageFont

from cloudalbum.adapters.ml.text_reader import RapidTextReader
from cloudalbum.media.decode import decode
from cloudalbum.media.exif import read_metadata
from cloudalbum.media.thumbnails import make_thumbnails
from ocr.painted import BASES, STYLES, Painted, base_photo, font_file, paint
from ocr.scoring import centre_inside, char_errors, words_of

PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))

#: Legible text in corpus photos, transcribed by eye (MANIFEST.csv has no text column).
REAL_TEXT: dict[str, list[str]] = {
    "gps/Apple iPhone 4.jpg": ["Tavolo 30 Conto 01", "Oper:04.JIN_LI", "0080 13:37", "1 =CONTO!!!"],
    "gps/Sony DSC-HX5V (2).jpg": ["Alt Hammoor", "62-42", "38-1", "Notruf 112"],
    "objects/bus.jpg": ["M1 SOL/SEVILLA", "EMT MADRID", "Un minibús 100% eléctrico si es plan", "muévete",
                        "eléctricamEMTe", "cero emisiones"],
}
TINY_HEIGHTS = (4, 5, 6, 7, 8, 10, 12, 16)
TINY_WORDS = ("OPEN", "Bakery", "EXIT", "Station")


class Tally:
    """Words expected and found, character errors, phrases placed, CPU seconds, photos."""

    def __init__(self) -> None:
        self.words = self.found = self.errors = self.chars = self.phrases = self.placed = self.photos = 0
        self.cpu = 0.0

    def add(self, painted: Painted, lines: list, cpu: float) -> None:
        read = words_of(line.text for line in lines)
        expected = words_of(painted.phrases)
        self.words += len(expected)
        self.found += sum(w in set(read) for w in expected)
        errors, chars = char_errors(expected, read)
        self.errors, self.chars = self.errors + errors, self.chars + chars
        for phrase, box in zip(painted.phrases, painted.boxes, strict=True):
            self.phrases += 1
            first = words_of([phrase])[0]
            self.placed += any(first in words_of([line.text]) and centre_inside(line, box) for line in lines)
        self.photos += 1
        self.cpu += cpu

    def merge(self, other: Tally) -> None:
        for key in ("words", "found", "errors", "chars", "phrases", "placed", "photos"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.cpu += other.cpu

    @property
    def recall(self) -> float:
        return self.found / self.words if self.words else 0.0

    @property
    def accuracy(self) -> float:
        return 1 - self.errors / self.chars if self.chars else 0.0


def timed_read(reader: RapidTextReader, image: Image.Image) -> tuple[list, float]:
    t = time.process_time()
    lines = reader.read(image)
    return lines, time.process_time() - t


def painted_report(reader: RapidTextReader, sizes: list[int], angles: list[float], seeds: int,
                   gates: dict[int, RapidTextReader]) -> tuple[list[str], Tally]:
    """The painted photos at every size and angle; with gates, also what the reader would read behind each
    (text detection at the gate's size first, the reader only where it finds a region)."""
    cells: dict[tuple[int, float], Tally] = {}
    styles = {style: Tally() for style in STYLES}
    gated = {size: Tally() for size in gates}
    for size in sizes:
        for angle in angles:
            cell = cells.setdefault((size, angle), Tally())
            for seed in range(seeds):
                for i, base in enumerate(BASES):
                    style = STYLES[(i + seed) % len(STYLES)]
                    painted = paint(base, size=size, angle=angle, style=style, seed=seed)
                    lines, cpu = timed_read(reader, painted.image)
                    one = Tally()
                    one.add(painted, lines, cpu)
                    cell.merge(one)
                    styles[style].merge(one)
                    for gate_size, gate in gates.items():
                        t = time.process_time()
                        fired = bool(gate.detect(painted.image))
                        gate_cpu = time.process_time() - t
                        gated[gate_size].add(painted, lines if fired else [], gate_cpu + (cpu if fired else 0.0))
    total = Tally()
    for cell in cells.values():
        total.merge(cell)
    out = [f"| font px at 1280 | {' | '.join(f'{a:g}°: recall / char acc / placed' for a in angles)} |",
           f"|---|{'---|' * len(angles)}"]
    for size in sizes:
        row = [f"{cells[size, a].recall:.0%} / {cells[size, a].accuracy:.0%} / "
               f"{cells[size, a].placed}/{cells[size, a].phrases}" for a in angles]
        out.append(f"| {size} | {' | '.join(row)} |")
    out.append("")
    out.append(f"All painted photos: word recall **{total.recall:.1%}** ({total.found}/{total.words}), character "
               f"accuracy **{total.accuracy:.1%}**, phrases placed {total.placed}/{total.phrases}; "
               f"CPU {total.cpu / total.photos * 1000:.0f} ms per photo ({total.photos} photos).")
    out.append("By style: " + ", ".join(f"{s} {t.recall:.0%} recall / {t.accuracy:.0%} char acc"
                                        for s, t in styles.items()) + ".")
    for gate_size, tally in gated.items():
        out.append(f"Behind a {gate_size} px text-detection gate: word recall **{tally.recall:.1%}** "
                   f"({tally.found}/{tally.words}), CPU {tally.cpu / tally.photos * 1000:.0f} ms per photo "
                   f"(gate included).")
    return out, total


def unpainted_report(reader: RapidTextReader) -> list[str]:
    parts = []
    for base in BASES:
        lines, cpu = timed_read(reader, base_photo(base))
        parts.append(f"{base}: {', '.join(repr(line.text) for line in lines) or 'nothing'} ({cpu * 1000:.0f} ms)")
    return ["Unpainted base photos: " + "; ".join(parts) + "."]


def tiny_image(word: str, height: int) -> Image.Image:
    """A word on a light plate filling an image `height` pixels high."""
    path = font_file()
    if path is None:
        raise RuntimeError("no DejaVu font (apt-get install fonts-dejavu-core)")
    font = ImageFont.truetype(str(path), 64)
    left, top, right, bottom = font.getbbox(word)
    big = Image.new("RGB", (right - left + 24, bottom - top + 24), (240, 240, 232))
    ImageDraw.Draw(big).text((12 - left, 12 - top), word, font=font, fill=(20, 20, 25))
    f = height / big.height
    return big.resize((max(1, round(big.width * f)), height), Image.Resampling.LANCZOS)


def tiny_report(reader: RapidTextReader) -> list[str]:
    saved, reader.min_side = reader.min_side, 1  # measure below the reader's own cut-off too
    try:
        row = []
        for height in TINY_HEIGHTS:
            found = 0
            for word in TINY_WORDS:
                lines, _ = timed_read(reader, tiny_image(word, height))
                found += words_of([word])[0] in words_of(line.text for line in lines)
            row.append(f"{height} px: {found}/{len(TINY_WORDS)}")
    finally:
        reader.min_side = saved
    return ["One word filling an image of height: " + ", ".join(row) + "."]


def large_image(path: Path) -> Image.Image:
    data = path.read_bytes()
    meta = read_metadata(data)
    return make_thumbnails(decode(data, orientation=meta.orientation, min_long_side=1280).image)["large"][0]


def corpus_report(reader: RapidTextReader) -> list[str]:
    if not (PHOTOS / "MANIFEST.csv").exists():
        return [f"Corpus photos: SKIPPED, no corpus at {PHOTOS} (set CLOUDALBUM_PHOTOS)."]
    out = ["| photo | word recall | char acc | CPU ms | read |", "|---|---|---|---|---|"]
    found = words = errors = chars = 0
    for rel, texts in REAL_TEXT.items():
        if not (PHOTOS / rel).exists():
            out.append(f"| {rel} | SKIPPED: not in the corpus | | | |")
            continue
        lines, cpu = timed_read(reader, large_image(PHOTOS / rel))
        read, expected = words_of(line.text for line in lines), words_of(texts)
        hit = sum(w in set(read) for w in expected)
        e, c = char_errors(expected, read)
        found, words, errors, chars = found + hit, words + len(expected), errors + e, chars + c
        shown = "; ".join(f"{line.text} ({line.confidence:.2f})" for line in lines)
        out.append(f"| {rel} | {hit}/{len(expected)} | {1 - e / c:.0%} | {cpu * 1000:.0f} | {shown} |")
    if words:
        out.append(f"| **all** | **{found / words:.0%}** ({found}/{words}) | **{1 - errors / chars:.0%}** | | |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--long-sides", default="960", help="detection sizes to compare (comma separated)")
    ap.add_argument("--sizes", default="12,16,20,28,40,64")
    ap.add_argument("--angles", default="0,5,15")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--gates", default="", help="text-detection sizes to try as a gate in front (e.g. 320,480)")
    ap.add_argument("--model-dir", type=Path, help="a folder with the two model files of the same names (e.g. the "
                    "INT8 detector bench/ocr_int8.py makes) instead of the wheel's")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    angles = [float(a) for a in args.angles.split(",")]
    print(f"Measured by `bench/ocr_accuracy.py --long-sides {args.long_sides}` on "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores; CPU time of this process (one onnxruntime thread).\n")
    summary = []
    for long_side in (int(s) for s in args.long_sides.split(",")):
        reader = RapidTextReader.load(detect_long_side=long_side, model_dir=args.model_dir)
        print(f"### Detection at {long_side} px (long side)\n")
        gates = {int(g): RapidTextReader.load(detect_long_side=int(g)) for g in args.gates.split(",") if g}
        lines, total = painted_report(reader, sizes, angles, args.seeds, gates)
        print("\n".join(lines), "\n")
        summary.append(f"| {long_side} | {total.recall:.1%} | {total.accuracy:.1%} | "
                       f"{total.cpu / total.photos * 1000:.0f} |")
        print("\n".join(unpainted_report(reader)), "\n")
        print("\n".join(tiny_report(reader)), "\n")
        print("\n".join(corpus_report(reader)), "\n")
    print("### Detection size: painted photos' word recall vs CPU per photo\n")
    print("| long side | word recall | char accuracy | CPU ms per photo |\n|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
