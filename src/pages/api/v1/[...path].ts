// /api/v1/* — the open-data API: every path, method and error through one router (src/server/api/).
import type { APIRoute } from 'astro';
import { createApi } from '../../../server/api/router.ts';
import { systemClock } from '../../../server/clock.ts';
import { db } from '../../../server/db.ts';
import { clientIp } from '../../../server/http/context.ts';

const api = createApi(db, systemClock);

export const ALL: APIRoute = (ctx) => api.handle(ctx.request, clientIp(ctx));
