// Enhances the /projet form (which works without JavaScript, all sections shown): one
// section at a time with Previous/Next, each section checked before moving on, a link to a
// field (the error summary's) opening its section, and a draft kept in this browser so that
// a reload loses nothing.
import { useEffect, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';

export const projectStepsMessageKeys = [
  'project.step',
  'project.previous',
  'project.next',
  'project.draftRestored',
] as const;

interface Props {
  formId: string;
  locale: string;
  /** The server found errors: start on the first section that has one, keep its values. */
  hasErrors: boolean;
  m: Record<(typeof projectStepsMessageKeys)[number], string>;
}

/** Where the draft is kept in this browser (named on /cookies). */
export const PROJECT_DRAFT_KEY = 'cc-project-draft';

function sections(form: HTMLFormElement): HTMLFieldSetElement[] {
  return [...form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-step]')];
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

export default function ProjectSteps({ formId, locale, hasErrors, m }: Props) {
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
    const onInput = () => saveDraft(f);
    // Sent: the draft has done its job (the server keeps the values if it finds errors).
    const onSubmit = () => {
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
    // Native checks of this section's fields (required, type, pattern) before moving on.
    const invalid = [...current.querySelectorAll<HTMLInputElement>('input, select, textarea')].find(
      (el) => !el.checkValidity(),
    );
    if (invalid) {
      invalid.reportValidity();
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
