#!/usr/bin/env bash
# Copies Swagger UI (the /api/docs page) from the npm package swagger-ui-dist into
# src/cloudalbum/entrypoints/api/static/swagger-ui, with its licence. The copies are committed, so the docs
# page works without internet and without npm; run this only to change the version:
#   bash scripts/vendor-swagger-ui.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:-5.32.0}"
OUT=src/cloudalbum/entrypoints/api/static/swagger-ui
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
rm -rf "$OUT"
mkdir -p "$OUT"
for f in swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp "$TMP/package/$f" "$OUT/"
done
# the bundles point at source maps we do not ship
sed -i '/^\/\/# sourceMappingURL=/d' "$OUT/swagger-ui-bundle.js" "$OUT/swagger-ui-standalone-preset.js"
echo "swagger-ui-dist@$VERSION (Apache-2.0)" > "$OUT/VERSION"
echo "vendored into $OUT: $(cat "$OUT/VERSION")"
