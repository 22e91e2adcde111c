// /dev/boite-mail: only outside production and only for platform admins; anyone else
// gets a plain 404 (the page does not exist for them).
import { devToolsEnabled } from '../server/auth.ts';
import { db } from '../server/db.ts';
import { NotFound } from '../server/errors.ts';
import type { RequestContext } from '../server/http/context.ts';
import { requireUser } from '../server/http/guards.ts';
import { render } from '../server/http/respond.ts';
import { parseId } from '../server/input.ts';
import { mayReadMailbox } from '../server/policy.ts';
import { listMailbox, readMailboxMessage } from '../server/mail/mailbox.ts';

export async function mailboxPage(rc: RequestContext, idParam?: string) {
  if (!devToolsEnabled) throw new NotFound('page');
  const user = requireUser(rc);
  if (!mayReadMailbox(user)) throw new NotFound('page');
  const id = idParam === undefined ? undefined : parseId(idParam);
  if (idParam !== undefined && id === undefined) throw new NotFound('message');
  const messages = await listMailbox(db, user);
  const message = id === undefined ? undefined : await readMailboxMessage(db, user, id);
  return render({ messages, message });
}
