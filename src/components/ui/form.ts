// The form kit's shared rules: every field's id comes from `fieldId`, so that the
// ErrorSummary's links, the label's `for` and the hint/error ids always agree.

export interface Choice {
  value: string;
  label: string;
  /** A line under the choice (what choosing it means), read after its label. */
  detail?: string;
}

/** The props every field of the kit takes. */
export interface FieldProps {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  required?: boolean;
  /** Distinguishes the ids of two forms on one page that have the same field. */
  idPrefix?: string;
  /** The label is read by screen readers only (a box's title already says it). */
  labelHidden?: boolean;
  class?: string;
}

/** Options from a list of values, each labelled by `label`. */
export const choicesOf = <T extends string | number>(values: readonly T[], label: (value: T) => string): Choice[] =>
  values.map((value) => ({ value: String(value), label: label(value) }));

export const fieldId = (idPrefix: string, name: string) => `${idPrefix}-${name}`;
export const hintId = (id: string) => `${id}-hint`;
export const errorId = (id: string) => `${id}-error`;

/** aria-invalid and aria-describedby (hint, then error) of a control. */
export const controlAria = (id: string, hint?: string, error?: string) => ({
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': [hint && hintId(id), error && errorId(id)].filter(Boolean).join(' ') || undefined,
});

/** A control's id and the attributes every control of the kit carries. */
export const controlOf = ({ name, required, hint, error, idPrefix = 'field' }: FieldProps) => {
  const id = fieldId(idPrefix, name);
  return { id, control: { class: 'ui-control', id, name, required, ...controlAria(id, hint, error) } };
};

/**
 * The fields of one form, bound to what a refused post sent back: `field(name, label)`
 * gives a field's props (value, error, idPrefix), and `labels` collects the labels for
 * the ErrorSummary. Call it in the frontmatter, before the summary renders.
 */
export function formFields(
  state: { errors: Record<string, string>; values: Record<string, string> },
  idPrefix = 'field',
) {
  const labels: Record<string, string> = {};
  const field = (name: string, label: string, errorKey = name) => {
    labels[errorKey] = label;
    return { name, label, idPrefix, value: state.values[name], error: state.errors[errorKey] };
  };
  return { field, labels };
}
