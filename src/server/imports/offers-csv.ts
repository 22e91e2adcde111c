// An offers CSV: homes and tiers-lieux typed in a spreadsheet from the template (French or
// English headers, both read), each row checked by the back office's own form (`columnsOf`:
// HomeSchema or TiersLieuSchema, a commune of the chosen territory, a point near it) and
// created as a draft of that territory. All or nothing (one invalid row refuses the file) or
// row by row (the valid rows are created, the others reported with line, column and reason).
import type { Db, Tx } from '../../../db/client.ts';
import { offerEnums as e, territories } from '../../../db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { csvText } from '../../lib/csv.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid } from '../errors.ts';
import { columnsOf, insertDraft, refreshAround, type CheckedDraft, type PlaceRule } from '../offers/manage.ts';
import { actsIn, mayImport } from '../policy.ts';
import { typedIn } from '../input.ts';
import { headerKey } from './csv-stream.ts';
import { problemsOf, runStagedImport, type RowProblem, type RowReader, type StagedImportReport } from './staged.ts';

type Kind = 'home' | 'tiers_lieu';
/** What a column takes: a closed list of codes, or a format (the template's documentation). */
export type ColumnFormat = readonly string[] | 'text' | 'number' | 'decimal' | 'date' | 'yes_no' | 'url' | 'commune';

export interface OfferCsvColumn {
  field: string;
  fr: string;
  en: string;
  /** The kinds of offer it describes (a value for another kind is refused). */
  kinds: readonly Kind[];
  required?: boolean;
  format: ColumnFormat;
}

const both = ['home', 'tiers_lieu'] as const;
const home = ['home'] as const;
const tiersLieu = ['tiers_lieu'] as const;
const kindValues: Record<string, Kind> = { logement: 'home', home: 'home', tiers_lieu: 'tiers_lieu' };

/** The template's columns, in its order: the offer form's fields, one per column. */
export const OFFER_CSV_COLUMNS: readonly OfferCsvColumn[] = [
  { field: 'kind', fr: 'type', en: 'kind', kinds: both, required: true, format: ['logement', 'tiers-lieu'] },
  { field: 'title', fr: 'titre', en: 'title', kinds: both, required: true, format: 'text' },
  { field: 'commune', fr: 'commune', en: 'commune', kinds: both, required: true, format: 'commune' },
  { field: 'description', fr: 'description', en: 'description', kinds: both, format: 'text' },
  { field: 'titleEn', fr: 'titre_anglais', en: 'title_english', kinds: both, format: 'text' },
  { field: 'address', fr: 'adresse', en: 'address', kinds: both, format: 'text' },
  { field: 'lat', fr: 'latitude', en: 'latitude', kinds: both, format: 'decimal' },
  { field: 'lng', fr: 'longitude', en: 'longitude', kinds: both, format: 'decimal' },
  {
    field: 'locationPrecision',
    fr: 'position_publique',
    en: 'public_position',
    kinds: both,
    format: e.locationPrecisions,
  },
  { field: 'price', fr: 'prix', en: 'price', kinds: both, format: 'number' },
  { field: 'transaction', fr: 'transaction', en: 'transaction', kinds: home, format: e.transactions },
  { field: 'homeType', fr: 'type_logement', en: 'home_type', kinds: home, format: e.homeTypes },
  { field: 'surface', fr: 'surface_m2', en: 'surface_m2', kinds: home, format: 'number' },
  { field: 'landArea', fr: 'terrain_m2', en: 'land_m2', kinds: home, format: 'number' },
  { field: 'rooms', fr: 'pieces', en: 'rooms', kinds: home, format: 'number' },
  { field: 'bedrooms', fr: 'chambres', en: 'bedrooms', kinds: home, format: 'number' },
  { field: 'energyClass', fr: 'classe_energie', en: 'energy_class', kinds: home, format: e.energyClasses },
  { field: 'availableFrom', fr: 'disponible_le', en: 'available_from', kinds: home, format: 'date' },
  { field: 'typology', fr: 'typologie', en: 'typology', kinds: tiersLieu, format: e.tiersLieuTypologies },
  { field: 'desks', fr: 'postes', en: 'desks', kinds: tiersLieu, format: 'number' },
  { field: 'meetingRooms', fr: 'salles_reunion', en: 'meeting_rooms', kinds: tiersLieu, format: 'number' },
  { field: 'priceDay', fr: 'prix_jour', en: 'price_day', kinds: tiersLieu, format: 'number' },
  { field: 'openingHours', fr: 'horaires', en: 'opening_hours', kinds: tiersLieu, format: 'text' },
  { field: 'website', fr: 'site_web', en: 'website', kinds: tiersLieu, format: 'url' },
  {
    field: 'wheelchairAccessible',
    fr: 'accessible_fauteuil',
    en: 'wheelchair_accessible',
    kinds: tiersLieu,
    format: 'yes_no',
  },
  { field: 'bestTechnology', fr: 'technologie', en: 'technology', kinds: both, format: e.technologies },
  { field: 'downloadMbps', fr: 'debit_descendant_mbps', en: 'download_mbps', kinds: both, format: 'number' },
  { field: 'uploadMbps', fr: 'debit_montant_mbps', en: 'upload_mbps', kinds: both, format: 'number' },
  { field: 'fibreStatus', fr: 'fibre', en: 'fibre', kinds: both, format: e.fibreStatuses },
  { field: 'fibrePlannedAt', fr: 'fibre_prevue_le', en: 'fibre_planned_at', kinds: both, format: 'date' },
  { field: 'mobileCoverage', fr: 'couverture_mobile', en: 'mobile_coverage', kinds: both, format: e.mobileCoverages },
  {
    field: 'connectivitySource',
    fr: 'source_connexion',
    en: 'connectivity_source',
    kinds: both,
    format: e.connectivitySources,
  },
  {
    field: 'connectivityCheckedAt',
    fr: 'connexion_verifiee_le',
    en: 'connectivity_checked_at',
    kinds: both,
    format: 'date',
  },
];

const byKey = new Map<string, OfferCsvColumn>();
for (const c of OFFER_CSV_COLUMNS) for (const name of [c.fr, c.en]) byKey.set(headerKey(name), c);

const yes = new Set(['oui', 'yes', 'o', 'y', '1', 'true', 'vrai', 'x']);
const no = new Set(['', 'non', 'no', 'n', '0', 'false', 'faux']);

/** The template: its header in one language, for spreadsheets (BOM; `;` in French as Excel expects it). */
export function offersTemplate(language: 'fr' | 'en'): string {
  const separator = language === 'fr' ? ';' : ',';
  return `\uFEFF${OFFER_CSV_COLUMNS.map((c) => csvText(c[language])).join(separator)}\r\n`;
}

export interface OffersImportMeta {
  fileName: string;
  /** The territory every offer of the file goes to: one of the importer's. */
  territory: string;
  mode: 'all' | 'rows';
  /** The importer; null: the command line (every territory). */
  byUser: SessionUser | null;
  onProgress?: (rows: number) => void;
  onStart?: (importId: number) => void;
}

export async function importOffersCsv(
  db: Db,
  clock: Clock,
  bytes: AsyncIterable<Uint8Array>,
  meta: OffersImportMeta,
): Promise<StagedImportReport> {
  if (meta.byUser && !(mayImport(meta.byUser) && actsIn(meta.byUser, meta.territory))) throw new Forbidden();
  const [territory] = await db
    .select({ code: territories.code })
    .from(territories)
    .where(eq(territories.code, meta.territory));
  if (!territory) throw new Invalid([{ field: 'territory', key: 'errors.unknown_territory' }]);
  const place: PlaceRule = {
    prefer: [territory.code],
    allows: (t) => t.code === territory.code,
    refusal: 'errors.offer_commune_outside',
  };
  let columns: OfferCsvColumn[] = [];
  let names: string[] = [];
  // Numbers are read as the file's header is written ("250,000" is a whole number in English,
  // none in French), not as the page that posted it.
  let language: 'fr' | 'en' = 'fr';
  const created: Array<{ id: number; kind: Kind }> = [];

  const reader: RowReader = {
    header(cells, line) {
      const found: OfferCsvColumn[] = [];
      for (const cell of cells) {
        const column = byKey.get(headerKey(cell));
        if (!column) return { line, column: cell || '—', message: 'unknown_column' };
        if (found.includes(column)) return { line, column: cell, message: 'duplicated_column' };
        found.push(column);
      }
      const missing = OFFER_CSV_COLUMNS.find((c) => c.required && !found.includes(c));
      if (missing) return { line, column: missing.fr, message: 'missing_column' };
      columns = found;
      names = cells;
      const english = found.filter((c, i) => headerKey(cells[i]!) === headerKey(c.en) && c.en !== c.fr).length;
      const french = found.filter((c, i) => headerKey(cells[i]!) === headerKey(c.fr) && c.en !== c.fr).length;
      language = english > french ? 'en' : 'fr';
      return null;
    },
    async row(cells) {
      const name = (field: string) => names[columns.findIndex((c) => c.field === field)] ?? field;
      if (cells.length > columns.length) return { problems: [{ column: '—', message: 'extra_cells' }] };
      const values = Object.fromEntries(columns.map((c, i) => [c.field, (cells[i] ?? '').trim()]));
      const kind = kindValues[headerKey(values.kind ?? '')];
      if (!kind) return { problems: [{ column: name('kind'), message: 'errors.invalid_choice' }] };
      const problems: RowProblem[] = [];
      for (const c of columns)
        if (values[c.field] && !c.kinds.includes(kind))
          problems.push({ column: name(c.field), message: 'not_for_kind' });
      const accessible = values.wheelchairAccessible?.toLowerCase();
      if (accessible !== undefined && !yes.has(accessible) && !no.has(accessible))
        problems.push({ column: name('wheelchairAccessible'), message: 'errors.invalid_choice' });
      if (problems.length) return { problems };
      const input = { ...values, wheelchairAccessible: accessible && yes.has(accessible) ? 'yes' : '' };
      try {
        const checked = await typedIn(language, () => columnsOf(db, place, kind, input));
        const draft: CheckedDraft = {
          columns: checked.columns,
          communeName: checked.commune.name,
          centre: checked.centre,
        };
        return { data: { ...draft } };
      } catch (error) {
        if (error instanceof Invalid) return { problems: problemsOf(error, name) };
        throw error;
      }
    },
  };

  const byUserId = meta.byUser?.id ?? null;
  const report = await runStagedImport(
    db,
    clock,
    bytes,
    {
      kind: 'offers_csv',
      fileName: meta.fileName,
      mode: meta.mode,
      territoryCode: territory.code,
      byUserId,
      onProgress: meta.onProgress,
      onStart: meta.onStart,
    },
    reader,
    async (tx: Tx, data, now) => {
      const draft = data as unknown as CheckedDraft;
      created.push({ id: await insertDraft(tx, now, byUserId, draft), kind: draft.columns.kind });
      return 'created';
    },
  );
  // A new home's nearest tiers-lieu, as the form's creation computes it.
  for (const offer of created) await refreshAround(db, offer, null);
  return report;
}
