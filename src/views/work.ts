// /emplois and /reprises (issue 16): the public search of job offers and businesses to take
// over (a GET form: every filter a parameter), and an item's page whose only contact is the
// relocation project, through the territory's agents. Rules in src/server/opportunities/queries.ts.
import { db } from '../server/db.ts';
import { Invalid, NotFound } from '../server/errors.ts';
import type { RequestContext } from '../server/http/context.ts';
import { PUBLIC_WORK, redirect, render } from '../server/http/respond.ts';
import { parseId } from '../server/input.ts';
import { listTerritories } from '../server/places/queries.ts';
import { localizedPath } from '../i18n/index.ts';
import { parseWorkSearch, type WorkSearch } from '../server/opportunities/schemas.ts';
import { searchWork, workDetail, workTypes, type WorkKind } from '../server/opportunities/queries.ts';
import { workPath } from '../server/opportunities/links.ts';
import type { FieldError } from '../server/errors.ts';

export async function workSearchPage(rc: RequestContext, kind: WorkKind) {
  const parsed = parseWorkSearch(rc.url.searchParams);
  const errors: FieldError[] = [...parsed.errors];
  let query: WorkSearch = { teletravail: false, ...parsed.query };
  if (query.type && !workTypes(kind).includes(query.type)) {
    errors.push({ field: 'type', key: 'errors.invalid_choice', value: query.type });
    query = { ...query, type: undefined };
  }
  const territories = await listTerritories(db);
  if (query.territoire && !territories.some((x) => x.code === query.territoire)) {
    errors.push({ field: 'territoire', key: 'errors.unknown_territory', value: query.territoire });
    query = { ...query, territoire: undefined };
  }
  let result;
  try {
    result = await searchWork(db, kind, query);
  } catch (error) {
    // A commune that names nothing: said next to its field, the rest of the search still runs.
    if (!(error instanceof Invalid)) throw error;
    errors.push(...error.errors);
    query = { ...query, commune: undefined, rayon: undefined };
    result = await searchWork(db, kind, query);
  }
  return render({ kind, raw: parsed.raw, query, errors, result, territories }, errors.length ? 400 : 200);
}

/** `/emplois/{id}-{slug}`: a wrong or missing slug is sent to the right address. */
export async function workDetailPage(rc: RequestContext, kind: WorkKind, param: string) {
  const id = parseId(/^(\d{1,12})(-|$)/.exec(param)?.[1]);
  if (id === undefined) throw new NotFound(PUBLIC_WORK);
  const item = await workDetail(db, kind, id).catch((error: unknown) => {
    throw error instanceof NotFound ? new NotFound(PUBLIC_WORK) : error;
  });
  const path = workPath(item);
  if (`${path}` !== `${kind === 'job' ? '/emplois' : '/reprises'}/${param}`)
    return redirect(localizedPath(path, rc.locals.locale), 301);
  return render({ item });
}
