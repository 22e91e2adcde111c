// The map of the current results, opened on demand: nothing of Leaflet is downloaded
// until the button is pressed. The list stays the primary, accessible view; the map
// follows the filters (it listens to the filters island's "offers:updated" event).
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';
import type { MapHandle } from './map-view.ts';
import './OfferMap.css';

export const mapMessageKeys = [
  'search.map.show',
  'search.map.hide',
  'search.map.title',
  'search.map.loading',
  'search.map.error',
  'search.map.truncated',
  'search.map.open',
  'label.short',
  'label.title',
  'offer.pricePerMonth',
] as const;

interface Props {
  locale: string;
  tileUrl: string;
  attribution: string;
  m: Record<(typeof mapMessageKeys)[number], string>;
}

export default function OfferMap({ locale, tileUrl, attribution, m }: Props) {
  const [hydrated, setHydrated] = useState(false);
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const [note, setNote] = useState('');
  const container = useRef<HTMLDivElement>(null);
  const handle = useRef<MapHandle | null>(null);

  useEffect(() => setHydrated(true), []);

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
    handle.current.setPoints(data);
    setNote(data.next ? formatMessage(locale, m['search.map.truncated'], { count: data.features.length }) : '');
  };

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    const onUpdate = (event: Event) => void show((event as CustomEvent<{ search: string }>).detail.search);
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
        });
        await show(location.search);
        setState('ready');
        window.addEventListener('offers:updated', onUpdate);
      } catch {
        if (!cancelled) setState('error');
      }
    })();
    return () => {
      cancelled = true;
      window.removeEventListener('offers:updated', onUpdate);
      handle.current?.destroy();
      handle.current = null;
    };
  }, [open]);

  if (!hydrated) return null;
  return (
    <div class="offer-map">
      <button
        type="button"
        class="button button--secondary"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="offer-map"
        onClick={() => setOpen(!open)}
      >
        {open ? m['search.map.hide'] : m['search.map.show']}
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
          {state === 'loading' && <p class="map-note">{m['search.map.loading']}</p>}
          {state === 'error' && <p class="map-note map-note--error">{m['search.map.error']}</p>}
          {note && <p class="map-note">{note}</p>}
        </div>
      )}
    </div>
  );
}
