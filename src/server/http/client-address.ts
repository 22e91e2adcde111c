// The client's address of the request being handled, as scripts/lib/server.ts resolved it
// behind trusted proxies (decision 013). Held in an AsyncLocalStorage that lives on
// globalThis: the server script and the built app each load their own copy of this module,
// and both must reach the same store. Without our server (astro dev), it is empty.
import { AsyncLocalStorage } from 'node:async_hooks';

const KEY = Symbol.for('campagne-connectee.client-address');
const slot = globalThis as unknown as Record<symbol, AsyncLocalStorage<string> | undefined>;

export const clientAddressStore: AsyncLocalStorage<string> = (slot[KEY] ??= new AsyncLocalStorage<string>());
