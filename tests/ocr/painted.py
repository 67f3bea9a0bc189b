"""Photos with known text: words rendered with Pillow (DejaVu fonts) on real photos (scikit-image's astronaut,
coffee, chelsea and motorcycle), at a given size and angle, with the box where each phrase was drawn.

Shared by the tests (tests/ocr/) and the accuracy bench (bench/ocr_accuracy.py). Deterministic: the same
arguments paint the same pixels.

Each photo is first scaled to LONG_SIDE (1280: the upright large image the pipeline gives its models), then two
phrases are painted, one in the upper half and one in the lower half, in one of three styles:
  sign     dark letters on a light plate (street signs, shop fronts, labels);
  caption  light letters with a dark outline (titles, stickers, overlays);
  plain    letters in the colour that contrasts most with the spot they land on, nothing else (painted
           lettering on a wall or a vehicle: the hardest of the three).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageStat

LONG_SIDE = 1280
BASES = ("astronaut", "coffee", "chelsea", "motorcycle")
STYLES = ("sign", "caption", "plain")
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono-Bold.ttf")

#: What a photo library's text looks like: signs, shop fronts, labels, numbers. Latin script, a few accents.
PHRASES = (
    "HOTEL CENTRAL", "Bakery", "EXIT", "Platform 9", "Harbour Road", "OPEN", "Museum of Art", "Coffee",
    "Main Street", "NO PARKING", "Station", "Welcome", "PHARMACY", "Dublin 1904", "SALE 50%", "Library",
    "Fish and Chips", "Garage", "Keep Left", "Post Office", "Bus Stop", "Pizzeria Roma", "TAXI", "Beach",
    "Fresh Bread", "Camping", "Airport", "Route 66", "Market Square", "STOP", "Cinema", "Bicycle Hire",
)


@dataclass
class Painted:
    image: Image.Image
    phrases: list[str]
    boxes: list[tuple[float, float, float, float]]  # x, y, w, h of each phrase, pixels of image
    base: str
    size: int  # the font size in pixels at LONG_SIDE
    angle: float
    style: str

    @property
    def words(self) -> list[str]:
        return [word for phrase in self.phrases for word in phrase.split()]


@cache
def font_file(name: str = "DejaVuSans-Bold.ttf") -> Path | None:
    """A DejaVu TTF on this machine (fonts-dejavu-core): Pillow's own lookup (it searches the XDG font folders),
    then fontconfig, then the usual folders. None when there is none."""
    try:
        found = ImageFont.truetype(name, 12).path
        if found:
            return Path(str(found))
    except OSError:
        pass
    if shutil.which("fc-match"):
        family = name.removesuffix(".ttf").replace("-", ":style=")
        proc = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False)
        candidate = Path(proc.stdout.strip())
        if proc.returncode == 0 and candidate.name == name and candidate.is_file():
            return candidate
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"):
        for candidate in sorted(folder.rglob(name)) if folder.is_dir() else []:
            return candidate
    return None


@cache
def base_photo(name: str) -> Image.Image:
    """One of scikit-image's photos, RGB, scaled so its long side is LONG_SIDE (cached: copy before drawing)."""
    from skimage import data as skdata

    if name == "motorcycle":
        image = Image.open(Path(skdata.data_dir) / "motorcycle_left.png")
    else:
        image = Image.fromarray(getattr(skdata, name)())
    image = image.convert("RGB")
    f = LONG_SIDE / max(image.size)
    return image.resize((round(image.width * f), round(image.height * f)), Image.Resampling.BICUBIC)


def _layer(text: str, font: ImageFont.FreeTypeFont, style: str, ink: tuple[int, int, int]) -> Image.Image:
    """The phrase alone on a transparent RGBA layer, plate and outline included."""
    size = int(font.size)
    stroke = max(1, size // 14) if style == "caption" else 0
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    pad = max(2, size // 3) if style == "sign" else max(1, size // 10)
    layer = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if style == "sign":
        draw.rounded_rectangle((0, 0, layer.width - 1, layer.height - 1), radius=pad // 2, fill=(245, 245, 238, 255),
                               outline=(30, 30, 30, 255), width=max(1, size // 20))
        ink = (25, 25, 30)
    fill = (250, 250, 250) if style == "caption" else ink
    draw.text((pad - left, pad - top), text, font=font, fill=(*fill, 255), stroke_width=stroke,
              stroke_fill=(15, 15, 15, 255))
    return layer


def _contrasting(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """Near-black or near-white, whichever stands out from the mean of the spot."""
    mean = ImageStat.Stat(image.crop(box).convert("L")).mean[0]
    return (20, 20, 20) if mean > 110 else (240, 240, 235)


def paint(base: str, *, size: int, angle: float, style: str, seed: int = 0,
          phrases: list[str] | None = None) -> Painted:
    """Two phrases (chosen by seed unless given) painted on a base photo at font size `size` (pixels, at the
    LONG_SIDE image), rotated by `angle` degrees counter-clockwise, in `style`."""
    rng = random.Random(f"{base}/{size}/{angle:g}/{style}/{seed}")  # 5 and 5.0 paint the same photo
    chosen = phrases if phrases is not None else rng.sample(PHRASES, 2)
    image = base_photo(base).copy()
    boxes = []
    for i, text in enumerate(chosen):
        font_name = FONTS[rng.randrange(len(FONTS))] if style != "sign" else FONTS[0]
        path = font_file(font_name) or font_file()
        if path is None:
            raise RuntimeError("no DejaVu font found (apt-get install fonts-dejavu-core)")
        font = ImageFont.truetype(str(path), size)
        layer = _layer(text, font, style, (0, 0, 0))
        if angle:
            layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        band_top = (image.height // len(chosen)) * i
        band_h = image.height // len(chosen)
        x = rng.randrange(0, max(1, image.width - layer.width))
        y = band_top + rng.randrange(0, max(1, band_h - layer.height))
        if style != "sign":
            ink = _contrasting(image, (x, y, x + layer.width, y + layer.height))
            layer = _layer(text, font, style, ink)
            if angle:
                layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        image.paste(layer, (x, y), layer)
        bx0, by0, bx1, by1 = layer.getchannel("A").getbbox() or (0, 0, layer.width, layer.height)
        boxes.append((float(x + bx0), float(y + by0), float(bx1 - bx0), float(by1 - by0)))
    return Painted(image, list(chosen), boxes, base, size, angle, style)
