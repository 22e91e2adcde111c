// The form and page kit in one import: `import { Button, TextField, formFields } from '…/components/ui/index.ts'`.
export { default as ActionButton } from './ActionButton.astro';
export { default as Alert } from './Alert.astro';
export { default as Button } from './Button.astro';
export { default as Checkbox } from './Checkbox.astro';
export { default as CheckboxGroup } from './CheckboxGroup.astro';
export { default as DataTable } from './DataTable.astro';
export { default as DateField } from './DateField.astro';
export { default as EmailLink } from './EmailLink.astro';
export { default as ErrorSummary } from './ErrorSummary.astro';
export { default as FileField } from './FileField.astro';
export { default as NumberField } from './NumberField.astro';
export { default as Pager } from './Pager.astro';
export { default as RadioGroup } from './RadioGroup.astro';
export { default as Select } from './Select.astro';
export { default as TextArea } from './TextArea.astro';
export { default as TextField } from './TextField.astro';
export { default as Tiles } from './Tiles.astro';
export * from './form.ts';
