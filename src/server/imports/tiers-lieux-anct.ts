// The ANCT's open data of tiers-lieux (mission Coworking, 2019: ID, NOM_TL, ADRESSE, INSEECOM,
// WEB, TYPO, LAT, LONG…): each row becomes a draft tiers-lieu for the territory's agents,
// through the same checks as the back office's form. An offer remembers its source and the
// file's ID (`offers.source`, `source_key`, unique), so a second import finds it again, and
// what the file said (`source_data`): only what the source changed since is written — into a
// draft directly, into a published offer's moderation queue (`proposed_changes`, approved by
// an agent as an owner's edit). A row the source did not change changes nothing.
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { offerEvents, offers, territories } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid } from '../errors.ts';
import {
  changedFields,
  columnsOf,
  editedRow,
  insertDraft,
  refreshAround,
  type CheckedDraft,
  type OfferColumns,
  type PlaceRule,
} from '../offers/manage.ts';
import { isTerritoryCode } from '../input.ts';
import { mayImport, territoryScope } from '../policy.ts';
import { communeCode, departmentOf } from './arcep-rate.ts';
import { headerKey } from './csv-stream.ts';
import { problemsOf, runStagedImport, type Applied, type RowReader, type StagedImportReport } from './staged.ts';

/** The file's columns the import reads, by the form field they fill (header keys as `headerKey` makes them). */
const COLUMNS = {
  key: 'id',
  title: 'nom_tl',
  address: 'adresse',
  commune: 'inseecom',
  website: 'web',
  typology: 'typo',
  lat: 'lat',
  lng: 'long',
  // A tenth of the rows have no commune code (INSEECOM 0): their commune's name, postcode, département.
  name: 'nomcom',
  typedName: 'cominit',
  postcode: 'cp',
  department: 'inseedep',
} as const;
type Field = keyof typeof COLUMNS;
const REQUIRED: Field[] = ['key', 'title', 'commune'];
/** Optional data the ANCT geocoded or typed loosely: dropped from a row rather than refusing it. */
const LOOSE = ['lat', 'lng', 'website', 'address'];

/** The columns the source speaks for; everything else (price, connectivity, description…) is the agents'. */
export const ANCT_FIELDS = [
  'title',
  'address',
  'website',
  'typology',
  'communeCode',
  'territoryCode',
  'lat',
  'lng',
  'locationPrecision',
] as const;

/** "www.x.fr" → "https://www.x.fr" (the file leaves the scheme out). */
const website = (v: string) => (v && !/^https?:\/\//i.test(v) ? `https://${v}` : v);
const typology = (v: string) => (/fablab/i.test(v) ? 'fablab' : /coworking/i.test(v) ? 'coworking' : '');

export interface AnctImportMeta {
  fileName: string;
  /** The importer: their territories; null (the command line, the demo seed): every territory. */
  byUser: SessionUser | null;
  mode?: 'all' | 'rows';
  onProgress?: (rows: number) => void;
  onStart?: (importId: number) => void;
}

export async function importAnctTiersLieux(
  db: Db,
  clock: Clock,
  bytes: AsyncIterable<Uint8Array>,
  meta: AnctImportMeta,
): Promise<StagedImportReport> {
  if (meta.byUser && !mayImport(meta.byUser)) throw new Forbidden();
  const scope = meta.byUser ? territoryScope(meta.byUser) : null;
  const inScope = new Set(
    (await db.select({ code: territories.code }).from(territories))
      .map((t) => t.code)
      .filter((code) => scope === null || scope.includes(code)),
  );
  const place: PlaceRule = { prefer: [], allows: (t) => inScope.has(t.code), refusal: 'errors.offer_commune_outside' };
  let at: Record<Field, number> | null = null;
  let names: string[] = [];
  const seen = new Set<string>();
  const touched: Array<{ id: number; before: typeof offers.$inferSelect | null }> = [];

  const reader: RowReader = {
    header(cells, line) {
      const keys = cells.map(headerKey);
      const dup = keys.find((k, i) => k !== '' && keys.indexOf(k) !== i);
      if (dup) return { line, column: dup, message: 'duplicated_column' };
      const found = Object.fromEntries(
        Object.entries(COLUMNS).map(([field, key]) => [field, keys.indexOf(key)]),
      ) as Record<Field, number>;
      const missing = REQUIRED.find((f) => found[f] < 0);
      if (missing) return { line, column: COLUMNS[missing].toUpperCase(), message: 'missing_column' };
      at = found;
      names = cells;
      return null;
    },
    async row(cells) {
      const cell = (f: Field) => (at![f] < 0 ? '' : (cells[at![f]] ?? '').trim());
      const column = (field: string) => (Object.hasOwn(COLUMNS, field) ? names[at![field as Field]] : null) ?? field;
      const code = communeCode(cell('commune'));
      const department = code ? departmentOf(code) : cell('department');
      // Another département's row is left aside before anything is said of it.
      if (isTerritoryCode(department) && !inScope.has(department)) return 'outside';
      const key = cell('key');
      if (!/^[\p{L}\p{N}_.-]{1,60}$/u.test(key))
        return { problems: [{ column: column('key'), message: 'invalid_key' }] };
      if (seen.has(key)) return { problems: [{ column: column('key'), message: 'duplicated_key' }] };
      seen.add(key);
      const name = cell('name') || cell('typedName');
      if (!code && !(isTerritoryCode(department) && name))
        return { problems: [{ column: column('commune'), message: 'invalid_code' }] };
      const postcode = cell('postcode');
      const input: Record<string, string> = {
        title: cell('title'),
        commune: code ?? (/^\d{5}$/.test(postcode) ? `${name} (${postcode})` : name),
        address: cell('address'),
        website: website(cell('website')),
        typology: typology(cell('typology')),
        lat: cell('lat'),
        lng: cell('lng'),
      };
      let checked;
      try {
        checked = await columnsOf(db, { ...place, prefer: [department] }, 'tiers_lieu', input);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const loose = error.errors.every((e) => LOOSE.includes(e.field));
        if (!loose) return { problems: problemsOf(error, column) };
        // A point is kept whole or not at all.
        const dropped = error.errors.map((e) => e.field);
        for (const field of dropped.some((f) => f === 'lat' || f === 'lng') ? [...dropped, 'lat', 'lng'] : dropped)
          delete input[field];
        try {
          checked = await columnsOf(db, { ...place, prefer: [department] }, 'tiers_lieu', input);
        } catch (again) {
          if (again instanceof Invalid) return { problems: problemsOf(again, column) };
          throw again;
        }
      }
      const draft: CheckedDraft = {
        columns: checked.columns,
        communeName: checked.commune.name,
        centre: checked.centre,
      };
      return { data: { key, ...draft } };
    },
  };

  const byUserId = meta.byUser?.id ?? null;
  const apply = async (tx: Tx, data: Record<string, unknown>, now: string): Promise<Applied> => {
    const { key, ...draft } = data as unknown as { key: string } & CheckedDraft;
    const said = Object.fromEntries(ANCT_FIELDS.map((f) => [f, draft.columns[f] ?? null]));
    const [offer] = await tx
      .select()
      .from(offers)
      .where(and(eq(offers.source, 'anct'), eq(offers.sourceKey, key)));
    if (!offer) {
      const id = await insertDraft(tx, now, byUserId, draft, { source: 'anct', sourceKey: key, sourceData: said });
      touched.push({ id, before: null });
      return 'created';
    }
    // What the source changed since the last import (agents' own edits stay).
    const changed = changedFields(said, offer.sourceData ?? {}).filter(
      (f) => changedFields({ [f]: said[f] }, offer).length,
    );
    if (!changed.length) {
      if (changedFields(said, offer.sourceData ?? {}).length)
        await tx.update(offers).set({ sourceData: said }).where(eq(offers.id, offer.id));
      return 'unchanged';
    }
    const online = offer.status === 'published' || offer.status === 'expired';
    if (online) {
      // Online, the offer stays as it is: the change waits for an agent, as an owner's edit does.
      const proposed = { ...(offer.proposedChanges ?? {}), ...Object.fromEntries(changed.map((f) => [f, said[f]])) };
      await tx
        .update(offers)
        .set({ proposedChanges: proposed, moderation: 'pending', sourceData: said, updatedAt: now })
        .where(eq(offers.id, offer.id));
      await tx.insert(offerEvents).values({ offerId: offer.id, kind: 'proposed', fields: changed, byUserId, at: now });
      return 'proposed';
    }
    const next = { ...offer, ...said } as unknown as OfferColumns;
    const { row } = editedRow(next, changed, draft.communeName, draft.centre);
    await tx
      .update(offers)
      .set({ ...row, sourceData: said, updatedAt: now })
      .where(eq(offers.id, offer.id));
    await tx.insert(offerEvents).values({ offerId: offer.id, kind: 'updated', fields: changed, byUserId, at: now });
    touched.push({ id: offer.id, before: offer });
    return 'updated';
  };

  const report = await runStagedImport(
    db,
    clock,
    bytes,
    {
      kind: 'tiers_lieux_anct',
      fileName: meta.fileName,
      source: 'ANCT, mission Coworking',
      mode: meta.mode ?? 'rows',
      byUserId,
      onProgress: meta.onProgress,
      onStart: meta.onStart,
    },
    reader,
    apply,
  );
  // Drafts count for no home's nearest tiers-lieu; kept true all the same, as the form does.
  for (const { id, before } of touched) await refreshAround(db, { id, kind: 'tiers_lieu' }, before);
  return report;
}
