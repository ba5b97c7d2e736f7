import { describe, expect, it } from 'vitest';
import { CsvScanner, headerNames, sniffDelimiter, splitRecord, type Resume } from '../../pipelines/ingest/csv-scanner.js';
import { RefusedFile, type RejectedRecord } from '../../pipelines/ingest/source.js';

/**
 * The CSV scanner on its own, without files: bytes in, header / records with their lines /
 * rejected records out, chunk boundaries anywhere. (The bad-input tests drive it through ingest.)
 */

interface Scanned {
  header: string[] | null;
  delimiter: number | null;
  records: [number, string][];
  rejected: RejectedRecord[];
  resume: Resume | null;
  count: number;
}

/** Scans `text` cut into chunks of `chunk` bytes (so boundaries fall inside characters and quotes). */
function scan(text: string | Buffer, options: { chunk?: number; maxFieldBytes?: number; start?: Resume; header?: { names: string[]; delimiter: number } } = {}): Scanned {
  const out: Scanned = { header: null, delimiter: null, records: [], rejected: [], resume: null, count: 0 };
  const scanner = new CsvScanner(
    {
      header: (names, delimiter) => Object.assign(out, { header: names, delimiter }),
      record: (line, body) => out.records.push([line, body.toString('utf8')]),
      reject: (record) => out.rejected.push(record),
    },
    { label: 'test.csv', maxFieldBytes: options.maxFieldBytes ?? 1000, start: options.start, header: options.header },
  );
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const size = options.chunk ?? bytes.length;
  for (let at = options.start?.position ?? 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
  out.resume = scanner.finish();
  out.count = scanner.records;
  return out;
}

describe('the CSV scanner', () => {
  it('reads the header, the delimiter and each record with the line it starts on, whatever the chunk size', () => {
    const text = '编号,内容,状态\n1,"第一行\n第二行",已办结\n2,"他说""好""",办理中\n3,普通,已办结';
    for (const chunk of [1, 2, 3, 7, 1000]) {
      const result = scan(text, { chunk });
      expect(result.header).toEqual(['编号', '内容', '状态']);
      expect(result.delimiter).toBe(0x2c);
      expect(result.records).toEqual([
        [2, '1,"第一行\n第二行",已办结'],
        [4, '2,"他说""好""",办理中'],
        [5, '3,普通,已办结'],
      ]);
      expect(result.rejected).toEqual([]);
      expect(result.count).toBe(3);
    }
  });

  it('skips blank lines (also above the header and lines of only delimiters) but keeps counting lines', () => {
    const result = scan('\n\n编号,内容\n\n1,a\n,\n2,b\r\n\r\n3,c\r\n', { chunk: 3 });
    expect(result.header).toEqual(['编号', '内容']);
    expect(result.records).toEqual([[5, '1,a'], [7, '2,b'], [9, '3,c']]);
  });

  it('rejects a wrong field count, text after a closing quote and a lone CR with their line; the rest passes', () => {
    const result = scan('a,b,c\n1,2,3\n1,2\n1,"x"y,3\n1,2\r3,4\n5,6,7\n', { chunk: 4 });
    expect(result.records).toEqual([[2, '1,2,3'], [6, '5,6,7']]);
    expect(result.rejected.map((r) => [r.row, r.reason.split(/ ?\/ /)[0]])).toEqual([
      [3, '字段数不符：表头有 3 列，这一行有 2 列（可能缺少引号或分隔符）'],
      [4, '结束引号后还有其他文字（字段中的引号应写成两个引号 ""）'],
      [5, '字段中有单独的回车符（CR），不是 CRLF 换行'],
    ]);
    expect(result.rejected[0].fields).toEqual(['1', '2']);
  });

  it('rejects a field over the limit, keeping only a preview, and says which column', () => {
    const long = 'x'.repeat(5000);
    const result = scan(`编号,内容\n1,${long}\n2,ok\n`, { chunk: 64, maxFieldBytes: 1000 });
    expect(result.records).toEqual([[3, '2,ok']]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ row: 2, trustedFields: 1 });
    expect(result.rejected[0].reason).toContain('字段“内容”长 5,000 字节，超过上限 1,000 字节');
    expect(result.rejected[0].fields[1].length).toBe(200);
  });

  it('a quote that never closes: the record is rejected and the scan says where to resume; resumed, it reads the rest', () => {
    const text = 'a,b\n1,ok\n2,"stray\n3,fine\n4,fine\n';
    const first = scan(text);
    expect(first.records).toEqual([[2, '1,ok']]);
    expect(first.rejected.map((r) => [r.row, r.reason.split(/ ?\/ /)[0]])).toEqual([[3, '第 3 行的引号一直到文件末尾都没有闭合（多了一个引号？）；这一行未导入，从第 4 行起继续读取']]);
    expect(first.resume).toEqual({ position: text.indexOf('3,fine'), line: 4 });
    const second = scan(text, { start: first.resume!, header: { names: first.header!, delimiter: first.delimiter! } });
    expect(second.records).toEqual([[4, '3,fine'], [5, '4,fine']]);
    expect(second.resume).toBeNull();
  });

  it('a file cut inside a quoted field on its last line: that record is rejected as truncated, nothing to resume', () => {
    const result = scan('a,b\n1,ok\n2,"cut');
    expect(result.records).toEqual([[2, '1,ok']]);
    expect(result.rejected[0].reason).toMatch(/^文件在第 3 行开始的引号内结束/);
    expect(result.resume).toBeNull();
  });

  it('refuses a header with an unclosed quote or control characters', () => {
    expect(() => scan('"a,b\n1,2\n')).toThrow(RefusedFile);
    expect(() => scan('a\u0001,b\n1,2\n')).toThrow(/第一行含有控制字符/);
  });

  it('sniffs tab, semicolon and pipe delimiters; splits quoted cells; cleans header names', () => {
    expect(sniffDelimiter('a\tb\tc')).toBe(0x09);
    expect(sniffDelimiter('a;b;c')).toBe(0x3b);
    expect(sniffDelimiter('a|b')).toBe(0x7c);
    expect(sniffDelimiter('single')).toBe(0x2c);
    expect(splitRecord(Buffer.from('1,  "a,b" ,"x""y",plain "q"'), 0x2c)).toEqual(['1', 'a,b', 'x"y', 'plain "q"']);
    expect(headerNames(Buffer.from('\uFEFF工单 编号, 受理\u3000时间 ,'), 0x2c)).toEqual(['工单 编号', '受理 时间', '']);
    const result = scan('a\tb\n1\t2\n');
    expect([result.header, result.delimiter, result.records]).toEqual([['a', 'b'], 0x09, [[2, '1\t2']]]);
  });
});
