// GET /compte/donnees.json: "download my data" — everything held about the signed-in account.
import type { APIRoute } from 'astro';
import { accounts } from '../../server/auth.ts';
import { exportFamilyData } from '../../server/candidates/family.ts';
import { db } from '../../server/db.ts';

export const GET: APIRoute = async ({ locals, redirect }) => {
  if (!locals.user) return redirect('/connexion?retour=/compte', 302);
  const now = accounts.clock.now();
  const data = await exportFamilyData(db, locals.user, now);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="campagne-connectee-${now.toISOString().slice(0, 10)}.json"`,
      'cache-control': 'no-store',
    },
  });
};
