// /mise-en-relation?jeton=…: a candidate family answers an introduction to an ambassador
// without signing in (decision 024). GET shows who the ambassador is — never a contact — and
// the two buttons (mail scanners follow links); POST answers, and the link stops working.
import { accounts } from '../../server/auth.ts';
import { answerByToken, introductionByToken } from '../../server/ambassadors/introductions.ts';
import { db } from '../../server/db.ts';
import { isPost, type RequestContext } from '../../server/http/context.ts';
import { field, readForm, submitForm } from '../../server/http/form.ts';
import { render } from '../../server/http/respond.ts';

export interface IntroductionPage {
  token: string;
  introduction: Awaited<ReturnType<typeof introductionByToken>>;
  done: 'accepted' | 'declined' | null;
  alert?: string;
}

const ctx = { db, clock: accounts.clock, siteUrl: accounts.siteUrl };

export async function introductionPage(rc: RequestContext) {
  let token = rc.url.searchParams.get('jeton') ?? '';
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    token = field(form, 'jeton');
    const r = await submitForm(rc, form, () => answerByToken(ctx, token, form), { gone: 'introduction.unknown' });
    if (r.ok)
      return render<IntroductionPage>({
        token: '',
        introduction: null,
        done: field(form, 'answer') === 'accepted' ? 'accepted' : 'declined',
      });
    const introduction = await introductionByToken(db, token, accounts.clock.now());
    return render<IntroductionPage>(
      { token: introduction ? token : '', introduction, done: null, alert: r.state.alert },
      r.status,
    );
  }
  const introduction = await introductionByToken(db, token, accounts.clock.now());
  return render<IntroductionPage>(
    { token: introduction ? token : '', introduction, done: null },
    introduction ? 200 : 404,
  );
}
