// /communes/{insee}-{slug}: a commune's page, and its fibre alert form (posted here from the
// commune page and from an offer without fibre). A former commune's code or a wrong slug
// redirects to the canonical address. Rules in src/server/places/commune-page.ts and
// src/server/family/fibre-alerts.ts.
import { nearbyWork } from '../server/opportunities/queries.ts';
import { AROUND_KM } from '../server/places/commune-page.ts';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../server/db.ts';
import { systemClock } from '../server/clock.ts';
import { NotFound } from '../server/errors.ts';
import { clientIp, isPost, okAfterRedirect, type RequestContext } from '../server/http/context.ts';
import { emptyState, readForm, submitForm } from '../server/http/form.ts';
import { redirect, render } from '../server/http/respond.ts';
import { communePage, resolveCommunePage, type CommunePage } from '../server/places/commune-page.ts';
import { openThresholds, subscribeFibreAlert, type SubscribeOutcome } from '../server/family/fibre-alerts.ts';
import { communePath } from '../server/places/links.ts';
import type { FormState } from '../server/http/form.ts';
import { localizedPath } from '../i18n/index.ts';
import { slugify } from '../lib/text.ts';

export interface CommuneViewData extends CommunePage {
  /** The nearest jobs and businesses within AROUND_KM (issue 16). */
  work: Awaited<ReturnType<typeof nearbyWork>>;
  alert: { state: FormState; open: ReturnType<typeof openThresholds>; done: SubscribeOutcome | null };
}

export async function communeRoute(rc: RequestContext, ref: string) {
  const m = /^([0-9AB]{5})(?:-(.*))?$/i.exec(ref);
  if (!m) throw new NotFound('commune');
  const commune = await resolveCommunePage(db, m[1]!.toUpperCase());
  const canonical = localizedPath(communePath(commune), rc.locals.locale);
  if (m[1] !== commune.code || m[2] !== slugify(commune.name)) return redirect(canonical, isPost(rc) ? 308 : 301);

  let state = emptyState();
  let status = 200;
  let headers: Record<string, string> | undefined;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, (input) =>
      subscribeFibreAlert(
        { db, clock: systemClock, siteUrl: PUBLIC_SITE_URL },
        { user: rc.locals.user ?? null, ip: clientIp(rc), locale: rc.locals.locale },
        commune,
        input,
      ),
    );
    if (r.ok) return redirect(`${canonical}?ok=${r.value}#alerte`, 303);
    ({ state, status, headers } = r);
  }
  const [data, work] = await Promise.all([
    communePage(db, commune),
    nearbyWork(db, {
      point: commune.lat !== null && commune.lng !== null ? { lat: commune.lat, lng: commune.lng } : null,
      km: AROUND_KM,
    }),
  ]);
  const done = okAfterRedirect(rc);
  const view: CommuneViewData = {
    ...data,
    work: commune.lat === null ? { jobs: [], businesses: [] } : work,
    alert: {
      state,
      open: openThresholds(data.coverage?.ftthShare),
      done: done === 'subscribed' || done === 'check_mailbox' ? done : null,
    },
  };
  return render(view, status, headers);
}
