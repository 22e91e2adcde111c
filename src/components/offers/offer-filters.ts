// The search form of /offres, enhanced in the browser (OfferFilters.astro renders it and it
// works without this): results updated in place as filters change (typing waits for a
// pause, choices apply at once), the URL kept in step so back/forward work, pager links
// loaded in place, field errors and the active-filter count kept true.
import { formatMessage } from '../../i18n/format.ts';

const DEBOUNCE_MS = 350;
const typed = new Set(['text', 'number', 'search']);

interface SearchState {
  errors?: Record<string, string>;
  total?: number;
  communeLabel?: string;
}

/** The query string of the form: empty fields dropped, the page reset. */
function formQuery(form: HTMLFormElement): string {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '' && name !== 'page') params.append(name, value.trim());
  }
  return params.toString();
}

/** The commune autocomplete is an island: wait until it has taken over its field. */
async function islandsHydrated(form: HTMLFormElement): Promise<void> {
  const waiting = [...form.querySelectorAll('astro-island[ssr]')];
  await Promise.all(
    waiting.map((island) => new Promise((done) => island.addEventListener('astro:hydrate', done, { once: true }))),
  );
  // Its first render is the plain field again; the combobox comes with the next frame or so.
  while (form.querySelector('astro-island') && !form.querySelector('astro-island [role="combobox"]'))
    await new Promise((done) => requestAnimationFrame(done));
}

export function enhanceFilters(form: HTMLFormElement): void {
  const locale = form.dataset.locale ?? 'fr';
  const status = form.querySelector<HTMLElement>('.status');
  const countText = form.querySelector<HTMLElement>('.filters-panel > summary .filters-count');
  const badge = form.querySelector<HTMLElement>('.filters-panel > summary .filters-badge');
  const panel = form.querySelector<HTMLDetailsElement>('details.filters-panel');
  const submit = form.querySelector<HTMLButtonElement>('.actions button');
  // Phones fold the filters: their button says how many offers it shows, and shows them.
  const folded = matchMedia('(max-width: 59.99rem)');
  const seeOffers = (count: number) => {
    if (submit) submit.textContent = formatMessage(locale, form.dataset.mSee ?? '', { count });
  };
  // Wide screens show the filters; where CSS cannot (no ::details-content), the panel opens.
  if (panel && !folded.matches && !CSS.supports('selector(::details-content)')) panel.open = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;

  const say = (text: string) => {
    if (status) status.textContent = text;
  };

  const countActive = () => {
    if (!countText) return;
    const active = [...new FormData(form)].filter(
      ([name, value]) => String(value).trim() !== '' && name !== 'page' && name !== 'tri',
    ).length;
    countText.textContent = formatMessage(locale, form.dataset.mActive ?? '', { count: active });
    if (badge) {
      badge.textContent = String(active);
      badge.hidden = active === 0;
    }
  };

  /** Each field's error after an update: the message, `aria-invalid` and `aria-describedby`. */
  const showErrors = (errors: Record<string, string>) => {
    for (const field of form.querySelectorAll<HTMLElement>('[data-field]')) {
      const name = field.dataset.field ?? '';
      field.querySelector(`#${name}-error`)?.remove();
      const control = field.querySelector<HTMLElement>(`#f-${name}`);
      const hint = field.querySelector(`#${name}-hint`) ? `${name}-hint` : '';
      const message = errors[name];
      if (message) {
        const p = document.createElement('p');
        p.id = `${name}-error`;
        p.className = 'error';
        p.textContent = message;
        field.append(p);
      }
      if (!control) continue;
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      const describedBy = [message ? `${name}-error` : '', hint].filter(Boolean).join(' ');
      if (describedBy) control.setAttribute('aria-describedby', describedBy);
      else control.removeAttribute('aria-describedby');
      if (message) field.closest('details')?.setAttribute('open', '');
    }
  };

  /** The form's fields as the URL says (after back/forward). */
  const fillFrom = (url: URL, communeLabel: string | undefined) => {
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[name], select[name]')) {
      if (control.name === 'commune') continue;
      const value = url.searchParams.get(control.name) ?? '';
      if (control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio'))
        control.checked = value === control.value;
      else control.value = value;
    }
    const code = url.searchParams.get('commune') ?? '';
    form.dispatchEvent(new CustomEvent('commune:set', { detail: { code, label: communeLabel ?? code } }));
    countActive();
  };

  /** Fetches the page for `url` and swaps its results region into this one. */
  const load = async (url: string, { push }: { push: boolean }): Promise<SearchState | undefined> => {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    const results = document.getElementById('results');
    results?.setAttribute('aria-busy', 'true');
    say(form.dataset.mLoading ?? '');
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: 'text/html' } });
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = doc.getElementById('results');
      if (!fresh || !results) throw new Error('no results region');
      if (push) history.pushState({ offers: true }, '', url);
      results.innerHTML = fresh.innerHTML;
      const state = JSON.parse(doc.getElementById('search-state')?.textContent ?? '{}') as SearchState;
      showErrors(state.errors ?? {});
      countActive();
      seeOffers(state.total ?? 0);
      say(formatMessage(locale, form.dataset.mUpdated ?? '', { count: state.total ?? 0 }));
      window.dispatchEvent(
        new CustomEvent('offers:updated', { detail: { search: new URL(url, location.href).search } }),
      );
      return state;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return undefined;
      // The network or the page failed: fall back to a normal navigation.
      location.assign(url);
      return undefined;
    } finally {
      if (inflight === controller) results?.removeAttribute('aria-busy');
    }
  };

  const apply = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const qs = formQuery(form);
      const target = new URL(form.getAttribute('action') ?? location.pathname, location.href);
      target.search = qs;
      if (target.pathname + target.search === location.pathname + location.search) return;
      void load(target.pathname + target.search, { push: true });
    }, delay);
  };

  const onChange = (event: Event) => {
    const target = event.target as HTMLInputElement;
    // A place typed or chosen replaces the map's area.
    const zone = form.elements.namedItem('zone') as HTMLInputElement | null;
    if (zone && ['commune', 'territoire', 'rayon'].includes(target.name)) zone.value = '';
    countActive();
    apply(typed.has(target.type) ? DEBOUNCE_MS : 0);
  };

  void islandsHydrated(form).then(() => {
    form.addEventListener('input', onChange);
    form.addEventListener('change', onChange);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      apply(0);
      if (panel?.open && folded.matches) {
        panel.open = false;
        document.getElementById('results-title')?.scrollIntoView({ block: 'start' });
      }
    });
    seeOffers(Number(document.querySelector('#results [data-total]')?.getAttribute('data-total') ?? 0));
    window.addEventListener('popstate', () => {
      const url = new URL(location.href);
      fillFrom(url, undefined);
      void load(url.pathname + url.search, { push: false }).then((state) => {
        if (state?.communeLabel) fillFrom(url, state.communeLabel);
      });
    });
    // Links of the results region to another search (pager, chips, "clear all", the other
    // kind, a wider search: this page's address) load in place too; an offer's opens.
    const searchPath = new URL(form.getAttribute('action') ?? location.pathname, location.href).pathname;
    document.addEventListener('click', (event) => {
      const link = (event.target as Element | null)?.closest?.<HTMLAnchorElement>('#results a[href]');
      if (
        !link ||
        new URL(link.href).pathname !== searchPath ||
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey
      )
        return;
      event.preventDefault();
      const url = new URL(link.href);
      void load(url.pathname + url.search, { push: true }).then((state) => {
        // A chip, "clear all" or a wider search changed the filters: the form says so too.
        if (state) fillFrom(url, state.communeLabel);
        document.getElementById('results-title')?.scrollIntoView({ block: 'start' });
      });
    });
    // The map's "Search this area".
    window.addEventListener('offers:navigate', (event) => {
      const url = new URL((event as CustomEvent<{ url: string }>).detail.url, location.href);
      void load(url.pathname + url.search, { push: true }).then((state) => {
        if (state) fillFrom(url, state.communeLabel);
      });
    });
    say(form.dataset.mAuto ?? '');
    form.dataset.hydrated = 'true';
  });
}
