// /admin/emails: the emails the provider never took (refused, or failing for 72 h), for the
// administrators to see and send again. Rules in src/server/mail/undelivered.ts.
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { Forbidden, Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, readForm, submitForm } from '../../server/http/form.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId } from '../../server/input.ts';
import { listUndelivered, resendEmail } from '../../server/mail/undelivered.ts';
import { mayResendEmails } from '../../server/policy.ts';

export async function emailsPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  if (!mayResendEmails(user)) throw new Forbidden();
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(
      rc,
      form,
      async () => {
        if (form.intent !== 'resend') throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
        await resendEmail(db, systemClock, user, parseId(form.email) ?? 0);
      },
      { gone: 'errors.item_gone' },
    );
    if (r.ok) return redirect('/admin/emails?ok=resent', 303);
    ({ state, status } = r);
  }
  const emails = await listUndelivered(db, user);
  return render({ emails, state, resent: okAfterRedirect(rc) === 'resent' }, status);
}
