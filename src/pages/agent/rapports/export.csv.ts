// GET /agent/rapports/export.csv?table=…[&sep=pv]: one table of the report, for spreadsheets.
import type { APIRoute } from 'astro';
import { endpoint } from '../../../server/http/respond.ts';
import { reportCsv } from '../../../views/agent/reports.ts';

export const GET: APIRoute = (ctx) => endpoint(ctx, reportCsv);
