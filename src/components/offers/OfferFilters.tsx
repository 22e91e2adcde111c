// The search filters. Rendered on the server as a plain GET form that works without
// JavaScript. Once hydrated it: updates the results in place as filters change (debounced),
// keeps the URL in sync (back/forward work), and turns the commune field into an
// autocomplete combobox over /api/v1/communes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';
import CommuneCombobox from './CommuneCombobox.tsx';
import './OfferFilters.css';

export const filterMessageKeys = [
  'search.filters',
  'search.kind',
  'search.kind.all',
  'search.kind.logement',
  'search.kind.tiers-lieu',
  'search.transaction',
  'search.transaction.all',
  'search.transaction.location',
  'search.transaction.vente',
  'search.territory',
  'search.territory.all',
  'search.commune',
  'search.commune.hint',
  'search.commune.suggestions',
  'search.rayon',
  'search.fibre',
  'search.debitMin',
  'search.uploadMin',
  'search.techno',
  'search.techno.all',
  'search.mobile',
  'search.mobile.all',
  'search.mobile.4g',
  'search.mobile.5g',
  'search.prixMin',
  'search.prixMax',
  'search.prixHint',
  'search.surfaceMin',
  'search.piecesMin',
  'search.tlKm',
  'search.q',
  'search.q.hint',
  'search.tri',
  'search.tri.recent',
  'search.tri.prix',
  'search.tri.prix-desc',
  'search.tri.debit',
  'search.tri.distance',
  'search.more',
  'search.submit',
  'search.reset',
  'search.autoApply',
  'search.loading',
  'search.updated',
  'search.section.connectivity',
  'search.section.place',
  'search.section.home',
  'search.showFilters',
] as const;
export type FilterMessages = Record<(typeof filterMessageKeys)[number], string>;

export interface OfferFiltersProps {
  locale: string;
  action: string;
  values: Record<string, string | undefined>;
  /** How to show the selected commune, e.g. "Auch (32000)". */
  communeLabel?: string;
  territories: Array<{ code: string; name: string }>;
  technologies: Array<{ value: string; label: string }>;
  /** Field name → localized error message, shown next to the field. */
  errors: Record<string, string>;
  m: FilterMessages;
  communesApi: string;
}

const DEBOUNCE_MS = 350;
/** Filters tucked under "More filters" unless one of them is set. */
const secondary = ['transaction', 'upload_min', 'techno', 'mobile', 'prix_min', 'surface_min', 'pieces_min', 'tl_km'];

/** The query string of the form: empty fields dropped, the page reset. */
function formQuery(form: HTMLFormElement): string {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '' && name !== 'page') params.append(name, value.trim());
  }
  return params.toString();
}

function valuesFromUrl(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

export default function OfferFilters(props: OfferFiltersProps) {
  const { locale, action, territories, technologies, m, communesApi } = props;
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inflight = useRef<AbortController | undefined>(undefined);
  const [hydrated, setHydrated] = useState(false);
  const [values, setValues] = useState(props.values);
  const [communeLabel, setCommuneLabel] = useState(props.communeLabel);
  const [errors, setErrors] = useState(props.errors);
  const [formKey, setFormKey] = useState(0);
  const [status, setStatus] = useState('');
  // Narrow screens fold the filters in a <details>, open at first when a filter is invalid;
  // after that its open state belongs to the visitor (the prop never changes).
  const [initiallyOpen] = useState(Object.keys(props.errors).length > 0);

  /** Fetches the page for `url` and swaps its results region into this one. */
  const load = async (url: string, { push }: { push: boolean }) => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    const results = document.getElementById('results');
    results?.setAttribute('aria-busy', 'true');
    setStatus(m['search.loading']);
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: 'text/html' } });
      const html = await response.text();
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const fresh = doc.getElementById('results');
      if (!fresh || !results) throw new Error('no results region');
      if (push) history.pushState({ offers: true }, '', url);
      results.innerHTML = fresh.innerHTML;
      const state = JSON.parse(doc.getElementById('search-state')?.textContent ?? '{}') as {
        errors?: Record<string, string>;
        total?: number;
        communeLabel?: string;
      };
      setErrors(state.errors ?? {});
      setCommuneLabel(state.communeLabel);
      setStatus(formatMessage(locale, m['search.updated'], { count: state.total ?? 0 }));
      window.dispatchEvent(
        new CustomEvent('offers:updated', { detail: { search: new URL(url, location.href).search } }),
      );
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      // The network or the page failed: fall back to a normal navigation.
      location.assign(url);
    } finally {
      if (inflight.current === controller) results?.removeAttribute('aria-busy');
    }
  };

  const apply = (delay: number) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!form.current) return;
      const qs = formQuery(form.current);
      const url = qs ? `${action}?${qs}` : action;
      if (url === location.pathname + location.search) return;
      void load(url, { push: true });
    }, delay);
  };

  useEffect(() => {
    setHydrated(true);
    const onPop = () => {
      const url = new URL(location.href);
      setValues(valuesFromUrl(url));
      setFormKey((k) => k + 1); // re-create the uncontrolled fields with the URL's values
      void load(url.pathname + url.search, { push: false });
    };
    // Pager links inside the results region load in place too.
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[data-results-link]');
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
        return;
      event.preventDefault();
      void load((link as HTMLAnchorElement).href, { push: true }).then(() =>
        document.getElementById('results-title')?.scrollIntoView({ block: 'start' }),
      );
    };
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
      clearTimeout(timer.current);
    };
  }, []);

  const onInput = (event: Event) => {
    const target = event.target as HTMLInputElement;
    // Checkboxes and selects are bound to `values`: keep it equal to what the form shows,
    // or the next re-render would put back the old choice.
    if (form.current) setValues(Object.fromEntries([...new FormData(form.current)].map(([k, v]) => [k, String(v)])));
    // Typing waits for a pause; choices apply at once.
    apply(target.type === 'text' || target.type === 'number' || target.type === 'search' ? DEBOUNCE_MS : 0);
  };

  const err = (name: string) =>
    errors[name] ? (
      <p id={`${name}-error`} class="error">
        {errors[name]}
      </p>
    ) : null;
  const aria = (name: string, hint?: boolean) => ({
    'aria-invalid': errors[name] ? ('true' as const) : undefined,
    'aria-describedby':
      [errors[name] ? `${name}-error` : '', hint ? `${name}-hint` : ''].filter(Boolean).join(' ') || undefined,
  });
  const v = (name: string) => values[name] ?? '';
  const number = (name: string, label: string, opts: { max?: number; hint?: string } = {}) => (
    <div class="field" data-field={name}>
      <label for={`f-${name}`}>{label}</label>
      {opts.hint && (
        <p id={`${name}-hint`} class="hint">
          {opts.hint}
        </p>
      )}
      <input
        id={`f-${name}`}
        name={name}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        defaultValue={v(name)}
        {...aria(name, !!opts.hint)}
      />
      {err(name)}
    </div>
  );
  const select = (name: string, label: string, options: Array<[string, string]>) => (
    <div class="field" data-field={name}>
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} {...aria(name)}>
        {options.map(([value, text]) => (
          <option value={value} selected={v(name) === value}>
            {text}
          </option>
        ))}
      </select>
      {err(name)}
    </div>
  );
  const moreOpen = secondary.some((name) => v(name) !== '' || errors[name]);
  const activeCount = Object.entries(values).filter(([k, value]) => value && k !== 'page' && k !== 'tri').length;

  return (
    <form
      key={formKey}
      ref={form}
      id="offer-search"
      method="get"
      action={action}
      class="filters"
      onInput={hydrated ? onInput : undefined}
      onChange={hydrated ? onInput : undefined}
      onSubmit={(event) => {
        if (!hydrated) return;
        event.preventDefault();
        apply(0);
      }}
      data-hydrated={hydrated ? 'true' : undefined}
    >
      <h2 class="filters-title">{m['search.filters']}</h2>
      <details class="filters-panel" open={initiallyOpen}>
        <summary>{formatMessage(locale, m['search.showFilters'], { count: activeCount })}</summary>
        <div class="filters-body">
          {select('tri', m['search.tri'], [
            ['', m['search.tri.recent']],
            ['prix', m['search.tri.prix']],
            ['prix-desc', m['search.tri.prix-desc']],
            ['debit', m['search.tri.debit']],
            ['distance', m['search.tri.distance']],
          ])}
          {select('type', m['search.kind'], [
            ['', m['search.kind.all']],
            ['logement', m['search.kind.logement']],
            ['tiers-lieu', m['search.kind.tiers-lieu']],
          ])}

          <fieldset>
            <legend>{m['search.section.connectivity']}</legend>
            <div class="field field--check" data-field="fibre">
              <input
                id="f-fibre"
                type="checkbox"
                name="fibre"
                value="1"
                checked={v('fibre') === '1'}
                {...aria('fibre')}
              />
              <label for="f-fibre">{m['search.fibre']}</label>
              {err('fibre')}
            </div>
            {number('debit_min', m['search.debitMin'])}
          </fieldset>

          <fieldset>
            <legend>{m['search.section.place']}</legend>
            {select('territoire', m['search.territory'], [
              ['', m['search.territory.all']],
              ...territories.map((t): [string, string] => [t.code, `${t.name} (${t.code})`]),
            ])}
            <div class="field" data-field="commune">
              <label for="f-commune">{m['search.commune']}</label>
              <p id="commune-hint" class="hint">
                {m['search.commune.hint']}
              </p>
              {hydrated ? (
                <CommuneCombobox
                  locale={locale}
                  api={communesApi}
                  initialCode={v('commune')}
                  initialLabel={communeLabel ?? v('commune')}
                  describedBy={aria('commune', true)['aria-describedby']}
                  invalid={!!errors.commune}
                  suggestionsMessage={m['search.commune.suggestions']}
                  onPick={() => apply(0)}
                />
              ) : (
                <input
                  id="f-commune"
                  name="commune"
                  type="text"
                  autoComplete="off"
                  defaultValue={communeLabel ?? v('commune')}
                  {...aria('commune', true)}
                />
              )}
              {err('commune')}
            </div>
            {number('rayon', m['search.rayon'])}
          </fieldset>

          <fieldset>
            <legend>{m['search.section.home']}</legend>
            {number('prix_max', m['search.prixMax'], { hint: m['search.prixHint'] })}
            <div class="field" data-field="q">
              <label for="f-q">{m['search.q']}</label>
              <p id="q-hint" class="hint">
                {m['search.q.hint']}
              </p>
              <input id="f-q" name="q" type="search" defaultValue={v('q')} maxLength={200} {...aria('q', true)} />
              {err('q')}
            </div>
          </fieldset>

          <details class="more-panel" open={moreOpen}>
            <summary>{m['search.more']}</summary>
            <div class="more">
              {select('transaction', m['search.transaction'], [
                ['', m['search.transaction.all']],
                ['location', m['search.transaction.location']],
                ['vente', m['search.transaction.vente']],
              ])}
              {number('upload_min', m['search.uploadMin'])}
              {select('techno', m['search.techno'], [
                ['', m['search.techno.all']],
                ...technologies.map((t): [string, string] => [t.value, t.label]),
              ])}
              {select('mobile', m['search.mobile'], [
                ['', m['search.mobile.all']],
                ['4g', m['search.mobile.4g']],
                ['5g', m['search.mobile.5g']],
              ])}
              {number('prix_min', m['search.prixMin'])}
              {number('surface_min', m['search.surfaceMin'])}
              {number('pieces_min', m['search.piecesMin'])}
              {number('tl_km', m['search.tlKm'])}
            </div>
          </details>

          <div class="actions">
            <button type="submit" class="button">
              {m['search.submit']}
            </button>
            <a href={action} class="button button--secondary">
              {m['search.reset']}
            </a>
          </div>
        </div>
      </details>
      <p class="status" role="status" aria-live="polite">
        {hydrated ? status || m['search.autoApply'] : ''}
      </p>
    </form>
  );
}
