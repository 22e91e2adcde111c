// /agent/ambassadeurs (decision 024): the territories' ambassadors and their stories to
// moderate — approve, ask for changes or reject, with a message emailed to the ambassador.
import { accounts } from '../../server/auth.ts';
import { moderateStory, staffAmbassadors, type ModerationDecision } from '../../server/ambassadors/ambassadors.ts';
import { db } from '../../server/db.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm } from '../../server/http/form.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { t } from '../../i18n/index.ts';

const ctx = { db, clock: accounts.clock, siteUrl: accounts.siteUrl };
const PATH = '/agent/ambassadeurs';

const decisions: Record<string, ModerationDecision> = { approve: 'approve', changes: 'changes', reject: 'reject' };
const notices = {
  approve: 'ambassadors.ok.approve',
  changes: 'ambassadors.ok.changes',
  reject: 'ambassadors.ok.reject',
} as const;

export async function ambassadorsPage(rc: RequestContext) {
  const user = requireStaff(rc);
  const locale = rc.locals.locale;
  let state = emptyState();
  let status = 200;
  let headers: Record<string, string> = {};
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent');
    const r = await submitForm(
      rc,
      form,
      async () => {
        if (!Object.hasOwn(decisions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
        await moderateStory(ctx, user, decisions[intent]!, form);
        return intent;
      },
      { gone: 'errors.item_gone' },
    );
    if (r.ok) return redirect(`${PATH}?ok=${r.value}`, 303);
    ({ state, status, headers } = r);
  }
  const data = await staffAmbassadors(db, user);
  const ok = okAfterRedirect(rc);
  const notice = ok && Object.hasOwn(notices, ok) ? t(locale, notices[ok as keyof typeof notices]) : undefined;
  return render({ ...data, errors: state.errors, values: state.values, alert: state.alert, notice }, status, headers);
}
