// Leaflet helpers. Leaflet and Leaflet.markercluster are served by the app itself (static/vendor) as classic
// scripts that define window.L; the tile URL and attribution come from the server's settings (body data-).

export function leaflet() {
  if (!window.L) throw new Error('The map library did not load.');
  return window.L;
}

export function tileLayer() {
  const L = leaflet();
  const { tileUrl, tileAttribution } = document.body.dataset;
  // the attribution is operator configuration (settings.tile_attribution), not user data
  return L.tileLayer(tileUrl, { attribution: tileAttribution, maxZoom: 19, crossOrigin: false });
}

export function smallMap(container, lat, lon, label) {
  const L = leaflet();
  const map = L.map(container, { scrollWheelZoom: false, attributionControl: true }).setView([lat, lon], 12);
  tileLayer().addTo(map);
  L.marker([lat, lon], { title: label || '', alt: label || 'Photo location', keyboard: true }).addTo(map);
  afterLayout(map);
  return map;
}

/** Leaflet measures its container: measure again once the layout has settled, unless the map is gone. */
export function afterLayout(map) {
  let alive = true;
  map.on('unload', () => { alive = false; });
  requestAnimationFrame(() => { if (alive && map.getContainer().isConnected) map.invalidateSize(); });
  return () => alive;
}
