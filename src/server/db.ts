// The app's database handle, configured from astro:env. The only module of the app
// that reads the connection settings; domain functions receive `db` as a parameter.
import { DATABASE_AUTH_TOKEN, DATABASE_URL } from 'astro:env/server';
import { createDb, type Db } from '../../db/client.ts';

export const db: Db = await createDb(DATABASE_URL, DATABASE_AUTH_TOKEN);
