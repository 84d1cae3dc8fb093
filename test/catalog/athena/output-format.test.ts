import { rowFormatter } from '../../../lib/catalog/athena/output-format';
import type { ResultColumn } from '../../../lib/catalog/athena/result-rows';

const columns: ResultColumn[] = [
  { key: 'text', name: 'text', type: 'varchar' },
  { key: 'amount', name: 'amount', type: 'decimal', precision: 10, scale: 2 },
  { key: 'ratio', name: 'ratio', type: 'double' },
  { key: 'doc', name: 'doc', type: 'json' },
  { key: 'id_2', name: 'id', type: 'bigint' },
];

describe('CSV', () => {
  const csv = rowFormatter('csv', columns);

  test('the header names each column by its key', () => {
    expect(csv.header()).toBe('text,amount,ratio,doc,id_2\n');
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'quotes commas, quotes and line breaks',
      { text: 'a,"b"\nc', amount: '1.50', ratio: 0.5, doc: { a: 'x,y' }, id_2: 12n },
      '"a,""b""\nc",1.50,0.5,"{""a"":""x,y""}",12\n',
    ],
    [
      'keeps NULL and the empty string apart',
      { text: '', amount: null, ratio: null, doc: null, id_2: null },
      '"",,,,\n',
    ],
    [
      'writes non-finite numbers and a JSON string as text',
      { text: 'x', amount: '-0.01', ratio: NaN, doc: 'hi', id_2: -1n },
      'x,-0.01,NaN,"""hi""",-1\n',
    ],
  ])('%s', (_name, row, line) => {
    expect(csv.row(row as never)).toBe(line);
  });
});

describe('JSON Lines', () => {
  const jsonl = rowFormatter('jsonl', columns);

  test('has no header', () => {
    expect(jsonl.header()).toBe('');
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'exact decimals and bigints as numbers, JSON nested',
      {
        text: 'é"',
        amount: '12345678901234567890.12',
        ratio: 1e-7,
        doc: [1, { b: null }],
        id_2: 2n ** 63n - 1n,
      },
      '{"text":"é\\"","amount":12345678901234567890.12,"ratio":1e-7,"doc":[1,{"b":null}],"id_2":9223372036854775807}',
    ],
    [
      'decimals made valid JSON numbers, infinities as strings',
      { text: null, amount: '+.5', ratio: Infinity, doc: null, id_2: null },
      '{"text":null,"amount":0.5,"ratio":"Infinity","doc":null,"id_2":null}',
    ],
    [
      'a negative decimal without a leading zero',
      { text: 'x', amount: '-.25', ratio: -Infinity, doc: 'hi', id_2: 0n },
      '{"text":"x","amount":-0.25,"ratio":"-Infinity","doc":"hi","id_2":0}',
    ],
  ])('%s', (_name, row, line) => {
    const text = jsonl.row(row as never);
    expect(text).toBe(`${line}\n`);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  test('a decimal with a trailing point', () => {
    expect(jsonl.row({ text: null, amount: '5.', ratio: 0, doc: null, id_2: null })).toContain(
      '"amount":5,',
    );
  });
});
