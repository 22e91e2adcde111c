// Column builders that several tables share, so that each kind of column is declared once.
// Pure builders: no table imports here (the tables import this module).
import { integer, text, type ReferenceConfig } from 'drizzle-orm/sqlite-core';

/** The integer primary key the database numbers. */
export const autoId = () => integer('id').primaryKey({ autoIncrement: true });

/** ISO 8601 instant the row was written. */
export const createdAt = () => text('created_at').notNull();

/** ISO 8601 instants the row was written and last changed. */
export const timestamps = () => ({ createdAt: createdAt(), updatedAt: text('updated_at').notNull() });

/** The row that owns this one (a file, an account, an offer): deleting the owner deletes it. */
export const ownerId = <N extends string>(name: N, owner: ReferenceConfig['ref']) =>
  integer(name).notNull().references(owner, { onDelete: 'cascade' });

/** A required code of the referential (region, department, commune, territory). */
export const codeOf = <N extends string>(name: N, target: ReferenceConfig['ref']) =>
  text(name).notNull().references(target);
