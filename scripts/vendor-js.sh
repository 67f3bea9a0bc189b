#!/usr/bin/env bash
# Copies the browser libraries the web pages use (Leaflet, Leaflet.markercluster) from node_modules into
# src/cloudalbum/entrypoints/web/static/vendor, together with their licence files. The copies are committed,
# so `make run` needs no npm; run this after changing package.json:  npm ci && bash scripts/vendor-js.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NM=node_modules
OUT=src/cloudalbum/entrypoints/web/static/vendor
test -d "$NM/leaflet" && test -d "$NM/leaflet.markercluster" || { echo "run 'npm ci' first" >&2; exit 1; }
rm -rf "$OUT/leaflet" "$OUT/leaflet.markercluster"
mkdir -p "$OUT/leaflet/images" "$OUT/leaflet.markercluster"
cp "$NM/leaflet/dist/leaflet.js" "$NM/leaflet/dist/leaflet.css" "$OUT/leaflet/"
cp "$NM/leaflet/dist/images/"*.png "$OUT/leaflet/images/"
cp "$NM/leaflet/LICENSE" "$OUT/leaflet/LICENSE"
cp "$NM/leaflet.markercluster/dist/leaflet.markercluster.js" \
   "$NM/leaflet.markercluster/dist/MarkerCluster.css" \
   "$NM/leaflet.markercluster/dist/MarkerCluster.Default.css" "$OUT/leaflet.markercluster/"
cp "$NM/leaflet.markercluster/MIT-LICENCE.txt" "$OUT/leaflet.markercluster/LICENSE"
for pkg in leaflet leaflet.markercluster; do
  node -e "const p=require('./$NM/$pkg/package.json'); console.log(p.name+'@'+p.version+' ('+p.license+')')" \
    > "$OUT/$pkg/VERSION"
done
echo "vendored into $OUT:"; cat "$OUT"/*/VERSION
