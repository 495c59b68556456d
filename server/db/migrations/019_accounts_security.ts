/**
 * Accounts that a 等保 level-3 review would pass (issue 21): one-time passwords that must be
 * changed, when a password was last changed (optional maximum age), when a session last proved
 * its password (step-up for admin actions), and an audit log the application cannot rewrite.
 *
 * The audit log's guard lives in the database so no code path (nor a later bug) can edit or drop
 * entries: UPDATE may only touch `org_path` (a moved unit carries its entries along, see
 * units.repository.ts), and DELETE is refused for entries younger than 180 days, the minimum of
 * 网络安全法 art. 21; the retention purge removes only older ones.
 */
import { sql, type Kysely } from 'kysely'
import { isPostgres } from './helpers.ts'

const MIN_RETENTION_MS = 180 * 24 * 3600 * 1000

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('person').addColumn('password_changed_at', 'bigint').execute()
  await db.schema.alterTable('session').addColumn('verified_at', 'bigint').execute()

  if (isPostgres(db)) {
    await sql`
      create function audit_log_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' then
          if (new.id, new.person_id, new.action, new.target, new.detail, new.device, new.at)
             is distinct from (old.id, old.person_id, old.action, old.target, old.detail, old.device, old.at) then
            raise exception 'audit_log is append-only';
          end if;
          return new;
        end if;
        if old.at > floor(extract(epoch from clock_timestamp()) * 1000) - ${sql.lit(MIN_RETENTION_MS)} then
          raise exception 'audit_log entries are kept for 180 days';
        end if;
        return old;
      end $$`.execute(db)
    await sql`create trigger audit_log_guard before update or delete on audit_log for each row execute function audit_log_guard()`.execute(db)
  } else {
    await sql`
      create trigger audit_log_no_update before update of id, person_id, action, target, detail, device, at on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
    await sql`
      create trigger audit_log_keep_young before delete on audit_log
      when old.at > cast(strftime('%s', 'now') as integer) * 1000 - ${sql.lit(MIN_RETENTION_MS)}
      begin select raise(abort, 'audit_log entries are kept for 180 days'); end`.execute(db)
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger audit_log_guard on audit_log`.execute(db)
    await sql`drop function audit_log_guard()`.execute(db)
  } else {
    await sql`drop trigger audit_log_no_update`.execute(db)
    await sql`drop trigger audit_log_keep_young`.execute(db)
  }
  await db.schema.alterTable('session').dropColumn('verified_at').execute()
  await db.schema.alterTable('person').dropColumn('password_changed_at').execute()
  await db.schema.alterTable('person').dropColumn('must_change_password').execute()
}
