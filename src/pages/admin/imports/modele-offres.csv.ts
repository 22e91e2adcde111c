// GET /admin/imports/modele-offres.csv[?langue=en]: the offers template (its header row).
import type { APIRoute } from 'astro';
import { endpoint } from '../../../server/http/respond.ts';
import { offersTemplateCsv } from '../../../views/admin/imports.ts';

export const GET: APIRoute = (ctx) => endpoint(ctx, offersTemplateCsv);
