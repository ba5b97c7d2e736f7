import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../pipelines/warehouse.js';

/** A fresh warehouse file under the OS temp folder; close() closes and deletes it. */
export async function tempWarehouse(prefix: string): Promise<{ warehouse: Warehouse; dir: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), `hotline-kpi-${prefix}-`));
  const warehouse = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  return {
    warehouse,
    dir,
    close() {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TicketInput = Partial<{
  ticket_id: string;
  received_at: string;
  channel: string;
  appeal_type: string;
  category_l1: string;
  category_l2: string | null;
  category_l3: string | null;
  district: string | null;
  township: string | null;
  phone_hash: string | null;
  handling: string;
  unit: string | null;
  dispatched_at: string | null;
  signed_at: string | null;
  deadline_at: string | null;
  completed_at: string | null;
  status: string;
  returned_count: number | null;
  is_enterprise: boolean | null;
  callback_at: string | null;
  satisfaction: string | null;
  resolved: string | null;
  activity_at: string;
  last_run_id: number;
}>;

let ticketSequence = 0;

/**
 * A plain 直接答复 ticket received 2025-07-10 09:00 unless told otherwise: no dispatch, no callback,
 * no phone. Tests state every field a number depends on.
 */
export function ticket(fields: TicketInput = {}): Required<TicketInput> {
  ticketSequence += 1;
  return {
    ticket_id: `T${String(ticketSequence).padStart(6, '0')}`,
    received_at: '2025-07-10 09:00:00',
    channel: '电话',
    appeal_type: '咨询',
    category_l1: '城乡建设',
    category_l2: '物业管理',
    category_l3: null,
    district: '昌吉市',
    township: '宁边路街道',
    phone_hash: null,
    handling: '直接答复',
    unit: null,
    dispatched_at: null,
    signed_at: null,
    deadline_at: null,
    completed_at: null,
    status: '已办结',
    returned_count: 0,
    is_enterprise: false,
    callback_at: null,
    satisfaction: null,
    resolved: null,
    activity_at: fields.received_at ?? '2025-07-10 09:00:00',
    last_run_id: 1,
    ...fields,
  };
}

/** A 转办 ticket: dispatched 20 minutes after receipt to `unit`, signed 1 h later, due in 5 days, not yet completed. */
export function dispatchedTicket(fields: TicketInput = {}): Required<TicketInput> {
  const received = fields.received_at ?? '2025-07-10 09:00:00';
  const at = (minutes: number) => new Date(Date.parse(received.replace(' ', 'T') + 'Z') + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  return ticket({
    handling: '转办',
    unit: '昌吉市住建局',
    dispatched_at: at(20),
    signed_at: at(80),
    deadline_at: at(20 + 5 * 24 * 60),
    status: '办理中',
    ...fields,
  });
}

const TICKET_COLUMNS = Object.keys(ticket()) as (keyof TicketInput)[];

export async function insertTickets(warehouse: Warehouse, rows: Required<TicketInput>[]): Promise<void> {
  for (const row of rows) {
    await warehouse.run(
      `insert into tickets (${TICKET_COLUMNS.join(', ')}, source_profile, first_run_id)
       values (${TICKET_COLUMNS.map((c) => `$${c}`).join(', ')}, 'test', 1)`,
      row,
    );
  }
}

export type CallInput = Partial<{
  call_id: string;
  call_at: string;
  queue: string | null;
  ivr_only: boolean;
  answered_at: string | null;
  ticket_id: string | null;
}>;

let callSequence = 0;

/** A call on 2025-07-10 09:00, not IVR-only, unanswered unless answered_at is given. */
export function call(fields: CallInput = {}): Required<CallInput> {
  callSequence += 1;
  return { call_id: `C${String(callSequence).padStart(6, '0')}`, call_at: '2025-07-10 09:00:00', queue: '综合', ivr_only: false, answered_at: null, ticket_id: null, ...fields };
}

export async function insertCalls(warehouse: Warehouse, rows: Required<CallInput>[]): Promise<void> {
  for (const row of rows) {
    await warehouse.run(
      `insert into calls (call_id, call_at, queue, ivr_only, answered_at, ticket_id, source_profile, first_run_id, last_run_id, activity_at)
       values ($call_id, $call_at, $queue, $ivr_only, $answered_at, $ticket_id, 'test', 1, 1, $call_at)`,
      row,
    );
  }
}

export async function insertUnits(warehouse: Warehouse, rows: { unit: string; unit_kind: string | null }[]): Promise<void> {
  for (const row of rows) {
    await warehouse.run(`insert into units (unit, unit_kind, last_run_id) values ($unit, $unit_kind, 1)`, row);
  }
}

export async function clearWarehouse(warehouse: Warehouse): Promise<void> {
  await warehouse.run('delete from tickets; delete from calls; delete from units;');
}
