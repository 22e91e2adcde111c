// Loads /impact (both locales).
import { db } from '../server/db.ts';
import { impactFigures } from '../server/reports/impact.ts';

export const loadImpact = () => impactFigures(db);
