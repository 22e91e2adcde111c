// /agent/agenda: a staff member subscribes a calendar to their tasks and stays (the feed of
// src/server/calendar/feeds.ts). The secret URL is shown once, in the answer to the post
// that made it; after that the page only says since when a link is active.
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { accounts } from '../../server/auth.ts';
import { createFeed, feedCreatedAt, feedPath, revokeFeed } from '../../server/calendar/feeds.ts';
import { db } from '../../server/db.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { field, readForm, submitForm } from '../../server/http/form.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render, type Outcome } from '../../server/http/respond.ts';
import { t } from '../../i18n/index.ts';

export interface CalendarPageView {
  /** When the active link was made, if there is one. */
  activeSince: string | null;
  /** The link just made: https:// to copy, webcal:// to open in a calendar app. */
  created: { url: string; webcal: string } | null;
  notice?: string;
  alert?: string;
}

const PATH = '/agent/agenda';

export async function calendarPage(rc: RequestContext): Promise<Outcome<CalendarPageView>> {
  const user = requireStaff(rc);
  const locale = rc.locals.locale;
  const view = async (extra: Partial<CalendarPageView> = {}): Promise<CalendarPageView> => ({
    activeSince: await feedCreatedAt(db, user.id),
    created: null,
    ...extra,
  });
  if (!isPost(rc)) {
    const ok = okAfterRedirect(rc);
    return render(await view({ notice: ok === 'revoque' ? t(locale, 'calendar.revoked') : undefined }));
  }
  const form = await readForm(rc.request);
  const intent = field(form, 'intent');
  const r = await submitForm(rc, form, async () => {
    if (intent === 'create') return { token: await createFeed(db, accounts.clock, user) };
    if (intent === 'revoke') return { token: null, revoked: await revokeFeed(db, user) };
    throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
  });
  if (!r.ok) return render(await view({ alert: r.state.alert }), r.status, r.headers);
  if (!r.value.token) return redirect(`${PATH}?ok=revoque`, 303);
  const url = `${PUBLIC_SITE_URL.replace(/\/$/, '')}${feedPath(r.value.token)}`;
  return render(await view({ created: { url, webcal: url.replace(/^https?:/, 'webcal:') } }), 200);
}
