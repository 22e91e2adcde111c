// Read side of places: the territories the portal serves.
import { asc } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { territories } from '../../../db/schema/index.ts';

export interface TerritorySummary {
  code: string;
  name: string;
  accentColor: string;
}

export function listTerritories(db: Db): Promise<TerritorySummary[]> {
  return db
    .select({ code: territories.code, name: territories.name, accentColor: territories.accentColor })
    .from(territories)
    .orderBy(asc(territories.code));
}
