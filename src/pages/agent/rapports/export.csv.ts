// GET /agent/rapports/export.csv?table=…[&sep=pv]: one table of the report, for spreadsheets.
import type { APIRoute } from 'astro';
import { reportCsv } from '../../../views/agent/reports.ts';

export const GET: APIRoute = ({ url, locals }) => reportCsv(url, locals.user, locals.locale);
