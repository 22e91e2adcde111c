// /alertes/fibre?token=…: the fibre alert's confirmation and one-click end, without signing
// in. GET shows the alert and its buttons (mail scanners follow links); POST acts.
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { isPost, type RequestContext } from '../../server/http/context.ts';
import { readForm } from '../../server/http/form.ts';
import { render } from '../../server/http/respond.ts';
import {
  confirmFibreAlert,
  endFibreAlert,
  findFibreAlert,
  type FibreAlertView,
} from '../../server/family/fibre-alerts.ts';

export interface FibreAlertPage {
  token: string;
  alert: FibreAlertView | null;
  done: 'confirmed' | 'ended' | null;
}

const actions = {
  confirm: (token: string) => confirmFibreAlert(db, systemClock, token),
  end: (token: string) => endFibreAlert(db, token),
};

export async function fibreAlertPage(rc: RequestContext) {
  let token = rc.url.searchParams.get('token') ?? '';
  let done: FibreAlertPage['done'] = null;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    if (typeof form.token === 'string') token = form.token;
    const intent = typeof form.intent === 'string' && Object.hasOwn(actions, form.intent) ? form.intent : null;
    if (!intent) return render<FibreAlertPage>({ token: '', alert: null, done: null }, 400);
    const before = await findFibreAlert(db, token);
    if (!(await actions[intent as keyof typeof actions](token)))
      return render<FibreAlertPage>({ token: '', alert: null, done: null }, 400);
    done = intent === 'confirm' ? 'confirmed' : 'ended';
    if (done === 'ended') return render<FibreAlertPage>({ token: '', alert: before ?? null, done });
  }
  const alert = await findFibreAlert(db, token);
  return render<FibreAlertPage>({ token: alert ? token : '', alert: alert ?? null, done }, alert || done ? 200 : 400);
}
