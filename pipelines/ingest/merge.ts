import type { Warehouse } from '../warehouse.js';
import { KEY_COLUMNS, STORED_COLUMNS } from './mapping.js';
import type { Kind } from './profiles.js';

/**
 * Merges the good rows of one file (temp table `incoming`) into the warehouse table of its kind.
 * Latest state wins: when the incoming row's latest timestamp is at least the stored one, its
 * non-empty fields win; otherwise it only fills the stored row's empty fields. A non-empty field
 * is never erased by an empty one. Returns how many rows were new, changed and unchanged.
 */
export async function mergeIncoming(warehouse: Warehouse, kind: Kind, runId: number, profile: string) {
  const columns = STORED_COLUMNS[kind];
  const keys = KEY_COLUMNS[kind];
  const table = kind;
  const q = (name: string) => `"${name}"`;
  const hasActivity = kind === 'tickets' || kind === 'calls';
  const join = keys.map((k) => `e.${q(k)} is not distinct from i.${q(k)}`).join(' and ');
  const newer = hasActivity ? 'i.activity_at >= e.activity_at' : 'true';
  const pick = (c: string) =>
    keys.includes(c) ? `i.${q(c)}` : `case when e.__present is null then i.${q(c)} when ${newer} then coalesce(i.${q(c)}, e.${q(c)}) else coalesce(e.${q(c)}, i.${q(c)}) end`;
  const compared = columns.filter((c) => !keys.includes(c));
  const bookkeeping = hasActivity
    ? [`'${profile.replaceAll("'", "''")}' as source_profile`, `coalesce(old_first_run_id, ${runId}) as first_run_id`, `${runId} as last_run_id`, 'activity_at']
    : [`${runId} as last_run_id`];
  // A file of only new records (the common nightly case) goes straight in, without the comparison.
  const overlapping = keys.length === 1
    ? (await warehouse.one<{ n: number }>(`select count(*) as n from ${table} where ${q(keys[0])} in (select ${q(keys[0])} from incoming)`))!.n
    : 1;
  if (overlapping === 0) {
    const rows = (await warehouse.one<{ n: number }>(`select count(*) as n from incoming`))!.n;
    await warehouse.run(`insert into ${table} by name select ${columns.map(q).join(', ')}, ${bookkeeping.join(', ').replace('coalesce(old_first_run_id, ' + runId + ')', String(runId))} from incoming`);
    return { loaded: rows, updated: 0, unchanged: 0 };
  }
  await warehouse.run(`
    create or replace temp table merged as
    with existing as (
      select t.*, true as __present from ${table} as t
      ${keys.length === 1 ? `where ${q(keys[0])} in (select ${q(keys[0])} from incoming)` : ''}
    ),
    combined as (
      select
        ${columns.map((c) => `${pick(c)} as ${q(c)}`).join(',\n        ')},
        ${hasActivity ? `greatest(i.activity_at, e.activity_at) as activity_at, e.first_run_id as old_first_run_id,` : ''}
        e.__present is not null as existed,
        ${compared.length ? `struct_pack(${compared.map((c) => `${q(c)} := e.${q(c)}`).join(', ')})` : 'null'} as old_row
      from incoming as i left join existing as e on ${join}
    )
    select *,
      case
        when not existed then 'new'
        when ${compared.length ? `struct_pack(${compared.map((c) => `${q(c)} := ${q(c)}`).join(', ')}) is distinct from old_row` : 'false'} then 'updated'
        else 'unchanged'
      end as change
    from combined`);
  const counts = (await warehouse.all<{ change: string; n: number }>(`select change, count(*)::bigint as n from merged group by change`)).reduce(
    (acc, row) => ({ ...acc, [row.change]: row.n }),
    { new: 0, updated: 0, unchanged: 0 } as Record<string, number>,
  );
  if (counts.updated > 0) {
    // Only single-key kinds can change: in categories every column is part of the key.
    await warehouse.run(`delete from ${table} where ${q(keys[0])} in (select ${q(keys[0])} from merged where change = 'updated')`);
  }
  if (counts.new + counts.updated > 0) {
    await warehouse.run(`insert into ${table} by name select ${columns.map(q).join(', ')}, ${bookkeeping.join(', ')} from merged where change <> 'unchanged'`);
  }
  return { loaded: counts.new, updated: counts.updated, unchanged: counts.unchanged };
}
