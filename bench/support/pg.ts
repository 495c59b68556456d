/** The PostgreSQL the benches run on, and a throwaway schema per run. */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** One statement on its own connection, outside any schema a bench connects to. */
async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  await client.query(text).finally(() => client.end())
}

/** Creates and returns a fresh schema named `<prefix>_<8 hex digits>`. */
export async function createSchema(prefix: string): Promise<string> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`
  await admin(`create schema ${schema}`)
  return schema
}

export function dropSchema(schema: string): Promise<void> {
  return admin(`drop schema ${schema} cascade`)
}
