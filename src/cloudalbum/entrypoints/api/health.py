"""API routes: health (see ../shared/API.md). Cheap on purpose: load balancers call it often."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .context import container
from .schemas import HealthOut

bp = APIBlueprint("health", __name__, url_prefix="/api", tag="Health")


@bp.get("/health")
@bp.output(HealthOut)
@bp.doc(summary="Liveness: the backend shape and detection model this service runs with")
def health() -> Any:
    s = container().settings
    return {"status": "ok", "backend": s.backend, "model": s.model}
