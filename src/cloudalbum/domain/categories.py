"""Categories of COCO classes, and image-level labels from per-box detections.

Pure rules: no I/O, no model. A photo's categories are the categories of its labels; a label is one class
with its best confidence, how many boxes of it were found and where (upright pixels).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .model import Box, Label, Source

if TYPE_CHECKING:  # pragma: no cover - the value type detectors return; typing only, no import cycle
    from ..ports import Detection

#: Every one of the 80 COCO classes, by category. A class belongs to exactly one category.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "people": ("person",),
    "vehicles": ("bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat"),
    "outdoor": ("traffic light", "fire hydrant", "stop sign", "parking meter", "bench"),
    "animals": ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"),
    "accessories": ("backpack", "umbrella", "handbag", "tie", "suitcase"),
    "sports": ("frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
               "skateboard", "surfboard", "tennis racket"),
    "kitchen": ("bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl"),
    "food": ("banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake"),
    "furniture": ("chair", "couch", "potted plant", "bed", "dining table", "toilet"),
    "electronics": ("tv", "laptop", "mouse", "remote", "keyboard", "cell phone"),
    "appliances": ("microwave", "oven", "toaster", "sink", "refrigerator"),
    "household": ("book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush"),
}

CATEGORY_OF: dict[str, str] = {name: cat for cat, names in CATEGORIES.items() for name in names}


def category_of(label: str) -> str | None:
    """The category of a COCO class name (or of a user label that happens to be one), else None."""
    return CATEGORY_OF.get(label.strip().lower())


def categories_for(labels: Iterable[Label], *, rejected: Iterable[str] = ()) -> list[str]:
    """Sorted, distinct categories of the labels the user has not rejected."""
    gone = set(rejected)
    cats = {category_of(lbl.name) for lbl in labels if lbl.name not in gone}
    return sorted(c for c in cats if c)


def labels_from_detections(detections: Iterable[Detection], *, model: str, threshold: float = 0.25,
                           scale_x: float = 1.0, scale_y: float = 1.0, width: int | None = None,
                           height: int | None = None) -> list[Label]:
    """Group detections by class: confidence = best box, count = boxes at or above threshold.

    Box coordinates are multiplied by (scale_x, scale_y) — detections made on a reduced decode are mapped
    back to the full-size upright pixel grid — rounded to ints and clipped to (width, height) when given.
    Labels are ordered by confidence, best first; boxes within a label likewise.
    """
    by_name: dict[str, list[Box]] = defaultdict(list)
    for d in detections:
        if d.confidence < threshold:
            continue
        by_name[d.name].append(_box(d, scale_x, scale_y, width, height))
    labels = []
    for name, boxes in by_name.items():
        boxes.sort(key=lambda b: -b.confidence)
        labels.append(Label(name=name, confidence=boxes[0].confidence, count=len(boxes),
                            source=Source.MODEL.value, boxes=boxes, model=model))
    labels.sort(key=lambda lbl: (-lbl.confidence, lbl.name))
    return labels


def _box(d: Detection, sx: float, sy: float, width: int | None, height: int | None) -> Box:
    x0, y0, x1, y1 = d.x * sx, d.y * sy, (d.x + d.w) * sx, (d.y + d.h) * sy
    if width is not None:
        x0, x1 = min(max(x0, 0.0), width), min(max(x1, 0.0), width)
    if height is not None:
        y0, y1 = min(max(y0, 0.0), height), min(max(y1, 0.0), height)
    ix0, iy0 = int(round(x0)), int(round(y0))
    return Box(x=ix0, y=iy0, w=max(int(round(x1)) - ix0, 0), h=max(int(round(y1)) - iy0, 0),
               confidence=round(float(d.confidence), 4))
