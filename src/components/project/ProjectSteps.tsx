// Enhances the /projet form (which works without JavaScript, all sections shown): one
// section at a time with Previous/Next, each section checked before moving on — the
// messages written under the fields in the server's words, not the browser's bubble —, a
// link to a field (the error summary's) opening its section, and a draft kept in this
// browser so that a reload loses nothing.
import { useEffect, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';

export const projectStepsMessageKeys = [
  'project.step',
  'project.previous',
  'project.next',
  'project.draftRestored',
  'errors.invalid_value',
] as const;

interface Props {
  formId: string;
  locale: string;
  /** The server found errors: start on the first section that has one, keep its values. */
  hasErrors: boolean;
  m: Record<(typeof projectStepsMessageKeys)[number], string>;
  /** What the server says of a field that it refuses, by name: said under it before posting. */
  fieldErrors: Record<string, string>;
}

/** Where the draft is kept in this browser (named on /cookies). */
export const PROJECT_DRAFT_KEY = 'cc-project-draft';

function sections(form: HTMLFormElement): HTMLFieldSetElement[] {
  return [...form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-step]')];
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** Writes (or, with an empty message, takes away) the message under a control, as the form kit does. */
function markField(el: Control, message: string) {
  const errorId = `${el.id}-error`;
  let p = document.getElementById(errorId);
  const describedBy = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== errorId);
  if (!message) {
    // A message of the server stays until the next post; this script's own goes once corrected.
    if (p?.dataset.client) {
      p.remove();
      el.removeAttribute('aria-invalid');
      if (describedBy.length) el.setAttribute('aria-describedby', describedBy.join(' '));
      else el.removeAttribute('aria-describedby');
    }
    return;
  }
  if (!p) {
    p = document.createElement('p');
    p.className = 'ui-error';
    p.id = errorId;
    p.dataset.client = 'true';
    (el.closest('.ui-field') ?? el.parentElement)?.append(p);
  }
  p.textContent = message;
  el.setAttribute('aria-invalid', 'true');
  el.setAttribute('aria-describedby', [...describedBy, errorId].join(' '));
}

/** Checks a section's fields, marks each, and gives the first refused one. */
function checkSection(section: Element, fieldErrors: Record<string, string>, fallback: string): Control | undefined {
  let first: Control | undefined;
  for (const el of section.querySelectorAll<Control>('input, select, textarea')) {
    if (!el.id || !el.willValidate) continue;
    const valid = el.checkValidity();
    markField(el, valid ? '' : (fieldErrors[el.name] ?? fallback));
    if (!valid) first ??= el;
  }
  return first;
}

function saveDraft(form: HTMLFormElement) {
  const data: Record<string, string[]> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && k !== 'consent') (data[k] ??= []).push(v);
  try {
    localStorage.setItem(PROJECT_DRAFT_KEY, JSON.stringify(data));
  } catch {
    // private browsing or full storage: the form still works
  }
}

function restoreDraft(form: HTMLFormElement): boolean {
  let data: Record<string, string[]>;
  try {
    data = JSON.parse(localStorage.getItem(PROJECT_DRAFT_KEY) ?? '{}');
  } catch {
    return false;
  }
  let restored = false;
  for (const [name, values] of Object.entries(data)) {
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      `[name="${CSS.escape(name)}"]`,
    )) {
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        el.checked = values.includes(el.value);
      } else if (!el.value) {
        el.value = values[0] ?? '';
        restored ||= el.value !== '';
      }
    }
  }
  return restored;
}

export default function ProjectSteps({ formId, locale, hasErrors, m, fieldErrors }: Props) {
  const [step, setStep] = useState(0);
  const [count, setCount] = useState(0);
  const [title, setTitle] = useState('');
  const [notice, setNotice] = useState('');

  const form = () => document.getElementById(formId) as HTMLFormElement | null;

  const show = (index: number) => {
    const f = form();
    if (!f) return;
    const all = sections(f);
    all.forEach((s, i) => (s.hidden = i !== index));
    setStep(index);
    setTitle(all[index]?.querySelector('legend')?.textContent ?? '');
  };

  useEffect(() => {
    const f = form();
    if (!f) return;
    const all = sections(f);
    setCount(all.length);
    if (!hasErrors && restoreDraft(f)) setNotice(m['project.draftRestored']);
    const firstError = hasErrors ? all.findIndex((s) => s.querySelector('[aria-invalid="true"]')) : -1;
    show(Math.max(0, firstError));
    // A field marked by this script loses its message as soon as it is right.
    const onInput = (event: Event) => {
      saveDraft(f);
      const el = event.target as Control;
      if (el.id && document.getElementById(`${el.id}-error`)?.dataset.client && el.checkValidity()) markField(el, '');
    };
    // The browser's own check would stop at a field of a hidden section without a word:
    // every section is checked here, and the first one with a refused field is shown.
    f.noValidate = true;
    const onSubmit = (event: SubmitEvent) => {
      for (const [index, section] of sections(f).entries()) {
        const invalid = checkSection(section, fieldErrors, m['errors.invalid_value']);
        if (invalid) {
          event.preventDefault();
          show(index);
          invalid.focus();
          return;
        }
      }
      // Sent: the draft has done its job (the server keeps the values if it finds errors).
      try {
        localStorage.removeItem(PROJECT_DRAFT_KEY);
      } catch {
        // nothing to clear
      }
    };
    // A link to a field (the error summary's) shows that field's section first, then focuses it.
    const onLink = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href^="#"]');
      const id = link ? decodeURIComponent(link.getAttribute('href')!.slice(1)) : '';
      const target = id ? document.getElementById(id) : null;
      const index = target ? sections(f).findIndex((s) => s.contains(target)) : -1;
      if (!target || index < 0) return;
      event.preventDefault();
      show(index);
      const control = target.matches('input, select, textarea')
        ? target
        : target.querySelector<HTMLElement>('input, select, textarea');
      (control ?? target).focus();
      target.scrollIntoView({ block: 'center' });
    };
    f.addEventListener('input', onInput);
    f.addEventListener('change', onInput);
    f.addEventListener('submit', onSubmit);
    document.addEventListener('click', onLink);
    f.dataset.enhanced = 'true';
    return () => {
      f.removeEventListener('input', onInput);
      f.removeEventListener('change', onInput);
      f.removeEventListener('submit', onSubmit);
      document.removeEventListener('click', onLink);
    };
  }, []);

  const next = () => {
    const f = form();
    const current = f && sections(f)[step];
    if (!current) return;
    // This section's fields checked (required, type, range) before moving on.
    const invalid = checkSection(current, fieldErrors, m['errors.invalid_value']);
    if (invalid) {
      invalid.focus();
      return;
    }
    show(Math.min(step + 1, count - 1));
    document.getElementById(formId)?.scrollIntoView({ block: 'start' });
  };

  if (count === 0) return null;
  return (
    <nav class="project-steps" aria-label={formatMessage(locale, m['project.step'], { n: step + 1, count, title })}>
      {notice && (
        <p class="draft" role="status">
          {notice}
        </p>
      )}
      <p class="indicator" aria-live="polite">
        {formatMessage(locale, m['project.step'], { n: step + 1, count, title })}
      </p>
      <progress max={count} value={step + 1} aria-hidden="true" />
      <div class="buttons">
        {step > 0 && (
          <button type="button" class="button button--secondary" onClick={() => show(step - 1)}>
            {m['project.previous']}
          </button>
        )}
        {step < count - 1 && (
          <button type="button" class="button" onClick={next}>
            {m['project.next']}
          </button>
        )}
      </div>
    </nav>
  );
}
