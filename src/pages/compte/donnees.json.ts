// GET /compte/donnees.json: "download my data" — everything held about the signed-in account.
import type { APIRoute } from 'astro';
import { accounts } from '../../server/auth.ts';
import { exportFamilyData } from '../../server/candidates/family.ts';
import { db } from '../../server/db.ts';
import { requireUser } from '../../server/http/guards.ts';
import { endpoint } from '../../server/http/respond.ts';

export const GET: APIRoute = (ctx) =>
  endpoint(ctx, async (rc) => {
    const user = requireUser(rc);
    const now = accounts.clock.now();
    const data = await exportFamilyData(db, user, now, accounts.siteUrl);
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="campagne-connectee-${now.toISOString().slice(0, 10)}.json"`,
      },
    });
  });
