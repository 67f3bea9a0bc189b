"""COCO categories and image-level labels from boxes."""

from __future__ import annotations

from typing import Any

from cloudalbum.adapters.ml.detector import packaged_model_path, parse_names
from cloudalbum.domain.categories import CATEGORIES, CATEGORY_OF, categories_for, category_of, labels_from_detections
from cloudalbum.domain.model import Label
from cloudalbum.ports import Detection


def test_every_coco_class_has_exactly_one_category(detector: Any) -> None:
    names = set(detector.names.values())
    assert len(names) == 80
    assert set(CATEGORY_OF) == names
    assert sum(len(v) for v in CATEGORIES.values()) == 80  # no class listed twice


def test_both_models_share_the_class_names() -> None:
    import onnxruntime as ort

    for model in ("yolov8n", "yolo11n"):
        s = ort.InferenceSession(str(packaged_model_path(model)), providers=["CPUExecutionProvider"])
        assert set(parse_names(s.get_modelmeta().custom_metadata_map["names"]).values()) == set(CATEGORY_OF)


def test_category_of() -> None:
    assert category_of("dog") == "animals" and category_of(" Person ") == "people"
    assert category_of("bus") == "vehicles" and category_of("pizza") == "food"
    assert category_of("unicorn") is None


def test_labels_group_by_class() -> None:
    dets = [Detection("person", 0.9, 10, 10, 20, 40), Detection("person", 0.5, 100.4, 10, 20, 40),
            Detection("person", 0.2, 200, 10, 20, 40), Detection("dog", 0.7, 0, 0, 5, 5)]
    labels = labels_from_detections(dets, model="yolov8n@abc", threshold=0.25, scale_x=2, scale_y=2,
                                    width=300, height=300)
    assert [(lbl.name, lbl.confidence, lbl.count) for lbl in labels] == [("person", 0.9, 2), ("dog", 0.7, 1)]
    person = labels[0]
    assert [(b.x, b.y, b.w, b.h) for b in person.boxes] == [(20, 20, 40, 80), (201, 20, 40, 80)]
    assert all(isinstance(v, int) for b in person.boxes for v in (b.x, b.y, b.w, b.h))
    assert person.source == "model" and person.model == "yolov8n@abc"


def test_boxes_are_clipped_to_the_image() -> None:
    (label,) = labels_from_detections([Detection("car", 0.8, -5, 90, 30, 30)], model="m", width=100, height=100)
    (box,) = label.boxes
    assert (box.x, box.y, box.x + box.w, box.y + box.h) == (0, 90, 25, 100)


def test_categories_skip_rejected_labels() -> None:
    labels = [Label("dog", 0.9), Label("cup", 0.8), Label("frisbee", 0.4)]
    assert categories_for(labels) == ["animals", "kitchen", "sports"]
    assert categories_for(labels, rejected=["dog"]) == ["kitchen", "sports"]
