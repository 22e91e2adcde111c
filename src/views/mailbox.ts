// /dev/boite-mail: only outside production and only for platform admins; anyone else
// gets a plain 404 (the page does not exist for them).
import type { AstroGlobal } from 'astro';
import { devToolsEnabled } from '../server/auth.ts';
import { db } from '../server/db.ts';
import { Forbidden, NotFound } from '../server/errors.ts';
import { listMailbox, readMailboxMessage } from '../server/mail/mailbox.ts';
import { signInUrl } from './auth/form.ts';

type MailboxResult =
  | { redirect: string }
  | { status: 404 }
  | {
      status: 200;
      messages: Awaited<ReturnType<typeof listMailbox>>;
      message?: Awaited<ReturnType<typeof readMailboxMessage>>;
    };

export async function mailboxPage(astro: AstroGlobal, idParam?: string): Promise<MailboxResult> {
  if (!devToolsEnabled) return { status: 404 };
  if (!astro.locals.user) return { redirect: signInUrl(astro) };
  try {
    const messages = await listMailbox(db, astro.locals.user);
    const id = idParam && /^\d{1,9}$/.test(idParam) ? Number(idParam) : undefined;
    if (idParam !== undefined && id === undefined) return { status: 404 };
    const message = id === undefined ? undefined : await readMailboxMessage(db, astro.locals.user, id);
    return { status: 200, messages, message };
  } catch (error) {
    if (error instanceof Forbidden || error instanceof NotFound) return { status: 404 };
    throw error;
  }
}
