// The published catalogue as typed arrays in this process's memory: what every public
// search filters, counts and sorts on (decision 019). SQLite stays the source of truth:
// the index is derived from it, checked against the catalogue version on every search,
// and brought up to date from the change log that triggers keep (migration 0036), so
// several processes on one database each keep their own exact copy. Cards are then read
// from SQLite by id: the index never holds a title or a description.
import { LRUCache } from 'lru-cache';
import type { Db } from '../../../db/client.ts';
import { catalogueVersion } from '../cache/page-cache.ts';
import { boundingBox, distanceKm, EARTH_RADIUS_KM, type Point } from '../places/geo.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';

/** Over this many changed offers, one whole rebuild is cheaper than reloading them one by one. */
const RELOAD_MAX = 5_000;
/**
 * Ids read per statement in a whole rebuild; the event loop breathes between them. At
 * 100 000 offers the longest pause was 133 ms with chunks of 10 000, 57 ms with these.
 */
const BUILD_CHUNK = 2_000;
/** Full-text answers kept (a common word's is 400 KB at 100 000 offers). */
const TEXTS_KEPT = 100;

const KINDS = ['home', 'tiers_lieu'] as const;
export type Kind = (typeof KINDS)[number];
const TRANSACTIONS = [null, 'rent', 'sale'] as const;
const SALE = TRANSACTIONS.indexOf('sale');
/** Above any price of the catalogue (the offer form caps prices far below). */
const PRICE_GROUP = 1e12;
/** 1 for a sale, 0 for a monthly price (a rent, a tiers-lieu's desk). */
const saleGroup = (c: { transaction: Uint8Array }, s: number) => (c.transaction[s] === SALE ? 1 : 0);
const MOBILE = { none: 0, '3g': 1, '4g': 2, '5g': 3 } as Record<string, number>;

/** What the index filters on; every field is optional, and all given ones must hold. */
export interface IndexFilter {
  territory?: string;
  /** The offer's commune, when a search names one without a radius. */
  commune?: string;
  /** Within `km` of `center` (the public point), bounds included. */
  circle?: { center: Point; km: number };
  /** Within a map's visible area (bounds included). */
  zone?: Box;
  transaction?: 'rent' | 'sale';
  fibre?: boolean;
  downloadMin?: number;
  uploadMin?: number;
  technology?: string;
  /** '4g': 4G or 5G; '5g': 5G only. */
  mobile?: '4g' | '5g';
  priceMin?: number;
  priceMax?: number;
  surfaceMin?: number;
  roomsMin?: number;
  tiersLieuKmMax?: number;
  /** Homes whose commune's nearest école is within this many km (daily life, from its centre). */
  schoolKmMax?: number;
  /** Offers whose text matches (ids from the full-text index). */
  textIds?: Int32Array;
  /** Published in (after, upTo], as epoch milliseconds. */
  publishedAfter?: number;
  publishedUpTo?: number;
}

export type IndexSort = 'recent' | 'prix' | 'prix-desc' | 'debit' | 'distance';

/** A sort key's value as a cursor carries it: the publication date as text, numbers, NULL. */
export type SortValue = string | number | null;

export interface IndexHit {
  id: number;
  /** From the search's centre, rounded to 100 m; null without a centre or a public point. */
  distanceKm: number | null;
  /** The row's sort values, for a cursor. */
  keys: SortValue[];
}

export interface IndexResult {
  hits: IndexHit[];
  /** Matches per kind, with every filter but the kind. */
  counts: Record<Kind, number>;
  /** Whether more matches follow the hits. */
  more: boolean;
}

export interface IndexQuery {
  filter: IndexFilter;
  /** The kind listed (the counts cover both). */
  kind?: Kind;
  sort: IndexSort;
  /** Distances are measured from here, for the cards and the distance sort. */
  center?: Point;
  /** Offset paging… */
  offset?: number;
  /** …or keyset paging: the rows strictly after these sort values. */
  after?: SortValue[];
  limit: number;
}

/** A wrong cursor: it does not belong to the search's order. */
export class CursorMismatch extends Error {}

const nan = (v: unknown) => (v === null || v === undefined ? Number.NaN : Number(v));

interface Box {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/** Both boxes' common part (an empty one when they do not meet: it matches nothing). */
function intersect(a: Box | null, b: Box | null): Box | null {
  if (!a || !b) return a ?? b;
  return {
    minLat: Math.max(a.minLat, b.minLat),
    maxLat: Math.min(a.maxLat, b.maxLat),
    minLng: Math.max(a.minLng, b.minLng),
    maxLng: Math.min(a.maxLng, b.maxLng),
  };
}

/** Above this area (square degrees, 2 500 cells), a box search scans the whole index. */
const MAX_WALKED_DEGREES2 = 25;

/**
 * Map cells of CELL_DEGREES × CELL_DEGREES (about 11 × 8 km in France): a radius search
 * walks the cells its box covers, the nearest offers the rings of cells around a point.
 */
const CELL_DEGREES = 0.1;
const cellIndex = (degrees: number, offset: number) => Math.floor((degrees + offset) / CELL_DEGREES);
/** A cell's key from its rows and columns, numbered from 1 (0: no point). */
const cellKey = (y: number, x: number) => y * 4000 + x + 1;
const cellOf = (lat: number, lng: number) =>
  lat === lat && lng === lng ? cellKey(cellIndex(lat, 90), cellIndex(lng, 180)) : 0;
/** The rows and columns of the cells a box covers. */
const cellsOf = (box: Box) => ({
  south: cellIndex(box.minLat, 90),
  north: cellIndex(box.maxLat, 90),
  west: cellIndex(box.minLng, 180),
  east: cellIndex(box.maxLng, 180),
});

/**
 * Sets of slots by key (a territory, a commune, a map cell), each a list of its slots,
 * kept as slots move: a search reads only its sets' members (a bit set of every slot per
 * key cost a walk of 3 000 words per set at 100 000 offers, however few it held).
 */
class SlotSets {
  private lists = new Map<number, { items: Int32Array; size: number }>();
  /** Each slot's place in the list of its key (a slot belongs to one key at most). */
  private at = new Int32Array(0);

  resize(capacity: number): void {
    const wider = new Int32Array(capacity);
    wider.set(this.at);
    this.at = wider;
  }

  /** The slot leaves the set of `from` and joins that of `to` (0: none). */
  move(slot: number, from: number, to: number): void {
    if (from === to) return;
    if (from !== 0) {
      const list = this.lists.get(from);
      if (list) {
        // The list's last slot takes the leaving one's place.
        const i = this.at[slot]!;
        const last = list.items[--list.size]!;
        list.items[i] = last;
        this.at[last] = i;
      }
    }
    if (to !== 0) {
      let list = this.lists.get(to);
      if (!list) this.lists.set(to, (list = { items: new Int32Array(16), size: 0 }));
      if (list.size === list.items.length) {
        const wider = new Int32Array(list.size * 2);
        wider.set(list.items);
        list.items = wider;
      }
      this.at[slot] = list.size;
      list.items[list.size++] = slot;
    }
  }

  /** The slots of `key`, in no particular order (a view: read it before the next move). */
  of(key: number): Int32Array | null {
    const list = this.lists.get(key);
    return list ? list.items.subarray(0, list.size) : null;
  }

  /** Writes the slots of `key` into `out` from `at`; returns the new end. */
  collect(key: number, out: Int32Array, at: number): number {
    const slots = this.of(key);
    if (!slots) return at;
    out.set(slots, at);
    return at + slots.length;
  }
}

/** Growable parallel columns, one slot per published offer; removal moves the last slot in. */
class Columns {
  size = 0;
  id = new Int32Array(0);
  kind = new Uint8Array(0);
  territory = new Uint16Array(0);
  commune = new Uint32Array(0);
  transaction = new Uint8Array(0);
  fibre = new Uint8Array(0);
  technology = new Uint8Array(0);
  mobile = new Uint8Array(0);
  price = new Float64Array(0);
  download = new Float64Array(0);
  upload = new Float64Array(0);
  surface = new Float64Array(0);
  rooms = new Float64Array(0);
  tiersLieuKm = new Float64Array(0);
  schoolKm = new Float64Array(0);
  published = new Float64Array(0);
  publishedText: Array<string | null> = [];
  lat = new Float64Array(0);
  lng = new Float64Array(0);
  slotOf = new Map<number, number>();
  /** Codes of territories, communes and technologies, numbered in order of appearance. */
  private codes = new Map<string, number>();
  codeList: string[] = [];

  code(value: string | null): number {
    if (value === null) return 0;
    let n = this.codes.get(value);
    if (n === undefined) {
      n = this.codeList.length + 1;
      this.codes.set(value, n);
      this.codeList.push(value);
    }
    return n;
  }

  lookup(value: string): number {
    return this.codes.get(value) ?? -1;
  }

  private grow(min: number) {
    const cap = Math.max(min, this.id.length * 2, 1024);
    const more = <T extends Int32Array | Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.id = more(this.id);
    this.kind = more(this.kind);
    this.territory = more(this.territory);
    this.commune = more(this.commune);
    this.transaction = more(this.transaction);
    this.fibre = more(this.fibre);
    this.technology = more(this.technology);
    this.mobile = more(this.mobile);
    this.price = more(this.price);
    this.download = more(this.download);
    this.upload = more(this.upload);
    this.surface = more(this.surface);
    this.rooms = more(this.rooms);
    this.tiersLieuKm = more(this.tiersLieuKm);
    this.schoolKm = more(this.schoolKm);
    this.published = more(this.published);
    this.lat = more(this.lat);
    this.lng = more(this.lng);
    this.cell = more(this.cell);
    this.byTerritory.resize(cap);
    this.byCommune.resize(cap);
    this.byCell.resize(cap);
  }

  /** The slots of each territory, commune and map cell: a search walks only those it can match. */
  readonly byTerritory = new SlotSets();
  readonly byCommune = new SlotSets();
  readonly byCell = new SlotSets();
  /** Each slot's map cell (0: no public point). */
  cell = new Int32Array(0);

  /** Stores a row read by readRows (in the order of COLUMNS). */
  put(row: ArrayLike<unknown>): void {
    const id = Number(row[0]);
    let s = this.slotOf.get(id);
    // A new slot's old values are a removed offer's: it belongs to no territory nor cell yet.
    let before = 0;
    let communeBefore = 0;
    let cellBefore = 0;
    if (s === undefined) {
      if (this.size === this.id.length) this.grow(this.size + 1);
      s = this.size++;
      this.slotOf.set(id, s);
    } else {
      before = this.territory[s]!;
      communeBefore = this.commune[s]!;
      cellBefore = this.cell[s]!;
    }
    this.id[s] = id;
    this.kind[s] = KINDS.indexOf(row[1] as Kind);
    const territory = this.code(`t:${String(row[2])}`);
    this.byTerritory.move(s, before, territory);
    this.territory[s] = territory;
    const commune = this.code(`c:${String(row[3])}`);
    this.byCommune.move(s, communeBefore, commune);
    this.commune[s] = commune;
    this.transaction[s] = Math.max(0, TRANSACTIONS.indexOf(row[4] as 'rent'));
    this.fibre[s] = row[5] === 'available' ? 1 : 0;
    this.technology[s] = row[6] === null ? 0 : this.code(`x:${String(row[6])}`);
    this.mobile[s] = MOBILE[String(row[7])] ?? 0;
    this.price[s] = nan(row[8]);
    this.download[s] = nan(row[9]);
    this.upload[s] = nan(row[10]);
    this.surface[s] = nan(row[11]);
    this.rooms[s] = nan(row[12]);
    this.tiersLieuKm[s] = nan(row[13]);
    const published = row[14] === null ? null : String(row[14]);
    this.published[s] = published === null ? Number.NaN : Date.parse(published);
    this.publishedText[s] = published;
    this.lat[s] = nan(row[15]);
    this.lng[s] = nan(row[16]);
    this.schoolKm[s] = nan(row[17]);
    const cell = cellOf(this.lat[s]!, this.lng[s]!);
    this.byCell.move(s, cellBefore, cell);
    this.cell[s] = cell;
  }

  remove(id: number): void {
    const s = this.slotOf.get(id);
    if (s === undefined) return;
    const last = --this.size;
    this.slotOf.delete(id);
    this.byTerritory.move(s, this.territory[s]!, 0);
    this.byCommune.move(s, this.commune[s]!, 0);
    this.byCell.move(s, this.cell[s]!, 0);
    if (s !== last) {
      const moved = this.id[last]!;
      this.byTerritory.move(last, this.territory[last]!, 0);
      this.byTerritory.move(s, 0, this.territory[last]!);
      this.byCommune.move(last, this.commune[last]!, 0);
      this.byCommune.move(s, 0, this.commune[last]!);
      this.byCell.move(last, this.cell[last]!, 0);
      this.byCell.move(s, 0, this.cell[last]!);
      for (const a of [
        this.id,
        this.kind,
        this.territory,
        this.commune,
        this.transaction,
        this.fibre,
        this.technology,
        this.mobile,
        this.price,
        this.download,
        this.upload,
        this.surface,
        this.rooms,
        this.tiersLieuKm,
        this.schoolKm,
        this.published,
        this.lat,
        this.lng,
        this.cell,
      ])
        a[s] = a[last]!;
      this.publishedText[s] = this.publishedText[last]!;
      this.slotOf.set(moved, s);
    }
    this.publishedText.length = this.size;
  }
}

/** Real numbers as text with 17 digits: JSON's 15 would move a point across a radius. */
const exact = (column: string) => `iif(${column} IS NULL, NULL, printf('%.17g', ${column}))`;

/** The columns the index keeps, in the order `Columns.put` reads them. */
const COLUMNS = `id, kind, territory_code, commune_code, "transaction", fibre_status, best_technology,
  mobile_coverage, price, download_mbps, upload_mbps, surface, rooms, ${exact('nearest_fibre_tiers_lieu_km')},
  published_at, ${exact('public_lat')}, ${exact('public_lng')}, school_km`;

/**
 * Published offers as one JSON array of arrays: one value to cross from SQLite instead of
 * a row object per offer, several times faster to read for a whole catalogue.
 */
async function readRows(db: Db, where: string, args: Array<string | number>): Promise<unknown[][]> {
  const rs = await db.$client.execute({
    sql: `SELECT json_group_array(json_array(${COLUMNS})) FROM offers WHERE status = 'published' AND ${where}`,
    args,
  });
  return JSON.parse(String(rs.rows[0]?.[0] ?? '[]')) as unknown[][];
}

/** SQLite's order: NULL (NaN here) before every number. */
function cmp(x: number, y: number): number {
  if (x !== x) return y !== y ? 0 : -1;
  if (y !== y) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** 1 for NULL (NaN), else 0: an "is null" sort key. */
const nullFlag = (x: number) => (x !== x ? 1 : 0);

interface Key {
  get: (slot: number) => number;
  desc: boolean;
  /** The value a cursor carries for this key. */
  out: (slot: number) => SortValue;
  /** A cursor's value back to the key's number; undefined when it cannot be one. */
  in: (v: SortValue) => number | undefined;
}

const numberIn = (v: SortValue) => (v === null ? Number.NaN : typeof v === 'number' ? v : undefined);
const orNull = (x: number): SortValue => (x !== x ? null : x);

/** Published offers (and with fibre), in total and per territory code; per connectivity label. */
export interface OfferFigures {
  total: { offers: number; fibre: number };
  territories: Map<string, { offers: number; fibre: number }>;
  labels: Map<ConnectivityLabel | null, number>;
}

export class CatalogueIndex {
  private cols = new Columns();
  private version = -1;
  private seq = 0;
  private syncing: Promise<void> | null = null;
  /** Per-search distances by slot, and matching slots (reused: a search runs without awaiting). */
  private distances = new Float64Array(0);
  private matchBuffer = new Int32Array(0);
  private rankBuffer = new Float64Array(0);
  private slotBuffer = new Int32Array(0);
  /** Full-text matches by catalogue version and query, least recently used first. */
  private texts = new LRUCache<string, Int32Array>({ max: TEXTS_KEPT });
  private figures: { version: number; value: OfferFigures } | null = null;

  get size(): number {
    return this.cols.size;
  }

  /** The catalogue version the index is at (a search's cards are read for it). */
  get atVersion(): number {
    return this.version;
  }

  /**
   * Ids of the offers whose text matches an FTS5 query, resolved once per catalogue
   * version: SQLite's full-text index stays the one place text is searched.
   */
  async textMatches(db: Db, match: string): Promise<Int32Array> {
    const key = `${this.version}|${match}`;
    const hit = this.texts.get(key);
    if (hit) return hit;
    const rs = await db.$client.execute({
      sql: 'SELECT json_group_array(rowid) FROM offers_fts WHERE offers_fts MATCH ?',
      args: [match],
    });
    const ids = Int32Array.from(JSON.parse(String(rs.rows[0]?.[0] ?? '[]')) as number[]);
    this.texts.set(key, ids);
    return ids;
  }

  /** Full-text matches as one flag per offer id, made once per answer of `textMatches`. */
  private masks = new WeakMap<Int32Array, Uint8Array>();

  private textMask(ids: Int32Array): Uint8Array {
    let mask = this.masks.get(ids);
    if (mask) return mask;
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    mask = new Uint8Array(max + 1);
    for (const id of ids) if (id > 0) mask[id] = 1;
    this.masks.set(ids, mask);
    return mask;
  }

  /** Brings the index to the database's current catalogue version. */
  async sync(db: Db): Promise<void> {
    while (this.syncing) await this.syncing;
    const version = await catalogueVersion(db);
    // Versions only grow (triggers bump them): a request that read an older one, before
    // another brought the index further, must not take it back.
    if (version <= this.version) return;
    this.syncing = this.catchUp(db, version).finally(() => (this.syncing = null));
    await this.syncing;
  }

  private async catchUp(db: Db, version: number): Promise<void> {
    if (this.version === -1) return this.rebuild(db, version);
    const rs = await db.$client.execute({
      sql: 'SELECT seq, offer_id FROM catalogue_changes WHERE seq > ? ORDER BY seq LIMIT ?',
      args: [this.seq, RELOAD_MAX + 1],
    });
    if (rs.rows.length === 0) {
      this.version = version;
      return;
    }
    // A gap means pruned changes were missed: only a whole rebuild is exact.
    if (rs.rows.length > RELOAD_MAX || Number(rs.rows[0]![0]) !== this.seq + 1) return this.rebuild(db, version);
    const ids = [...new Set(rs.rows.map((r) => Number(r[1])))];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const found = await readRows(db, `id IN (${chunk.map(() => '?').join(',')})`, chunk);
      const present = new Set<number>();
      for (const row of found) {
        this.cols.put(row);
        present.add(Number(row[0]));
      }
      for (const id of chunk) if (!present.has(id)) this.cols.remove(id);
    }
    this.seq = Number(rs.rows.at(-1)![0]);
    this.version = version;
  }

  private async rebuild(db: Db, version: number): Promise<void> {
    const [last] = (await db.$client.execute('SELECT coalesce(max(seq), 0) FROM catalogue_changes')).rows;
    const seq = Number(last?.[0] ?? 0);
    const [top] = (await db.$client.execute('SELECT coalesce(max(id), 0) FROM offers')).rows;
    const maxId = Number(top?.[0] ?? 0);
    const cols = new Columns();
    for (let from = 0; ;) {
      const rows = await readRows(db, 'id > ? AND id <= ?', [from, from + BUILD_CHUNK]);
      for (const row of rows) cols.put(row);
      if (from + BUILD_CHUNK >= maxId) break;
      from += BUILD_CHUNK;
      await new Promise((r) => setImmediate(r));
    }
    this.cols = cols;
    this.seq = seq;
    this.version = version;
  }

  private keys(sort: IndexSort, center: Point | undefined): Key[] {
    const c = this.cols;
    const id: (desc: boolean) => Key = (desc) => ({ get: (s) => c.id[s]!, desc, out: (s) => c.id[s]!, in: numberIn });
    const isNull = (a: Float64Array): Key => ({
      get: (s) => nullFlag(a[s]!),
      desc: false,
      out: (s) => nullFlag(a[s]!),
      in: numberIn,
    });
    const value = (a: Float64Array, desc: boolean): Key => ({
      get: (s) => a[s]!,
      desc,
      out: (s) => orNull(a[s]!),
      in: numberIn,
    });
    // A price order never mixes monthly prices (rents, desks) with sale prices: sales after.
    const sale: Key = { get: (s) => saleGroup(c, s), desc: false, out: (s) => saleGroup(c, s), in: numberIn };
    switch (sort) {
      case 'prix':
        return [sale, isNull(c.price), value(c.price, false), id(false)];
      case 'prix-desc':
        return [sale, isNull(c.price), value(c.price, true), id(true)];
      case 'debit':
        return [isNull(c.download), value(c.download, true), value(c.upload, true), id(true)];
      case 'distance':
        if (center) return [value(this.distances, false), id(false)];
      // falls through: without a centre, the distance order is the default one
      default:
        return [
          {
            get: (s) => c.published[s]!,
            desc: true,
            out: (s) => c.publishedText[s] ?? null,
            in: (v) => (v === null ? Number.NaN : typeof v === 'string' ? nanToUndefined(Date.parse(v)) : undefined),
          },
          id(true),
        ];
    }
  }

  /**
   * The order of `keys()` as one function over the columns: the selection falls back to it
   * on every tie of its ranks (many, in a speed order), where calling each key's getters
   * cost most of a broad search. The brute-force tests hold it to SQL's order for every sort.
   */
  private comparator(sort: IndexSort, center: Point | undefined): (a: number, b: number) => number {
    const c = this.cols;
    const { id, price, download, upload, published } = c;
    const byId = (a: number, b: number) => id[a]! - id[b]!;
    switch (sort) {
      case 'prix':
      case 'prix-desc': {
        const desc = sort === 'prix-desc';
        return (a, b) =>
          saleGroup(c, a) - saleGroup(c, b) ||
          cmp(nullFlag(price[a]!), nullFlag(price[b]!)) ||
          (desc ? cmp(price[b]!, price[a]!) || byId(b, a) : cmp(price[a]!, price[b]!) || byId(a, b));
      }
      case 'debit':
        return (a, b) =>
          cmp(nullFlag(download[a]!), nullFlag(download[b]!)) ||
          cmp(download[b]!, download[a]!) ||
          cmp(upload[b]!, upload[a]!) ||
          byId(b, a);
      case 'distance':
        if (center) {
          const d = this.distances;
          return (a, b) => cmp(d[a]!, d[b]!) || byId(a, b);
        }
      // falls through: without a centre, the distance order is the default one
      default:
        return (a, b) => cmp(published[b]!, published[a]!) || byId(b, a);
    }
  }

  /**
   * Each match's first sort key as one number, smaller first (NULLs placed as SQLite does):
   * the selection compares these and falls back to every key only on a tie.
   */
  private ranks(sort: IndexSort, byDistance: boolean, matches: Int32Array): Float64Array {
    const c = this.cols;
    const values =
      sort === 'prix' || sort === 'prix-desc'
        ? c.price
        : sort === 'debit'
          ? c.download
          : sort === 'distance' && byDistance
            ? this.distances
            : c.published;
    const ascending = sort === 'prix' || (sort === 'distance' && byDistance);
    // NULLs come last in every order but the distance, where an offer without a point comes first.
    const nullRank = sort === 'distance' && byDistance ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (this.rankBuffer.length < matches.length) this.rankBuffer = new Float64Array(this.matchBuffer.length);
    const ranks = this.rankBuffer.subarray(0, matches.length);
    if (sort === 'prix' || sort === 'prix-desc') {
      // Sales after every monthly price (NULL prices last within each group): prices stay
      // far below PRICE_GROUP, so one number still orders both keys exactly.
      for (let i = 0; i < matches.length; i++) {
        const s = matches[i]!;
        const v = values[s]!;
        ranks[i] = saleGroup(c, s) * PRICE_GROUP * 4 + (v !== v ? PRICE_GROUP : ascending ? v : -v);
      }
      return ranks;
    }
    for (let i = 0; i < matches.length; i++) {
      const v = values[matches[i]!]!;
      ranks[i] = v !== v ? nullRank : ascending ? v : -v;
    }
    return ranks;
  }

  /** The published offers that `filter` keeps, per kind (a search without its page). */
  counts(filter: IndexFilter): IndexResult['counts'] {
    // A radius holds on the exact distance from its centre, measured only when given one.
    return this.search({ filter, center: filter.circle?.center, sort: 'recent', offset: 0, limit: 0 }).counts;
  }

  /**
   * Published offers and those with fibre, in total and per territory, and per connectivity
   * label as their cards give it (null: no measured speed): one pass, kept until the index
   * moves to another catalogue version (/impact and the home page read them at each render).
   */
  offerFigures(): OfferFigures {
    if (this.figures?.version === this.version) return this.figures.value;
    const { download, upload, fibre, territory, codeList, size } = this.cols;
    const labels = new Map<ConnectivityLabel | null, number>();
    const perCode = new Map<number, { offers: number; fibre: number }>();
    const total = { offers: 0, fibre: 0 };
    for (let s = 0; s < size; s++) {
      const d = download[s]!;
      const u = upload[s]!;
      const label = connectivityLabel(d === d ? d : null, u === u ? u : null);
      labels.set(label, (labels.get(label) ?? 0) + 1);
      let t = perCode.get(territory[s]!);
      if (!t) perCode.set(territory[s]!, (t = { offers: 0, fibre: 0 }));
      t.offers++;
      t.fibre += fibre[s]!;
      total.offers++;
      total.fibre += fibre[s]!;
    }
    // Territory codes are kept as "t:32".
    const territories = new Map([...perCode].map(([code, t]) => [codeList[code - 1]!.slice(2), t]));
    const value = { total, territories, labels };
    this.figures = { version: this.version, value };
    return value;
  }

  /** Filters, counts per kind, sorts and pages, all in memory. */
  search(q: IndexQuery): IndexResult {
    const c = this.cols;
    const f = q.filter;
    const n = c.size;
    if (this.distances.length < n) this.distances = new Float64Array(c.id.length);
    const dist = this.distances;
    const text = f.textIds ? this.textMask(f.textIds) : null;
    const center = q.center;
    const keys = this.keys(q.sort, center);
    let after: number[] | null = null;
    if (q.after) {
      if (q.after.length !== keys.length) throw new CursorMismatch();
      after = q.after.map((v, i) => {
        const x = keys[i]!.in(v);
        if (x === undefined) throw new CursorMismatch();
        return x;
      });
    }
    const compare = this.comparator(q.sort, center);
    const beyond = (s: number) => {
      for (let i = 0; i < keys.length; i++) {
        const d = cmp(keys[i]!.get(s), after![i]!);
        if (d !== 0) return (keys[i]!.desc ? -d : d) > 0;
      }
      return false;
    };
    const counts = [0, 0];
    if (this.matchBuffer.length < n) this.matchBuffer = new Int32Array(c.id.length);
    const box = intersect(f.circle ? boundingBox(f.circle.center, f.circle.km) : null, f.zone ?? null);
    const territory = f.territory === undefined ? 0 : c.lookup(`t:${f.territory}`);
    const commune = f.commune === undefined ? 0 : c.lookup(`c:${f.commune}`);
    // In a commune, only its slots are walked; within a radius, the cells its box covers (a
    // box wider than a region: every slot, fewer calls than its many cells); in a territory,
    // its slots. An unknown code has none. The scan checks every condition still.
    const cells = box !== null && (box.maxLat - box.minLat) * (box.maxLng - box.minLng) <= MAX_WALKED_DEGREES2;
    let slots: Int32Array | null = null;
    let walked = n;
    if (commune !== 0 || cells || territory !== 0) {
      if (this.slotBuffer.length < n) this.slotBuffer = new Int32Array(c.id.length);
      slots = this.slotBuffer;
      walked = 0;
      if (commune !== 0) {
        if (commune !== -1) walked = c.byCommune.collect(commune, slots, 0);
      } else if (box && cells) {
        const { south, north, west, east } = cellsOf(box);
        for (let y = south; y <= north; y++)
          for (let x = west; x <= east; x++) walked = c.byCell.collect(cellKey(y, x), slots, walked);
      } else if (territory !== -1) walked = c.byTerritory.collect(territory, slots, 0);
    }
    // One object shape for every search, so that the scan stays optimised across searches.
    const found = scan(c, dist, counts, this.matchBuffer, after === null ? null : beyond, {
      slots,
      walked,
      kind: q.kind === undefined ? -1 : KINDS.indexOf(q.kind),
      territory,
      commune,
      technology: f.technology === undefined ? 0 : c.lookup(`x:${f.technology}`),
      transaction: f.transaction === undefined ? 0 : TRANSACTIONS.indexOf(f.transaction),
      mobileMin: f.mobile === undefined ? 0 : f.mobile === '5g' ? MOBILE['5g']! : MOBILE['4g']!,
      fibre: f.fibre === true,
      downloadMin: f.downloadMin ?? null,
      uploadMin: f.uploadMin ?? null,
      priceMin: f.priceMin ?? null,
      priceMax: f.priceMax ?? null,
      surfaceMin: f.surfaceMin ?? null,
      roomsMin: f.roomsMin ?? null,
      tiersLieuKmMax: f.tiersLieuKmMax ?? null,
      schoolKmMax: f.schoolKmMax ?? null,
      publishedAfter: f.publishedAfter ?? null,
      publishedUpTo: f.publishedUpTo ?? null,
      text,
      box: box ? [box.minLat, box.maxLat, box.minLng, box.maxLng] : null,
      circleKm: f.circle?.km ?? Number.POSITIVE_INFINITY,
      center: center ?? null,
    });
    const offset = q.offset ?? 0;
    const matches = this.matchBuffer.subarray(0, found);
    const top = selectTop(matches, this.ranks(q.sort, center !== undefined, matches), offset + q.limit + 1, compare);
    const page = top.slice(offset, offset + q.limit);
    return {
      hits: page.map((s) => ({
        id: c.id[s]!,
        distanceKm: center ? (orNull(dist[s]!) as number | null) : null,
        keys: keys.map((k) => k.out(s)),
      })),
      counts: { home: counts[0]!, tiers_lieu: counts[1]! },
      more: top.length > offset + q.limit,
    };
  }

  /**
   * The `limit` nearest published offers of `kind` within `km` of `center`, `excludeId`
   * left out, in a distance search's order (100 m steps, then id): the map cells are walked
   * ring by ring from the centre's, until no farther cell can hold a nearer offer. An offer
   * page's "nearby" list reads a few cells instead of every offer of a 60 km box.
   */
  nearest(
    center: Point,
    km: number,
    kind: Kind,
    limit: number,
    excludeId = 0,
  ): Array<{ id: number; distanceKm: number }> {
    const c = this.cols;
    const wanted = KINDS.indexOf(kind);
    type Hit = { id: number; distanceKm: number };
    const best: Hit[] = [];
    if (limit <= 0 || !(km >= 0)) return best;
    // A distance search's order: 100 m steps, then id.
    const precedes = (a: Hit, b: Hit) => a.distanceKm < b.distanceKm || (a.distanceKm === b.distanceKm && a.id < b.id);
    const { south, north, west, east } = cellsOf(boundingBox(center, km));
    const cy = cellIndex(center.lat, 90);
    const cx = cellIndex(center.lng, 180);
    const rings = Math.max(cy - south, north - cy, cx - west, east - cx);
    const visit = (y: number, x: number) => {
      if (y < south || y > north || x < west || x > east) return;
      const slots = c.byCell.of(cellKey(y, x));
      if (!slots) return;
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        if (c.kind[s] !== wanted || c.id[s] === excludeId) continue;
        const exact = distanceKm(center, { lat: c.lat[s]!, lng: c.lng[s]! });
        if (!(exact <= km)) continue;
        const hit = { id: c.id[s]!, distanceKm: Math.round(exact * 10) / 10 };
        // Kept in order, the `limit` first only: a hit after the last kept is dropped.
        if (best.length === limit && precedes(best[limit - 1]!, hit)) continue;
        let at = best.length;
        while (at > 0 && !precedes(best[at - 1]!, hit)) at--;
        best.splice(at, 0, hit);
        if (best.length > limit) best.pop();
      }
    };
    for (let r = 0; r <= rings; r++) {
      if (r === 0) visit(cy, cx);
      else {
        for (let x = cx - r; x <= cx + r; x++) {
          visit(cy - r, x);
          visit(cy + r, x);
        }
        for (let y = cy - r + 1; y < cy + r; y++) {
          visit(y, cx - r);
          visit(y, cx + r);
        }
      }
      const beyond = outsideRing(center, cy, cx, r);
      // Farther cells cannot hold an offer within the radius, or one before the last kept
      // (a distance shown in 100 m steps may be 50 m under the exact one); 1 mm for rounding.
      if (beyond > km + 1e-6) break;
      if (best.length === limit && best[limit - 1]!.distanceKm < beyond - 0.05 - 1e-6) break;
    }
    return best;
  }
}

/**
 * A lower bound of the distance, km, from `center` (in cell row `cy`, column `cx`) to any
 * point outside the cells within `r` rings of it: such a point is at least a gap of
 * latitude away, or within that latitude band and a gap of longitude away.
 */
function outsideRing(center: Point, cy: number, cx: number, r: number): number {
  const gapLat = Math.min(center.lat + 90 - (cy - r) * CELL_DEGREES, (cy + r + 1) * CELL_DEGREES - center.lat - 90);
  const gapLng = Math.min(center.lng + 180 - (cx - r) * CELL_DEGREES, (cx + r + 1) * CELL_DEGREES - center.lng - 180);
  const toRad = Math.PI / 180;
  const byLat = EARTH_RADIUS_KM * gapLat * toRad;
  const farthestLat = Math.min(90, Math.abs(center.lat) + gapLat) * toRad;
  const h = Math.cos(center.lat * toRad) * Math.cos(farthestLat) * Math.sin((gapLng * toRad) / 2) ** 2;
  const byLng = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(Math.max(0, h))));
  return Math.max(0, Math.min(byLat, byLng));
}

interface ScanParams {
  /** The slots to walk (a territory's), or null for every slot; `walked` of them. */
  slots: Int32Array | null;
  walked: number;
  kind: number;
  territory: number;
  commune: number;
  technology: number;
  transaction: number;
  mobileMin: number;
  fibre: boolean;
  downloadMin: number | null;
  uploadMin: number | null;
  priceMin: number | null;
  priceMax: number | null;
  surfaceMin: number | null;
  roomsMin: number | null;
  tiersLieuKmMax: number | null;
  schoolKmMax: number | null;
  publishedAfter: number | null;
  publishedUpTo: number | null;
  text: Uint8Array | null;
  box: [number, number, number, number] | null;
  circleKm: number;
  center: Point | null;
}

/**
 * The search over the catalogue: the slots walked go through one tight pass per condition
 * given (a pass per filter, not every filter's test for every slot: 8.5 → 3 ns a slot at
 * 100 000 offers), then the matches are counted per kind and those of the listed kind
 * (after the cursor, if any) kept in `matches`. NULL is NaN here and fails every
 * comparison, as in SQL; an unknown code (-1) matches nothing.
 */
function scan(
  c: Columns,
  dist: Float64Array,
  counts: number[],
  matches: Int32Array,
  beyond: ((slot: number) => boolean) | null,
  p: ScanParams,
): number {
  const { kind, territory, commune, technology, transaction, mobileMin, fibre, text, box, center } = p;
  const { id: ids, territory: territories, commune: communes, transaction: transactions } = c;
  const { fibre: fibres, technology: technologies, mobile: mobiles, kind: kinds } = c;
  const { download, upload, price, surface, rooms, tiersLieuKm, schoolKm, published, lat: lats, lng: lngs } = c;
  let n = p.walked;
  if (p.slots === null) for (let i = 0; i < n; i++) matches[i] = i;
  else matches.set(p.slots.subarray(0, n));
  // Each pass keeps, in place, the first `n` slots that hold; no closure over `n` (the
  // loops stay on registers).
  if (territory !== 0) n = keepEqual(matches, n, territories, territory);
  if (commune !== 0) n = keepEqual(matches, n, communes, commune);
  if (transaction !== 0) n = keepEqual(matches, n, transactions, transaction);
  if (fibre) n = keepEqual(matches, n, fibres, 1);
  if (technology !== 0) n = keepEqual(matches, n, technologies, technology);
  if (mobileMin !== 0) n = keepAtLeast(matches, n, mobiles, mobileMin);
  if (p.downloadMin !== null) n = keepAtLeast(matches, n, download, p.downloadMin);
  if (p.uploadMin !== null) n = keepAtLeast(matches, n, upload, p.uploadMin);
  if (p.priceMin !== null) n = keepAtLeast(matches, n, price, p.priceMin);
  if (p.priceMax !== null) n = keepAtMost(matches, n, price, p.priceMax);
  if (p.surfaceMin !== null) n = keepAtLeast(matches, n, surface, p.surfaceMin);
  if (p.roomsMin !== null) n = keepAtLeast(matches, n, rooms, p.roomsMin);
  if (p.tiersLieuKmMax !== null) n = keepAtMost(matches, n, tiersLieuKm, p.tiersLieuKmMax);
  if (p.schoolKmMax !== null) n = keepAtMost(matches, n, schoolKm, p.schoolKmMax);
  if (p.publishedAfter !== null || p.publishedUpTo !== null) {
    // (after, upTo]: NaN (never published) fails both.
    n = keepAtMost(matches, n, published, p.publishedUpTo ?? Number.POSITIVE_INFINITY);
    n = keepAbove(matches, n, published, p.publishedAfter ?? Number.NEGATIVE_INFINITY);
  }
  let j = 0;
  if (text !== null) {
    for (let i = 0; i < n; i++) if (text[ids[matches[i]!]!] === 1) matches[j++] = matches[i]!;
    n = j;
    j = 0;
  }
  if (box !== null) {
    const [minLat, maxLat, minLng, maxLng] = box;
    for (let i = 0; i < n; i++) {
      const s = matches[i]!;
      const la = lats[s]!;
      const ln = lngs[s]!;
      if (la >= minLat && la <= maxLat && ln >= minLng && ln <= maxLng) matches[j++] = s;
    }
    n = j;
    j = 0;
  }
  if (center !== null) {
    const circleKm = p.circleKm;
    for (let i = 0; i < n; i++) {
      const s = matches[i]!;
      const la = lats[s]!;
      const ln = lngs[s]!;
      const d = la === la && ln === ln ? distanceKm(center, { lat: la, lng: ln }) : Number.NaN;
      // The radius holds on the exact distance (the box only narrows); cards show 100 m steps.
      if (box !== null && !(d <= circleKm)) continue;
      dist[s] = Math.round(d * 10) / 10;
      matches[j++] = s;
    }
    n = j;
    j = 0;
  }
  for (let i = 0; i < n; i++) counts[kinds[matches[i]!]!]!++;
  if (kind === -1 && beyond === null) return n;
  for (let i = 0; i < n; i++) {
    const s = matches[i]!;
    if (kind !== -1 && kinds[s] !== kind) continue;
    if (beyond !== null && !beyond(s)) continue;
    matches[j++] = s;
  }
  return j;
}

/** The first `n` of `matches` whose value is `v`, kept in place; how many. */
function keepEqual(matches: Int32Array, n: number, values: Uint8Array | Uint16Array | Uint32Array, v: number): number {
  let j = 0;
  for (let i = 0; i < n; i++) if (values[matches[i]!] === v) matches[j++] = matches[i]!;
  return j;
}

function keepAtLeast(matches: Int32Array, n: number, values: Uint8Array | Float64Array, min: number): number {
  let j = 0;
  for (let i = 0; i < n; i++) if (values[matches[i]!]! >= min) matches[j++] = matches[i]!;
  return j;
}

function keepAtMost(matches: Int32Array, n: number, values: Float64Array, max: number): number {
  let j = 0;
  for (let i = 0; i < n; i++) if (values[matches[i]!]! <= max) matches[j++] = matches[i]!;
  return j;
}

function keepAbove(matches: Int32Array, n: number, values: Float64Array, min: number): number {
  let j = 0;
  for (let i = 0; i < n; i++) if (values[matches[i]!]! > min) matches[j++] = matches[i]!;
  return j;
}

const nanToUndefined = (x: number) => (Number.isNaN(x) ? undefined : x);

/**
 * The first `k` of `items` in order: by `ranks` (one per item), then `compare` on a tie.
 * A bounded heap when k is small against the matches, a full sort otherwise.
 */
function selectTop(
  items: Int32Array,
  ranks: Float64Array,
  k: number,
  compare: (a: number, b: number) => number,
): number[] {
  const worse = (i: number, j: number) => {
    const a = ranks[i]!;
    const b = ranks[j]!;
    return a > b || (a === b && compare(items[i]!, items[j]!) > 0);
  };
  const order = (i: number, j: number) => (worse(i, j) ? 1 : worse(j, i) ? -1 : 0);
  if (k * 4 >= items.length) {
    const all = Array.from({ length: items.length }, (_, i) => i).sort(order);
    return all.slice(0, k).map((i) => items[i]!);
  }
  // A max-heap of the k best so far, by index into items: its root is the worst kept.
  const heap: number[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < items.length; i++) {
    if (heap.length < k) {
      heap.push(i);
      up(heap.length - 1);
    } else if (ranks[i]! <= ranks[heap[0]!]! && worse(heap[0]!, i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort(order).map((i) => items[i]!);
}

const indexes = new WeakMap<Db, CatalogueIndex>();

/** This process's index of `db`'s published catalogue, up to date. */
export async function catalogueIndex(db: Db): Promise<CatalogueIndex> {
  let index = indexes.get(db);
  if (!index) {
    index = new CatalogueIndex();
    indexes.set(db, index);
  }
  await index.sync(db);
  return index;
}

/**
 * Forgets changes older than the newest `keep` (a process behind them rebuilds its index
 * whole). The newest change always stays: it is how a process behind tells a gap from
 * "nothing changed".
 */
export async function pruneCatalogueChanges(db: Db, keep = 100_000): Promise<number> {
  const rs = await db.$client.execute({
    sql: 'DELETE FROM catalogue_changes WHERE seq <= (SELECT max(seq) FROM catalogue_changes) - ?',
    args: [Math.max(1, keep)],
  });
  return rs.rowsAffected;
}
