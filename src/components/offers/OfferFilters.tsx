// The search filters. Rendered on the server as a plain GET form (works without
// JavaScript); once hydrated it applies the filters as soon as one changes.
import { useEffect, useRef, useState } from 'preact/hooks';
import './OfferFilters.css';

export interface OfferFiltersProps {
  action: string;
  values: { type?: string; territoire?: string; fibre?: string };
  territories: Array<{ code: string; name: string }>;
  /** Field name → localized error message, shown next to the field. */
  errors: Record<string, string>;
  labels: {
    legend: string;
    kind: string;
    kindAll: string;
    kindHome: string;
    kindTiersLieu: string;
    territory: string;
    territoryAll: string;
    fibre: string;
    submit: string;
    reset: string;
    autoApply: string;
  };
}

const DEBOUNCE_MS = 350;

export default function OfferFilters({ action, values, territories, errors, labels }: OfferFiltersProps) {
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [hydrated, setHydrated] = useState(false);

  useEffect(() => {
    setHydrated(true);
    return () => clearTimeout(timer.current);
  }, []);

  const onChange = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => form.current?.requestSubmit(), DEBOUNCE_MS);
  };

  const described = (name: string) => (errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {});

  return (
    <form ref={form} method="get" action={action} class="filters" onChange={onChange} data-hydrated={hydrated ? 'true' : undefined}>
      <fieldset>
        <legend>{labels.legend}</legend>

        <div class="field">
          <label for="f-type">{labels.kind}</label>
          <select id="f-type" name="type" {...described('type')}>
            <option value="">{labels.kindAll}</option>
            <option value="logement" selected={values.type === 'logement'}>{labels.kindHome}</option>
            <option value="tiers-lieu" selected={values.type === 'tiers-lieu'}>{labels.kindTiersLieu}</option>
          </select>
          {errors.type && <p id="type-error" class="error">{errors.type}</p>}
        </div>

        <div class="field">
          <label for="f-territoire">{labels.territory}</label>
          <select id="f-territoire" name="territoire" {...described('territoire')}>
            <option value="">{labels.territoryAll}</option>
            {territories.map((t) => (
              <option value={t.code} selected={values.territoire === t.code}>
                {t.name} ({t.code})
              </option>
            ))}
          </select>
          {errors.territoire && <p id="territoire-error" class="error">{errors.territoire}</p>}
        </div>

        <div class="field field--check">
          <input id="f-fibre" type="checkbox" name="fibre" value="1" checked={values.fibre === '1'} {...described('fibre')} />
          <label for="f-fibre">{labels.fibre}</label>
          {errors.fibre && <p id="fibre-error" class="error">{errors.fibre}</p>}
        </div>

        <div class="actions">
          <button type="submit" class="button">{labels.submit}</button>
          <a href={action} class="button button--secondary">{labels.reset}</a>
        </div>
        {hydrated && <p class="hint">{labels.autoApply}</p>}
      </fieldset>
    </form>
  );
}
