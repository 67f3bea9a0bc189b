"""API routes: health (see ../shared/API.md), and the assets of the interactive docs page (/api/docs).

Health is cheap on purpose: load balancers call it often. The docs page's Swagger UI is served from
static/swagger-ui (vendored by scripts/vendor-swagger-ui.sh) so it renders without internet.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask.blueprints import BlueprintSetupState

from .context import container
from .schemas import HealthOut

DOCS_ASSETS = "/api/docs-assets"

bp = APIBlueprint("health", __name__, url_prefix="/api", tag="Health", static_folder="static/swagger-ui",
                  static_url_path="/docs-assets")


@bp.record_once
def _serve_docs_assets_locally(state: BlueprintSetupState) -> None:
    """Point APIFlask's docs page at the vendored Swagger UI instead of a CDN."""
    state.app.config.update(
        SWAGGER_UI_CSS=f"{DOCS_ASSETS}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{DOCS_ASSETS}/favicon-32x32.png",
    )


@bp.get("/health")
@bp.output(HealthOut)
@bp.doc(summary="Liveness: the backend shape and detection model this service runs with")
def health() -> Any:
    s = container().settings
    return {"status": "ok", "backend": s.backend, "model": s.model}
