// The form kit's wiring: a field in error says so (aria-invalid), points at its message
// (aria-describedby) and keeps what was typed; the error summary links to the field's id.
import { experimental_AstroContainer as AstroContainer } from 'astro/container';
import { describe, expect, it } from 'vitest';
import Checkbox from '../../src/components/ui/Checkbox.astro';
import DataTable from '../../src/components/ui/DataTable.astro';
import DateTime from '../../src/components/ui/DateTime.astro';
import ErrorSummary from '../../src/components/ui/ErrorSummary.astro';
import FileField from '../../src/components/ui/FileField.astro';
import ShowMore from '../../src/components/ui/ShowMore.astro';
import TextField from '../../src/components/ui/TextField.astro';
import { fieldId } from '../../src/components/ui/form.ts';
import { columnsOf, labelCells } from '../../src/components/ui/table.ts';

const locals = { locale: 'fr' } as App.Locals;
/** The value of `name` in the first tag matching `tag`. */
const attr = (html: string, tag: RegExp, name: string) =>
  html.match(tag)?.[0].match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

describe('form kit', () => {
  it('wires a field in error to its message and keeps the value', async () => {
    const container = await AstroContainer.create();
    const html = await container.renderToString(TextField, {
      locals,
      props: { name: 'email', label: 'Adresse email', value: 'ana@', error: 'Adresse invalide', idPrefix: 'x' },
    });
    const id = fieldId('x', 'email');
    expect(attr(html, /<input[^>]*>/, 'id')).toBe(id);
    expect(html).toMatch(new RegExp(`<label[^>]*for="${id}"[^>]*>Adresse email</label>`));
    expect(attr(html, /<input[^>]*>/, 'aria-invalid')).toBe('true');
    expect(attr(html, /<input[^>]*>/, 'value')).toBe('ana@');
    const describedBy = attr(html, /<input[^>]*>/, 'aria-describedby');
    expect(html).toMatch(new RegExp(`<p[^>]*id="${describedBy}"[^>]*>\\s*Adresse invalide\\s*</p>`));
  });

  it('wires a file field like the others, with its types and several files', async () => {
    const container = await AstroContainer.create();
    const html = await container.renderToString(FileField, {
      locals,
      props: {
        name: 'photos',
        label: 'Photos',
        error: 'Pas une image',
        idPrefix: 'x',
        accept: 'image/jpeg,image/png',
        multiple: true,
      },
    });
    const input = /<input[^>]*>/;
    expect(attr(html, input, 'type')).toBe('file');
    expect(attr(html, input, 'id')).toBe(fieldId('x', 'photos'));
    expect(attr(html, input, 'accept')).toBe('image/jpeg,image/png');
    expect(html.match(input)?.[0]).toMatch(/\smultiple\b/);
    expect(attr(html, input, 'aria-invalid')).toBe('true');
    expect(html).toMatch(new RegExp(`<label[^>]*for="${fieldId('x', 'photos')}"[^>]*>Photos</label>`));
  });

  it('describes a checkbox by its hint (outside the label, links and all), then its error', async () => {
    const container = await AstroContainer.create();
    const props = { name: 'consent', label: 'J’accepte', error: 'Cochez la case', idPrefix: 'x' };
    const html = await container.renderToString(Checkbox, {
      locals,
      props,
      slots: { hint: 'Lisez <a href="/confidentialite">Données personnelles</a>' },
    });
    const id = fieldId('x', 'consent');
    expect(attr(html, /<input[^>]*>/, 'aria-describedby')).toBe(`${id}-hint ${id}-error`);
    expect(html).toMatch(new RegExp(`<p[^>]*id="${id}-hint"[^>]*>\\s*Lisez <a href="/confidentialite">`));
    expect(html.match(/<label[\s\S]*<\/label>/)?.[0]).not.toContain('<a ');
    const plain = await container.renderToString(Checkbox, { locals, props });
    expect(attr(plain, /<input[^>]*>/, 'aria-describedby')).toBe(`${id}-error`);
    expect(plain).not.toContain('-hint');
  });

  it('links each error of the summary to its field', async () => {
    const container = await AstroContainer.create();
    const html = await container.renderToString(ErrorSummary, {
      locals,
      props: { errors: { email: 'Adresse invalide' }, labels: { email: 'Adresse email' }, idPrefix: 'x' },
    });
    const box = /<div[^>]*data-error-summary[^>]*>/;
    expect(attr(html, box, 'role')).toBe('alert');
    expect(attr(html, box, 'tabindex')).toBe('-1');
    expect(attr(html, /<a[^>]*>/, 'href')).toBe(`#${fieldId('x', 'email')}`);
    // The link is named by the field; its message is said once, beside the field.
    expect(html).toMatch(/<a[^>]*>\s*Adresse email\s*<\/a>/);
    expect(html).not.toContain('Adresse invalide');
  });

  it('titles the summary with the form’s alert, or shows the alert alone when no field is in error', async () => {
    const container = await AstroContainer.create();
    const render = (errors: Record<string, string>) =>
      container.renderToString(ErrorSummary, {
        locals,
        props: { errors, labels: { email: 'Adresse email' }, idPrefix: 'x', alert: 'Trop de tentatives.' },
      });
    const listed = await render({ email: 'Adresse invalide' });
    expect(listed).toMatch(/data-error-summary[^>]*>\s*<p>Trop de tentatives\.<\/p>/);
    const alone = await render({});
    expect(alone).toMatch(/<div class="alert" role="alert" tabindex="-1" data-error-summary>\s*Trop de tentatives\./);
    expect(alone).not.toContain('<ul');
    const nothing = await container.renderToString(ErrorSummary, { locals, props: { errors: {}, labels: {} } });
    expect(nothing).not.toContain('role="alert"');
  });
});

describe('instants', () => {
  it('show the time in Paris, say so in their title, and keep the instant in `datetime`', async () => {
    const container = await AstroContainer.create();
    const at = '2026-12-06T23:30:00.000Z';
    const html = await container.renderToString(DateTime, { locals, props: { at } });
    expect(html).toBe(`<time datetime="${at}" title="Heure de Paris">7 déc. 2026, 00:30</time>`);
    const en = await container.renderToString(DateTime, {
      locals: { locale: 'en' } as App.Locals,
      props: { at: '2026-07-06T23:30:05.000Z', dateStyle: 'short', timeStyle: 'medium' },
    });
    expect(en).toContain('title="Paris time">07/07/2026, 01:30:05</time>');
  });
});

describe('data tables', () => {
  it('name their heads by message under one prefix, figures right-aligned', () => {
    expect(columnsOf('fr', 'emails.col', ['written', { key: 'attempts', num: true }])).toEqual([
      'Écrit le (heure de Paris)',
      { label: 'Essais', num: true },
    ]);
  });

  it('name each cell of a stacked table by its column, the same way on every row', async () => {
    const body =
      '<tr data-x="1"><th scope="row">Ana</th><td>Demande</td><td class="num">3</td></tr>\n<tr><th scope="row">Léo</th><td>Qualifié</td><td>—</td></tr>';
    const labelled = labelCells(body, ['Famille', 'Étape', 'Score "A&B"']);
    expect(labelled.match(/data-label="[^"]*"/g)).toEqual([
      'data-label="Famille"',
      'data-label="Étape"',
      'data-label="Score &quot;A&amp;B&quot;"',
      'data-label="Famille"',
      'data-label="Étape"',
      'data-label="Score &quot;A&amp;B&quot;"',
    ]);
    expect(labelled).toContain('<td data-label="Score &quot;A&amp;B&quot;" class="num"><div class="cell">3</div></td>');
    expect(labelled).toContain('<th data-label="Famille" scope="row">Ana</th>');
    // An attribute value holding markup (Astro escapes only & and " there) stays inside its tag.
    const hostile =
      '<tr><th scope="row"><a title="</td><td><img src=x onerror=alert(1)>">Ana</a></th><td>1 > 0</td></tr>';
    expect(labelCells(hostile, ['Famille', 'Étape'])).toBe(
      '<tr><th data-label="Famille" scope="row"><a title="</td><td><img src=x onerror=alert(1)>">Ana</a></th><td data-label="Étape"><div class="cell">1 > 0</div></td></tr>',
    );
    const container = await AstroContainer.create();
    const html = await container.renderToString(DataTable, {
      locals,
      props: { labelledby: 't', columns: ['Famille', 'Étape'], stacked: true },
      slots: { default: '<tr><th scope="row">Ana</th><td>Demande</td></tr>' },
    });
    expect(html).toMatch(/class="table-wrap stacked"/);
    expect(html).toContain('<td data-label="Étape"><div class="cell">Demande</div></td>');
    const plain = await container.renderToString(DataTable, {
      locals,
      props: { labelledby: 't', columns: ['Famille', 'Étape'] },
      slots: { default: '<tr><th scope="row">Ana</th><td>Demande</td></tr>' },
    });
    expect(plain).not.toContain('data-label');
  });

  it('shows more of a long list up to the most a page shows, then only the count', async () => {
    const container = await AstroContainer.create();
    const render = (shown: number, total: number) =>
      container.renderToString(ShowMore, {
        locals,
        request: new Request('https://cc.test/agent/offres/3?ok=saved&tri=recent'),
        props: { param: 'historique', shown, total, step: 50 },
      });
    const first = await render(50, 60);
    expect(attr(first, /<a[^>]*>/, 'href')).toBe('/agent/offres/3?tri=recent&amp;historique=100#historique');
    expect(first).toContain('10');
    expect(await render(60, 60)).not.toContain('show-more');
    // At the most a page shows, no link that would give the same page again.
    const last = await render(2_000, 2_100);
    expect(last).toContain('show-more');
    expect(last).not.toContain('<a');
    expect(last).toMatch(/2\s?000/);
  });
});
