// /projet: the relocation-project form. GET shows it (pre-filled from ?offre=), POST files
// the enquiry; errors come back next to each field with what was typed.
import type { AstroGlobal } from 'astro';
import { RateLimited } from '../../server/accounts/commands.ts';
import { accounts } from '../../server/auth.ts';
import { createEnquiry, enquiryErrors } from '../../server/candidates/enquiry.ts';
import { db } from '../../server/db.ts';
import { Invalid, type FieldError } from '../../server/errors.ts';
import { getPublishedOffer } from '../../server/offers/queries.ts';
import { listTerritories, resolveCommune, type TerritorySummary } from '../../server/places/queries.ts';
import { t } from '../../i18n/index.ts';
import { readForm } from '../auth/form.ts';

export interface ProjectView {
  status: number;
  retryAfter?: number;
  values: Record<string, string | string[]>;
  errors: Record<string, string>;
  alert?: string;
  done?: { email: string };
  territories: TerritorySummary[];
}

const keep = (form: Record<string, string | string[]>) =>
  Object.fromEntries(Object.entries(form).filter(([k]) => k !== 'consent'));

export async function projectPage(astro: AstroGlobal): Promise<ProjectView> {
  const locale = astro.locals.locale;
  const territories = await listTerritories(db);
  if (astro.request.method !== 'POST') {
    const values: Record<string, string | string[]> = {};
    const offerId = astro.url.searchParams.get('offre');
    if (offerId && /^\d{1,9}$/.test(offerId)) {
      const offer = await getPublishedOffer(db, Number(offerId)).catch(() => null);
      if (offer) Object.assign(values, { wishedTerritories: [offer.territoryCode], wishedCommunes: offer.communeName });
    }
    if (astro.locals.user) Object.assign(values, { name: astro.locals.user.name, email: astro.locals.user.email });
    return { status: 200, values, errors: {}, territories };
  }

  const form = await readForm(astro.request);
  const values = keep(form);
  const fieldErrors = (errors: FieldError[]) =>
    Object.fromEntries(errors.map((e) => [e.field, t(locale, e.key, { value: e.value ?? '', ...e.params })]));
  // Communes are typed by name ("Auch, Mauvezin"); the file stores their INSEE codes.
  const communeNames = (typeof form.wishedCommunes === 'string' ? form.wishedCommunes : '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const wishedTerritories = ([] as string[]).concat(form.wishedTerritories ?? []);
  const codes: string[] = [];
  const errors: FieldError[] = [];
  for (const name of communeNames.slice(0, 10)) {
    try {
      codes.push((await resolveCommune(db, name, 'wishedCommunes', wishedTerritories)).code);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      if (!errors.length) errors.push(...error.errors);
    }
  }
  // Every error at once: the communes' and the form's.
  errors.push(
    ...enquiryErrors({ ...form, wishedCommunes: codes, locale }).filter(
      (e) => !errors.some((x) => x.field === e.field),
    ),
  );
  if (errors.length)
    return { status: 400, values, errors: fieldErrors(errors), alert: t(locale, 'form.errors'), territories };
  let ip = 'unknown';
  try {
    ip = astro.clientAddress;
  } catch {
    // not known behind some proxies
  }
  try {
    await createEnquiry(
      { db, clock: accounts.clock, siteUrl: accounts.siteUrl },
      { ...form, wishedCommunes: codes, locale },
      ip,
    );
  } catch (error) {
    if (error instanceof Invalid)
      return { status: 400, values, errors: fieldErrors(error.errors), alert: t(locale, 'form.errors'), territories };
    if (error instanceof RateLimited)
      return {
        status: 429,
        retryAfter: error.retryAfter,
        values,
        errors: {},
        alert: t(locale, 'errors.rate_limited', { minutes: Math.ceil(error.retryAfter / 60) }),
        territories,
      };
    throw error;
  }
  return {
    status: 200,
    values: {},
    errors: {},
    done: {
      email: String(form.email ?? '')
        .trim()
        .toLowerCase(),
    },
    territories,
  };
}
