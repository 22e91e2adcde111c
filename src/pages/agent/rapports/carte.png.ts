// GET /agent/rapports/carte.png?territoire=…&v=…: the background of a report's map.
import type { APIRoute } from 'astro';
import { endpoint } from '../../../server/http/respond.ts';
import { reportMapImage } from '../../../views/agent/reports.ts';

export const GET: APIRoute = (ctx) => endpoint(ctx, reportMapImage);
