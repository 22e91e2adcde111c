// The map of the current results. On a wide screen it stands beside the list from the
// start; narrower, a button swaps the list for the map. Nothing of Leaflet is downloaded
// until the map shows. The list stays the primary, accessible view. The map follows the
// list (the filters' "offers:updated" event, a hovered card marks its marker) and the list
// follows the map ("Search this area" asks the filters to load the visible area).
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';
import type { MapHandle } from './map-view.ts';
import './OfferMap.css';

export const mapMessageKeys = [
  'search.map.show',
  'search.map.hide',
  'search.map.list',
  'search.map.area',
  'search.map.title',
  'search.map.zoomIn',
  'search.map.zoomOut',
  'search.map.loading',
  'search.map.error',
  'search.map.truncated',
  'search.map.open',
  'label.short',
  'label.title',
  'offer.pricePerMonth',
] as const;

type MapMessages = Record<(typeof mapMessageKeys)[number], string>;
/** The page's JSON of these messages, which OffersView writes beside the island: as a prop,
 * Astro's encoding of them would take twice their weight in the HTML of every search. */
export const MAP_MESSAGES_ID = 'offer-map-messages';
let read: MapMessages | undefined;
const pageMessages = (): MapMessages =>
  (read ??= JSON.parse(document.getElementById(MAP_MESSAGES_ID)?.textContent ?? '{}') as MapMessages);

interface Props {
  locale: string;
  tileUrl: string;
  attribution: string;
}

/** Where list and map stand side by side (the page's grid agrees: OffersView). */
const WIDE = '(min-width: 75rem)';
/** A visitor who hid the side map keeps it hidden for the visit. */
const HIDDEN_KEY = 'offers-map-hidden';

const remembered = (hidden?: boolean): boolean => {
  try {
    if (hidden !== undefined) sessionStorage.setItem(HIDDEN_KEY, hidden ? '1' : '');
    return sessionStorage.getItem(HIDDEN_KEY) === '1';
  } catch {
    return false; // storage refused: the map shows by default
  }
};

const zoneOf = (search: string) => {
  const zone = new URLSearchParams(search).get('zone');
  const parts = zone?.split(',').map(Number);
  return parts?.length === 4 && parts.every(Number.isFinite) ? (parts as [number, number, number, number]) : null;
};

export default function OfferMap({ locale, tileUrl, attribution }: Props) {
  // Rendered on the server it shows nothing (below), so needs no words there.
  const m = typeof document === 'undefined' ? ({} as MapMessages) : pageMessages();
  const [hydrated, setHydrated] = useState(false);
  const [wide, setWide] = useState(false);
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const [note, setNote] = useState('');
  const [moved, setMoved] = useState(false);
  const container = useRef<HTMLDivElement>(null);
  const handle = useRef<MapHandle | null>(null);

  useEffect(() => {
    const media = matchMedia(WIDE);
    const follow = () => setWide(media.matches);
    follow();
    if (media.matches && !remembered()) setOpen(true);
    media.addEventListener('change', follow);
    setHydrated(true);
    return () => media.removeEventListener('change', follow);
  }, []);

  // The page's layout places the map instead of the list when narrower (`map-open`); when
  // wide, beside it from the first paint unless the visitor hid it (`map-closed`).
  useEffect(() => {
    const layout = document.querySelector('.offers-layout');
    layout?.classList.toggle('map-open', open);
    layout?.classList.toggle('map-closed', wide && !open);
  }, [open, wide]);

  const show = async (search: string) => {
    if (!handle.current) return;
    const params = new URLSearchParams(search);
    params.set('lang', locale);
    // The map shows one page of points, the largest the API gives; `next` says there are more.
    params.delete('page');
    params.set('limit', '5000');
    const res = await fetch(`/api/v1/offres.geojson?${params}`);
    if (!res.ok) {
      // Invalid filters: the list explains them; the map keeps its markers.
      return;
    }
    const data = await res.json();
    // A search of the visible area keeps the map where the visitor put it.
    handle.current.setPoints(data, !zoneOf(search));
    setMoved(false);
    setNote(data.next ? formatMessage(locale, m['search.map.truncated'], { count: data.features.length }) : '');
  };

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    const onUpdate = (event: Event) => void show((event as CustomEvent<{ search: string }>).detail.search);
    // A hovered or focused card marks its offer on the map.
    let marked: number | null = null;
    const mark = (event: Event) => {
      const card = (event.target as Element | null)?.closest?.('#results [id^="offre-"]');
      const id = card ? Number(card.id.slice('offre-'.length)) : null;
      if (id === marked) return;
      marked = id;
      handle.current?.highlight(id);
    };
    (async () => {
      try {
        setState('loading');
        const { createMap, loadMapStyles } = await import('./map-view.ts');
        await loadMapStyles();
        if (cancelled || !container.current) return;
        handle.current = createMap(container.current, {
          tileUrl,
          attribution,
          openLabel: m['search.map.open'],
          labelPrefix: m['label.short'],
          labelTitle: m['label.title'],
          perMonth: m['offer.pricePerMonth'],
          locale,
          zoomIn: m['search.map.zoomIn'],
          zoomOut: m['search.map.zoomOut'],
          onMoved: () => setMoved(true),
        });
        // Instead of the list: the map comes into view.
        if (!matchMedia(WIDE).matches) container.current.scrollIntoView({ block: 'center' });
        const zone = zoneOf(location.search);
        if (zone) handle.current.showZone(zone);
        await show(location.search);
        setState('ready');
        window.addEventListener('offers:updated', onUpdate);
        document.addEventListener('pointerover', mark);
        document.addEventListener('focusin', mark);
      } catch {
        if (!cancelled) setState('error');
      }
    })();
    return () => {
      cancelled = true;
      window.removeEventListener('offers:updated', onUpdate);
      document.removeEventListener('pointerover', mark);
      document.removeEventListener('focusin', mark);
      handle.current?.destroy();
      handle.current = null;
    };
  }, [open]);

  /** The same search in the visible area: the place filters give way to it. */
  const searchArea = () => {
    if (!handle.current) return;
    const params = new URLSearchParams(location.search);
    for (const name of ['commune', 'rayon', 'territoire', 'page']) params.delete(name);
    if (params.get('tri') === 'distance') params.delete('tri');
    params.set('zone', handle.current.zone());
    setMoved(false);
    window.dispatchEvent(new CustomEvent('offers:navigate', { detail: { url: `${location.pathname}?${params}` } }));
  };

  const toggle = () => {
    const next = !open;
    if (wide) remembered(!next);
    setOpen(next);
  };

  if (!hydrated) return null;
  return (
    <div class="offer-map">
      <button
        type="button"
        class={`button button--secondary map-toggle${wide ? '' : ' map-toggle--float'}`}
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="offer-map"
        onClick={toggle}
      >
        {open ? (wide ? m['search.map.hide'] : m['search.map.list']) : m['search.map.show']}
      </button>
      {open && (
        <div class="map-wrap">
          <div
            id="offer-map"
            ref={container}
            class="map"
            role="region"
            aria-label={m['search.map.title']}
            data-state={state}
          />
          {moved && (
            <button type="button" class="button area-search" onClick={searchArea}>
              {m['search.map.area']}
            </button>
          )}
          {state === 'loading' && <p class="map-note">{m['search.map.loading']}</p>}
          {state === 'error' && <p class="map-note map-note--error">{m['search.map.error']}</p>}
          {note && <p class="map-note">{note}</p>}
        </div>
      )}
    </div>
  );
}
