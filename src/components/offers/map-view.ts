// Leaflet with marker clustering, loaded by OfferMap only when a visitor opens the map.
// Markers are circles coloured like the connectivity label (no image assets to host).
import L from 'leaflet';
import stylesUrl from './map-view.css?url';

/**
 * Leaflet's stylesheet, linked when the map first opens (a `<link>` of this origin, as the CSP
 * allows); resolves once it applies. Imported as CSS, Astro would link it from every page
 * holding the map's island and block their first paint for a map most visitors never open.
 */
export function loadMapStyles(): Promise<void> {
  const present = document.querySelector<HTMLLinkElement>(`link[data-map-styles]`);
  if (present)
    return present.sheet ? Promise.resolve() : new Promise((r) => present.addEventListener('load', () => r()));
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesUrl;
  link.dataset.mapStyles = '';
  const loaded = new Promise<void>((resolve, reject) => {
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => reject(new Error('map styles')));
  });
  document.head.append(link);
  return loaded;
}

export interface MapHandle {
  /** Shows these points; `fit` frames them (not after a search of the visible area). */
  setPoints(collection: GeoJSON.FeatureCollection<GeoJSON.Point | null, MapFeatureProps>, fit: boolean): void;
  /** Frames this area ("west,south,east,north"), without a move of the visitor's. */
  showZone(zone: [number, number, number, number]): void;
  /** The visible area as a search's `zone` parameter. */
  zone(): string;
  /** Marks the offer's marker (or the cluster that holds it) while its card is hovered. */
  highlight(id: number | null): void;
  destroy(): void;
}

export interface MapFeatureProps {
  id: number;
  title: string;
  titleEn: string | null;
  kind: string;
  label: string | null;
  url: string;
  price: number | null;
  transaction: string | null;
  photo: { url: string; alt: string } | null;
}

const labelColours: Record<string, string> = {
  A: '#00693e',
  B: '#237a3b',
  C: '#8cbf3f',
  D: '#f2d022',
  E: '#f5a623',
  F: '#e87830',
  G: '#b3261e',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createMap(
  element: HTMLElement,
  options: {
    tileUrl: string;
    attribution: string;
    openLabel: string;
    labelPrefix: string;
    /** "Étiquette connectivité {label}": the badge's accessible name. */
    labelTitle: string;
    /** "{price} / mois": a rent's or a desk's price; a sale's is the price alone. */
    perMonth: string;
    locale: string;
    zoomIn: string;
    zoomOut: string;
    /** The visitor moved or zoomed the map (not a move of the code's). */
    onMoved: () => void;
  },
): MapHandle {
  // leaflet.markercluster extends the global L, as its UMD build expects.
  (globalThis as unknown as { L: typeof L }).L = L;
  const map = L.map(element, { scrollWheelZoom: false, zoomControl: false }).setView([46.6, 2.4], 6);
  L.control.zoom({ zoomInTitle: options.zoomIn, zoomOutTitle: options.zoomOut }).addTo(map);
  L.tileLayer(options.tileUrl, { attribution: escapeHtml(options.attribution), maxZoom: 18 }).addTo(map);
  let cluster: L.FeatureGroup | null = null;
  let byId = new Map<number, L.CircleMarker>();
  let highlighted: { marker: L.CircleMarker; parent: HTMLElement | null } | null = null;
  // Leaflet fires the same events for fitBounds as for a drag: only a visitor's gesture counts.
  let gesture = false;
  const byVisitor = () => (gesture = true);
  map.on('dragstart', byVisitor);
  // Captured: Leaflet's controls stop their clicks from reaching the map.
  for (const type of ['wheel', 'touchstart', 'dblclick', 'keydown'])
    element.addEventListener(type, byVisitor, { passive: true, capture: true });
  element.addEventListener(
    'click',
    (e) => {
      if ((e.target as Element).closest('.leaflet-control-zoom')) gesture = true;
    },
    true,
  );
  map.on('moveend', () => {
    if (!gesture) return;
    gesture = false;
    options.onMoved();
  });
  const markerStyle = { radius: 9, weight: 2, color: '#1c2321' };
  const markedStyle = { radius: 13, weight: 4, color: '#0b3d91' };

  const ready = import('leaflet.markercluster');
  const euros = new Intl.NumberFormat(options.locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

  /** The popup: cover picture, title, label, price with its unit, link. */
  const popup = (p: MapFeatureProps) => {
    const price =
      p.price === null
        ? ''
        : p.transaction === 'sale'
          ? euros.format(p.price)
          : options.perMonth.replace('{price}', euros.format(p.price));
    // The cards' badge (ConnectivityBadge.astro's global styles are on the page).
    const label = p.label
      ? `<span class="badge label-${escapeHtml(p.label.toLowerCase())}" role="img" aria-label="${escapeHtml(options.labelTitle.replace('{label}', p.label))}"><span>${escapeHtml(options.labelPrefix)}</span><b>${escapeHtml(p.label)}</b></span>`
      : '';
    return [
      p.photo ? `<img src="${escapeHtml(p.photo.url)}" alt="${escapeHtml(p.photo.alt)}" width="200" height="133">` : '',
      `<strong>${escapeHtml((options.locale === 'en' && p.titleEn) || p.title)}</strong>`,
      `<span class="popup-facts">${label}${price ? ` <b>${escapeHtml(price)}</b>` : ''}</span>`,
      `<a href="${escapeHtml(p.url)}">${escapeHtml(options.openLabel)}</a>`,
    ].join('');
  };

  return {
    async setPoints(collection, fit) {
      await ready;
      cluster?.remove();
      const group = (L as unknown as { markerClusterGroup: (o?: object) => L.FeatureGroup }).markerClusterGroup({
        showCoverageOnHover: false,
      });
      let markers = 0;
      highlighted = null;
      byId = new Map();
      for (const feature of collection.features) {
        // An offer without a public point stays off the map.
        if (!feature.geometry) continue;
        const [lng, lat] = feature.geometry.coordinates as [number, number];
        const p = feature.properties;
        const marker = L.circleMarker([lat, lng], {
          ...markerStyle,
          fillColor: labelColours[p.label ?? ''] ?? '#e3e6e4',
          fillOpacity: 0.95,
        });
        marker.bindPopup(popup(p), { minWidth: 200, maxWidth: 240 });
        group.addLayer(marker);
        byId.set(p.id, marker);
        markers++;
      }
      group.addTo(map);
      cluster = group;
      const bounds = group.getBounds();
      // The page's layout may have changed around the map since it was made.
      map.invalidateSize();
      // At once, not animated: a zoom the visitor clicks meanwhile starts from the framed view.
      if (fit && bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13, animate: false });
      element.dataset.markers = String(markers);
    },
    showZone([west, south, east, north]) {
      map.fitBounds(
        [
          [south, west],
          [north, east],
        ],
        { animate: false },
      );
    },
    zone() {
      const b = map.getBounds();
      // Five decimals: about a metre, and a URL that stays short.
      const d = (x: number, max: number) => String(Math.round(Math.max(-max, Math.min(max, x)) * 1e5) / 1e5);
      return [d(b.getWest(), 180), d(b.getSouth(), 90), d(b.getEast(), 180), d(b.getNorth(), 90)].join(',');
    },
    highlight(id) {
      if (highlighted) {
        highlighted.marker.setStyle(markerStyle);
        highlighted.parent?.classList.remove('is-marked');
        highlighted = null;
      }
      const marker = id === null ? undefined : byId.get(id);
      element.dataset.marked = marker ? String(id) : '';
      if (!marker || !cluster) return;
      const visible = (cluster as unknown as { getVisibleParent(m: L.Layer): L.Layer | null }).getVisibleParent(
        marker,
      ) as (L.Layer & { getElement?(): HTMLElement }) | null;
      if ((visible as unknown) === marker) {
        marker.setStyle(markedStyle);
        marker.bringToFront();
        highlighted = { marker, parent: null };
      } else {
        // Hidden in a cluster: the cluster's bubble is marked instead.
        const parent = visible?.getElement?.() ?? null;
        parent?.classList.add('is-marked');
        highlighted = { marker, parent };
      }
    },
    destroy() {
      map.remove();
    },
  };
}

/** The offer page's map: the area around the public point, not a pin on it. */
export function createLocationMap(
  element: HTMLElement,
  o: {
    lat: number;
    lng: number;
    /** Metres: the public point's uncertainty. */
    radius: number;
    tileUrl: string;
    attribution: string;
    zoomIn: string;
    zoomOut: string;
  },
): L.Map {
  const map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: o.zoomIn, zoomOutTitle: o.zoomOut }).addTo(map);
  L.tileLayer(o.tileUrl, { attribution: escapeHtml(o.attribution), maxZoom: 18 }).addTo(map);
  const centre = L.latLng(o.lat, o.lng);
  map.fitBounds(centre.toBounds(o.radius * 2), { padding: [16, 16] });
  L.circle(centre, { radius: o.radius, color: '#1f5f4a', weight: 2, fillOpacity: 0.15 }).addTo(map);
  return map;
}
