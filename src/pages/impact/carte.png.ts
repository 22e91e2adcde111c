// GET /impact/carte.png?territoire=…&v=…: the background of a territory's map on /impact.
import type { APIRoute } from 'astro';
import { endpoint } from '../../server/http/respond.ts';
import { impactMapImage } from '../../views/impact.ts';

export const GET: APIRoute = (ctx) => endpoint(ctx, impactMapImage);
