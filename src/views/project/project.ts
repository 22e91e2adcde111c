// /projet: the relocation-project form. GET shows it (pre-filled from ?offre=), POST files
// the enquiry; errors come back next to each field with what was typed.
import { accounts } from '../../server/auth.ts';
import { createEnquiry, enquiryErrors } from '../../server/candidates/enquiry.ts';
import { db } from '../../server/db.ts';
import { Invalid, type FieldError } from '../../server/errors.ts';
import { clientIp, isPost, type RequestContext } from '../../server/http/context.ts';
import { field, fieldList, readForm, submitForm, type FormFields } from '../../server/http/form.ts';
import { redirect, render, type Outcome } from '../../server/http/respond.ts';
import { familyFile } from '../../server/candidates/family.ts';
import { parseId } from '../../server/input.ts';
import { getPublishedOffer } from '../../server/offers/queries.ts';
import { workDetail } from '../../server/opportunities/queries.ts';
import { resolveCommuneList } from '../../server/places/queries.ts';
import { localizedPath } from '../../i18n/index.ts';
import { territoriesWithSettings, type Territory } from '../../server/places/territories.ts';

export interface ProjectView {
  values: Record<string, string | string[]>;
  errors: Record<string, string>;
  alert?: string;
  done?: { email: string };
  /** With what their administrators set: presentation and first-answer promise. */
  territories: Territory[];
}

/** What was typed, to fill the form again: everything but the consent box. */
const keep = (form: FormFields) => Object.fromEntries(Object.entries(form).filter(([k]) => k !== 'consent'));

/** Communes are typed by name ("Auch, Mauvezin"); the file stores their INSEE codes. Every error at once. */
async function enquiryInput(form: FormFields, locale: string) {
  const wishedTerritories = fieldList(form, 'wishedTerritories');
  // One field in the form; posted several times (a script), every value is read, none dropped.
  const communes = await resolveCommuneList(db, fieldList(form, 'wishedCommunes').join(', '), 'wishedCommunes', {
    prefer: wishedTerritories,
  });
  const errors: FieldError[] = communes.error ? [communes.error] : [];
  const input = { ...form, wishedCommunes: communes.codes, locale };
  errors.push(...enquiryErrors(input).filter((e) => !errors.some((x) => x.field === e.field)));
  if (errors.length) throw new Invalid(errors);
  return input;
}

export async function projectPage(rc: RequestContext): Promise<Outcome<ProjectView>> {
  const territories = await territoriesWithSettings(db);
  // "My project" for a family whose file is open is that file, not a new enquiry.
  const current = rc.locals.user ? await familyFile(db, rc.locals.user) : null;
  if (!isPost(rc) && current && current.stage !== 'withdrawn')
    return redirect(`${localizedPath('/compte', rc.locals.locale)}#dossier`);
  if (!isPost(rc)) {
    const values: Record<string, string | string[]> = {};
    const offerId = parseId(rc.url.searchParams.get('offre'));
    if (offerId) {
      const offer = await getPublishedOffer(db, offerId).catch(() => null);
      if (offer)
        Object.assign(values, {
          wishedTerritories: [offer.territoryCode],
          wishedCommunes: offer.communeName,
          offer: String(offer.id),
        });
    }
    // "Contact through the agent" from a job's or a business's page.
    const workId = parseId(rc.url.searchParams.get('emploi') ?? rc.url.searchParams.get('reprise'));
    if (workId) {
      const kind = rc.url.searchParams.has('emploi') ? 'job' : 'business';
      const item = await workDetail(db, kind, workId).catch(() => null);
      if (item)
        Object.assign(values, {
          wishedTerritories: [item.territoryCode],
          wishedCommunes: item.communeName,
          opportunity: String(item.id),
          // What the partner wishes follows from the page they come from; they may change it.
          partnerWish: kind === 'job' ? 'local_job' : 'take_over',
        });
    }
    if (rc.locals.user) Object.assign(values, { name: rc.locals.user.name, email: rc.locals.user.email });
    return render({ values, errors: {}, territories });
  }
  const form = await readForm(rc.request);
  const r = await submitForm(rc, form, async () => {
    const input = await enquiryInput(form, rc.locals.locale);
    await createEnquiry({ db, clock: accounts.clock, siteUrl: accounts.siteUrl }, input, clientIp(rc));
  });
  if (!r.ok)
    return render(
      { values: keep(form), errors: r.state.errors, alert: r.state.alert, territories },
      r.status,
      r.headers,
    );
  return render({ values: {}, errors: {}, done: { email: field(form, 'email').trim().toLowerCase() }, territories });
}
