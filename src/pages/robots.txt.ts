// GET /robots.txt — everything public may be indexed; private areas and the API may not.
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';

export const GET: APIRoute = () =>
  new Response(
    [
      'User-agent: *',
      'Disallow: /agent',
      'Disallow: /admin',
      'Disallow: /compte',
      'Disallow: /en/compte',
      'Disallow: /api/',
      'Disallow: /photos/',
      '',
      `Sitemap: ${PUBLIC_SITE_URL.replace(/\/$/, '')}/sitemap.xml`,
      '',
    ].join('\n'),
    { headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
  );
