// Liveness/readiness for load balancers: 200 only when the database answers and every
// committed migration is applied, 503 otherwise.
import type { APIRoute } from 'astro';
import { db } from '../server/db.ts';
import { checkHealth, isHealthy } from '../server/health/queries.ts';

export const GET: APIRoute = async () => {
  const health = await checkHealth(db);
  return new Response(JSON.stringify(health), {
    status: isHealthy(health) ? 200 : 503,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
};
