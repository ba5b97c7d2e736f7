import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Config } from '../config.js';
import { sqlFile, type Warehouse } from '../warehouse.js';
import { loadTextModel, type TextModel } from './model.js';
import { mapInSlices } from '../off-thread.js';

/**
 * Writes the text model's judgement of tickets into ticket_suggestions: a suggested category for
 * tickets without one, the model's view of the operator's category (and whether the text strongly
 * disagrees with it), and a suggested unit. Runs after every load for the new tickets only, and
 * after training for all tickets in scope. Never touches the tickets table.
 */

interface TicketToSuggest {
  ticket_id: string;
  last_run_id: number;
  content: string;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
  township: string | null;
  place: string | null;
  appeal_type: string | null;
}

export interface SuggestOutcome {
  tickets: number;
  mismatches: number;
  message: string;
}

const BATCH = 20_000;
/** The held-out 一级 accuracy from which the model may call an operator's category into doubt. */
export const MIN_JUDGING_ACCURACY = 0.6;

export interface SuggestOptions {
  /**
   * Work committed in the same transaction as the suggestions, after them (the rollup, which takes
   * a missing category from them): readers see both or neither. Run only when there are
   * suggestions to write.
   */
  alongside?: () => Promise<unknown>;
}

export async function suggestTickets(
  warehouse: Warehouse,
  config: Config,
  model: TextModel | null = loadTextModel(config.dataDir),
  options: SuggestOptions = {},
): Promise<SuggestOutcome> {
  if (!model) return { tickets: 0, mismatches: 0, message: '尚无文本模型，未生成建议 / no text model yet' };
  const rows = await warehouse.all<TicketToSuggest>(sqlFile('text/tickets_to_suggest.sql'), { days: config.text.suggestDays, model_version: model.info.version });
  // A model that gets the 一级分类 of fewer than 60 % of its held-out tickets right (a day of a US
  // 311 export: 32 %) is no judge of the operators' filing: no 疑似分类不符 from it.
  const accuracy = model.info.metrics?.categoryL1?.accuracy;
  const judging = accuracy === undefined || accuracy >= MIN_JUDGING_ACCURACY;
  const threshold = judging ? config.text.mismatchConfidence : Number.POSITIVE_INFINITY;
  let written = 0;
  let mismatches = 0;
  await warehouse.run(`create or replace temp table new_suggestions as select * from ticket_suggestions limit 0`);
  // Judged a batch at a time (the service keeps answering between slices), written in one go.
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const appender = await warehouse.connection.createAppender('new_suggestions', 'main', 'temp');
    const now = new Date();
    const judgements = await mapInSlices(batch, (row) => judge(model, row, threshold));
    for (const [i, row] of batch.entries()) {
      const judged = judgements[i];
      if (!judged) continue;
      if (judged.mismatch) mismatches++;
      appender.appendVarchar(row.ticket_id);
      appender.appendBigInt(BigInt(row.last_run_id));
      appender.appendVarchar(model.info.version);
      appender.appendVarchar(judged.category_l1);
      nullable(appender, judged.category_l2);
      appender.appendDouble(judged.confidence);
      appender.appendDouble(judged.l1Confidence);
      if (judged.operatorConfidence === null) appender.appendNull();
      else appender.appendDouble(judged.operatorConfidence);
      nullable(appender, judged.mismatch);
      nullable(appender, judged.unit?.unit ?? null);
      if (judged.unit) appender.appendDouble(judged.unit.confidence);
      else appender.appendNull();
      nullable(appender, judged.unit?.basis ?? null);
      appender.appendValue(wallClock(now));
      appender.endRow();
      written++;
    }
    appender.closeSync();
  }
  if (written > 0) {
    await warehouse.transaction(async () => {
      await warehouse.run('delete from ticket_suggestions where ticket_id in (select ticket_id from new_suggestions)');
      await warehouse.run('insert into ticket_suggestions select * from new_suggestions');
      await options.alongside?.();
    });
  }
  await warehouse.run('drop table if exists new_suggestions');
  const flagged = judging
    ? `其中疑似分类不符 ${mismatches} 条`
    : `模型留出准确率 ${(accuracy! * 100).toFixed(1)}% 低于 ${MIN_JUDGING_ACCURACY * 100}%，不判断疑似分类不符`;
  return { tickets: written, mismatches, message: `已为 ${written} 条工单生成建议，${flagged} / suggestions for ${written} tickets, ${mismatches} suspected mis-filings` };
}

interface Judgement {
  category_l1: string;
  category_l2: string | null;
  confidence: number;
  l1Confidence: number;
  operatorConfidence: number | null;
  mismatch: 'l1' | 'l2' | null;
  unit: ReturnType<TextModel['suggestUnit']>;
}

/**
 * The model's judgement of one ticket. "Strongly disagrees" means: the model gives its own
 * category at least `threshold` and the operator's at most 1 − threshold — at 一级, or at 二级
 * when both agree on the 一级. A thank-you (表扬) is never judged so: it is filed under the matter
 * it praises or under 表扬感谢, and its words of thanks ("此前反映的…问题已经解决，感谢…") say
 * nothing the model can check the category by — on the demo every suspected mis-filing of a
 * month was one, at 93–100 %.
 */
export function judge(model: TextModel, row: Omit<TicketToSuggest, 'last_run_id'>, threshold: number): Judgement | null {
  const text = row.content.trim();
  if (!text && !row.category_l1) return null;
  const suggestion = text ? model.suggestCategory(text, row.ticket_id) : null;
  let operatorConfidence: number | null = null;
  let mismatch: Judgement['mismatch'] = null;
  const praise = row.appeal_type === '表扬';
  if (suggestion && row.category_l1) {
    const l1Operator = model.l1.probabilityOf(suggestion.l1Probabilities, row.category_l1);
    operatorConfidence = l1Operator;
    if (suggestion.category_l1 !== row.category_l1) {
      if (!praise && suggestion.l1Confidence >= threshold && l1Operator <= 1 - threshold && model.l1.labels.includes(row.category_l1)) mismatch = 'l1';
    } else if (row.category_l2) {
      const l2Operator = model.l2ProbabilityOf(text, row.category_l1, row.category_l2, row.ticket_id);
      if (l2Operator !== null) {
        operatorConfidence = l1Operator * l2Operator;
        const l2Own = suggestion.confidence / suggestion.l1Confidence;
        if (!praise && suggestion.category_l2 !== row.category_l2 && l2Own >= threshold && l2Operator <= 1 - threshold) mismatch = 'l2';
      }
    }
  }
  const category_l1 = suggestion?.category_l1 ?? row.category_l1!;
  const category_l2 = suggestion ? suggestion.category_l2 : row.category_l2;
  // Route by the operator's category where there is one; the text's guess only fills a gap.
  const unit = model.suggestUnit({ category_l1: row.category_l1 ?? category_l1, category_l2: row.category_l1 ? row.category_l2 : category_l2, district: row.district, township: row.township, place: row.place });
  return { category_l1, category_l2, confidence: suggestion?.confidence ?? 0, l1Confidence: suggestion?.l1Confidence ?? 0, operatorConfidence, mismatch, unit };
}

function nullable(appender: { appendVarchar(v: string): void; appendNull(): void }, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

/** Now as Beijing wall-clock time, the way the warehouse stores every timestamp. */
function wallClock(now: Date): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(now.getTime() + 8 * 3600_000) * 1000n);
}
