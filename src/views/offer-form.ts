// An offer's form filled from a saved row (the back office's and the owners' edit pages):
// every column as a value, the commune as one would type it.
import { communeLabel } from '../lib/text.ts';
import { db } from '../server/db.ts';
import { stateOf, type FormState } from '../server/http/form.ts';
import { getCommune } from '../server/places/queries.ts';

export async function offerFormState(row: object & { communeCode: string }): Promise<FormState> {
  const commune = await getCommune(db, row.communeCode);
  const state = stateOf(row);
  state.values.commune = commune ? communeLabel(commune) : row.communeCode;
  return state;
}
