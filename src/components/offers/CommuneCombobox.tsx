// Commune autocomplete of the search filters (WAI-ARIA combobox with a listbox):
// accent-insensitive suggestions from /api/v1/communes. The submitted `commune` value is the
// chosen INSEE code, or the typed text when nothing was chosen (the server then resolves the
// name, as without JS). Rendered on the server as a plain named text field; a choice or an
// emptied field is a `change` event on the form (offer-filters.ts applies it), and the form's
// `commune:set` event (back/forward) sets the field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';
import { communeLabel } from '../../lib/text.ts';

interface Suggestion {
  code: string;
  name: string;
  postalCodes: string;
  departmentCode: string;
}

interface Props {
  locale: string;
  api: string;
  initialCode: string;
  initialLabel: string;
  describedBy?: string;
  invalid: boolean;
  suggestionsMessage: string;
}

const labelOf = communeLabel;

export default function CommuneCombobox({
  locale,
  api,
  initialCode,
  initialLabel,
  describedBy,
  invalid,
  suggestionsMessage,
}: Props) {
  const [mounted, setMounted] = useState(false);
  const [text, setText] = useState(initialLabel);
  const [code, setCode] = useState(/^(\d{5}|2[AB]\d{3})$/.test(initialCode) ? initialCode : '');
  const [options, setOptions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [announce, setAnnounce] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const request = useRef<AbortController | undefined>(undefined);
  const hidden = useRef<HTMLInputElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const isCode = (value: string) => /^(\d{5}|2[AB]\d{3})$/.test(value);

  useEffect(() => {
    // What was typed in the plain field before this took over is kept.
    const typed = field.current?.value;
    if (typed !== undefined && typed !== initialLabel) {
      setText(typed);
      setCode('');
    }
    setMounted(true);
    const form = field.current?.form;
    const onSet = (event: Event) => {
      const { code: next, label } = (event as CustomEvent<{ code: string; label: string }>).detail;
      setText(label);
      setCode(isCode(next) ? next : '');
      setOpen(false);
    };
    form?.addEventListener('commune:set', onSet);
    return () => form?.removeEventListener('commune:set', onSet);
  }, []);

  /** Tells the form the filter changed. */
  const changed = () => hidden.current?.dispatchEvent(new Event('change', { bubbles: true }));

  const search = (value: string) => {
    clearTimeout(timer.current);
    if (value.trim().length < 2) {
      setOptions([]);
      setOpen(false);
      return;
    }
    timer.current = setTimeout(async () => {
      request.current?.abort();
      const controller = new AbortController();
      request.current = controller;
      try {
        const res = await fetch(`${api}?q=${encodeURIComponent(value)}&limit=8`, { signal: controller.signal });
        if (!res.ok) return;
        const body = (await res.json()) as { communes: Suggestion[] };
        setOptions(body.communes);
        setActive(-1);
        setOpen(true);
        setAnnounce(formatMessage(locale, suggestionsMessage, { count: body.communes.length }));
      } catch {
        // a newer request replaced this one, or the network failed: keep the typed text
      }
    }, 200);
  };

  const pick = (s: Suggestion) => {
    setText(labelOf(s));
    setCode(s.code);
    setOpen(false);
    setActive(-1);
    if (hidden.current) hidden.current.value = s.code;
    changed();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' && options.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (event.key === 'Enter' && open && active >= 0 && options[active]) {
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setOpen(false);
    }
  };

  if (!mounted)
    return (
      <input
        ref={field}
        id="f-commune"
        name="commune"
        type="text"
        autoComplete="off"
        defaultValue={initialLabel}
        aria-describedby={describedBy}
        aria-invalid={invalid ? 'true' : undefined}
      />
    );

  return (
    <div class="combobox">
      <input
        id="f-commune"
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open && options.length > 0 ? 'true' : 'false'}
        aria-controls="commune-listbox"
        aria-activedescendant={open && active >= 0 ? `commune-option-${active}` : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid ? 'true' : undefined}
        value={text}
        onInput={(event) => {
          const value = (event.target as HTMLInputElement).value;
          setText(value);
          setCode('');
          search(value);
          // Do not let the form apply a half-typed name: it waits for a choice or a submit,
          // except when the field is emptied (the commune filter is removed).
          event.stopPropagation();
          if (value.trim() === '' && hidden.current) {
            hidden.current.value = '';
            changed();
          }
        }}
        onChange={(event) => event.stopPropagation()}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <input ref={hidden} type="hidden" name="commune" value={code || text} />
      <ul id="commune-listbox" role="listbox" hidden={!open || options.length === 0}>
        {options.map((s, i) => (
          <li
            id={`commune-option-${i}`}
            role="option"
            aria-selected={i === active ? 'true' : 'false'}
            class={i === active ? 'active' : undefined}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(s);
            }}
          >
            {s.name}{' '}
            <span>
              {s.postalCodes.split(' ')[0]} · {s.departmentCode}
            </span>
          </li>
        ))}
      </ul>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
    </div>
  );
}
