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
  setPoints(collection: GeoJSON.FeatureCollection<GeoJSON.Point | null, MapFeatureProps>): void;
  destroy(): void;
}

export interface MapFeatureProps {
  id: number;
  title: string;
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
  },
): MapHandle {
  // leaflet.markercluster extends the global L, as its UMD build expects.
  (globalThis as unknown as { L: typeof L }).L = L;
  const map = L.map(element, { scrollWheelZoom: false }).setView([46.6, 2.4], 6);
  L.tileLayer(options.tileUrl, { attribution: escapeHtml(options.attribution), maxZoom: 18 }).addTo(map);
  let cluster: L.LayerGroup | null = null;

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
      ? `<span class="badge badge--small label-${escapeHtml(p.label.toLowerCase())}" role="img" aria-label="${escapeHtml(options.labelTitle.replace('{label}', p.label))}"><span class="caption">${escapeHtml(options.labelPrefix)}</span><span class="letter">${escapeHtml(p.label)}</span></span>`
      : '';
    return [
      p.photo ? `<img src="${escapeHtml(p.photo.url)}" alt="${escapeHtml(p.photo.alt)}" width="200" height="133">` : '',
      `<strong>${escapeHtml(p.title)}</strong>`,
      `<span class="popup-facts">${label}${price ? ` <b>${escapeHtml(price)}</b>` : ''}</span>`,
      `<a href="${escapeHtml(p.url)}">${escapeHtml(options.openLabel)}</a>`,
    ].join('');
  };

  return {
    async setPoints(collection) {
      await ready;
      cluster?.remove();
      const group = (L as unknown as { markerClusterGroup: (o?: object) => L.FeatureGroup }).markerClusterGroup({
        showCoverageOnHover: false,
      });
      let markers = 0;
      for (const feature of collection.features) {
        // An offer without a public point stays off the map.
        if (!feature.geometry) continue;
        const [lng, lat] = feature.geometry.coordinates as [number, number];
        const p = feature.properties;
        const marker = L.circleMarker([lat, lng], {
          radius: 9,
          weight: 2,
          color: '#1c2321',
          fillColor: labelColours[p.label ?? ''] ?? '#e3e6e4',
          fillOpacity: 0.95,
        });
        marker.bindPopup(popup(p), { minWidth: 200, maxWidth: 240 });
        group.addLayer(marker);
        markers++;
      }
      group.addTo(map);
      cluster = group;
      const bounds = group.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
      element.dataset.markers = String(markers);
    },
    destroy() {
      map.remove();
    },
  };
}
