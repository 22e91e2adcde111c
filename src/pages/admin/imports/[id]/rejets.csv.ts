// GET /admin/imports/{id}/rejets.csv: the report of an import's rejected rows.
import type { APIRoute } from 'astro';
import { endpoint } from '../../../../server/http/respond.ts';
import { rejectionsCsv } from '../../../../views/admin/imports.ts';

export const GET: APIRoute = (ctx) => endpoint(ctx, (rc) => rejectionsCsv(rc, ctx.params.id));
