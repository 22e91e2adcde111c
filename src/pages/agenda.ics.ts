// A staff member's calendar feed (src/server/calendar/feeds.ts): the token is the only key
// (calendar apps send no cookie); an unknown, ended or no longer allowed one is a 404.
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../server/db.ts';
import { feedCalendar } from '../server/calendar/feeds.ts';
import { systemClock } from '../server/clock.ts';

export const GET: APIRoute = async ({ url }) => {
  const token = url.searchParams.get('token') ?? '';
  const body = await feedCalendar(db, systemClock, token, PUBLIC_SITE_URL.replace(/\/$/, ''));
  if (body === null)
    return new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(body, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Cache-Control': 'private, no-store',
      'Content-Disposition': 'inline; filename="campagne-connectee.ics"',
    },
  });
};
