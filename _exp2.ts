import { Warehouse, sqlFile } from './pipelines/warehouse.js';
import { csvRelation } from './pipelines/ingest/source.js';
import { COMMON_DATE_FORMATS } from './pipelines/ingest/profiles.js';
const csv = '/tmp/ingest-bench5/tickets.csv';
const N = 27;
const rel = csvRelation(csv, N, { numbered: false });
const w = await Warehouse.open(':memory:');
await w.run(sqlFile('ingest/macros.sql'));
const formats = `[${COMMON_DATE_FORMATS.map((f) => `'${f}'`).join(',')}]`;
const all = Array.from({ length: N }, (_, i) => `c${i}`);
const clean = (c: string) => `case when ${c} like ' %' or ${c} like '% ' then nullif(trim(${c}), '') else nullif(${c}, '') end`;
const exprs: Record<string, string> = {
  'base c7': String.raw`max(strlen(c7))`,
  'squash regex guard': String.raw`max(hp_squash(c7))`,
  'squash contains guard': String.raw`max(case when contains(c7, '  ') or contains(c7, chr(9)) or contains(c7, chr(10)) or contains(c7, chr(13)) or contains(c7, chr(12)) or contains(c7, '　') or starts_with(c7, ' ') or ends_with(c7, ' ') then trim(regexp_replace(c7, '[\s\x{3000}]+', ' ', 'g')) else c7 end)`,
  'mask_name now': String.raw`max(hp_mask_name(c7, c11))`,
  'mask_name contains': String.raw`max(case when c11 is null or c7 is null or length(c11) < 2 or not contains(c7, c11) then c7 else replace(c7, c11, '***') end)`,
  'mask now': String.raw`max(hp_mask_text(c7))`,
  'mobile only': String.raw`max(regexp_replace(c7, '(^|[^0-9])((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})', '\1\2****\3', 'g'))`,
  'rest guard': String.raw`max(regexp_matches(c7, '[0-9]{17}|0[0-9]{2,3}[- ]?[0-9]{7}|(电话|固话|座机|手机|联系方式)(号码|号|是|为|[:：\s])*[0-9]{3,4}-?[0-9]{4}([^0-9]|$)'))`,
  'digit7 guard': String.raw`max(regexp_matches(c7, '[0-9]{7}|[0-9]{3}[- ][0-9]{4}'))`,
};
for (let r = 0; r < 2; r++) for (const [k, e] of Object.entries(exprs)) {
  const c = process.cpuUsage(); await w.run(`select ${e}, max(strlen(c11)) from ${rel}`); const d = process.cpuUsage(c);
  console.log(r, k.padEnd(24), ((d.user + d.system) / 1e6).toFixed(2));
}
w.close();
