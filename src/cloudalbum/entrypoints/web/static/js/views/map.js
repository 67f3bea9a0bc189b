// The map: every located photo (with the current search filters applied: GET /api/map with the same
// parameters), clustered with Leaflet.markercluster, thumbnails in popups built from DOM nodes.

import { api, imageUrl } from '../api.js';
import { altText, formatDate, h, placeText } from '../dom.js';
import { filterForm, filterParams } from '../filters.js';
import { afterLayout, leaflet, tileLayer } from '../maps.js';

function popupContent(feature) {
  const p = feature.properties || {};
  const labels = p.labels || [];
  const img = h('img', { class: 'popup-thumb', alt: labels.length ? `Photo of ${labels.join(', ')}` : 'Photo' });
  const title = h('strong', { class: 'popup-title' }, p.title || '');
  const place = h('span', { class: 'popup-place' });
  const el = h('div', { class: 'popup', dataset: { id: p.id } },
    h('a', { href: `#/photo/${encodeURIComponent(p.id)}` }, img),
    title,
    p.taken_at ? h('span', { class: 'popup-date' }, formatDate(p.taken_at)) : null,
    place,
    labels.length ? h('span', { class: 'popup-labels' }, labels.join(', ')) : null,
    h('a', { href: `#/photo/${encodeURIComponent(p.id)}`, class: 'popup-open' }, 'Open photo'));
  const thumb = p.thumbnail_url || `/api/photos/${encodeURIComponent(p.id)}/thumbnail?size=small`;
  imageUrl(thumb).then((u) => { img.src = u; }, () => img.classList.add('no-thumb'));
  // the title and place are not in the GeoJSON properties: fetch them (as text, never as HTML)
  api('GET', `/api/photos/${encodeURIComponent(p.id)}`).then((photo) => {
    title.textContent = photo.title || '';
    place.textContent = placeText(photo.location);
    img.alt = altText(photo);
  }, () => {});
  return el;
}

export function mapView(main, { params }) {
  const L = leaflet();
  const filters = filterParams(params);
  const { form } = filterForm(filters, { target: 'map', submitText: 'Filter', compact: true });
  const status = h('p', { class: 'map-status', role: 'status' }, 'Loading…');
  const mapEl = h('div', { class: 'big-map', role: 'region', 'aria-label': 'Map of your photos' });
  const filtersBox = h('details', { class: 'map-filters', open: [...filters.keys()].length > 0 }, h('summary', {}, 'Filters'), form);
  main.append(h('div', { class: 'view-head map-head' }, h('h1', {}, 'Map'), status), filtersBox, mapEl);
  main.classList.add('wide');

  const map = L.map(mapEl, { worldCopyJump: true }).setView([20, 0], 2);
  tileLayer().addTo(map);
  const cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);
  let destroyed = false;

  (async () => {
    try {
      const fc = await api('GET', '/api/map', { query: filters });
      if (destroyed) return;
      const features = (fc.features || []).filter((f) => f.geometry && f.geometry.type === 'Point');
      const markers = features.map((f) => {
        const [lon, lat] = f.geometry.coordinates;
        const labels = (f.properties && f.properties.labels) || [];
        const m = L.marker([lat, lon], { title: labels.join(', ') || 'Photo', alt: labels.length ? `Photo of ${labels.join(', ')}` : 'Photo', keyboard: true });
        m.bindPopup(() => popupContent(f), { minWidth: 180, maxWidth: 260 });
        return m;
      });
      cluster.addLayers(markers);
      status.textContent = `${markers.length} located photo${markers.length === 1 ? '' : 's'}${[...filters.keys()].length ? ' matching the filters' : ''}.`;
      if (markers.length) map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { padding: [40, 40], maxZoom: 13, animate: false });
      mapEl.dataset.count = String(markers.length);
    } catch (e) {
      status.textContent = `Could not load the map: ${e.message}`;
    }
  })();
  afterLayout(map);
  const onResize = () => map.invalidateSize();
  window.addEventListener('resize', onResize);
  return () => {
    destroyed = true;
    window.removeEventListener('resize', onResize);
    main.classList.remove('wide');
    cluster.clearLayers();
    map.remove();
  };
}
