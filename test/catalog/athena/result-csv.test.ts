import type { CsvFields } from '../../../lib/catalog/athena/result-csv';
import { CsvFormatError, CsvRecordParser } from '../../../lib/catalog/athena/result-csv';

function parseWhole(text: string): CsvFields[] {
  const parser = new CsvRecordParser();
  return [...parser.push(text), ...parser.end()];
}

function parseInPieces(text: string, size: number): CsvFields[] {
  const parser = new CsvRecordParser();
  const records: CsvFields[] = [];
  for (let start = 0; start < text.length; start += size) {
    records.push(...parser.push(text.slice(start, start + size)));
  }
  return [...records, ...parser.end()];
}

// Athena's result CSV has no AWS documentation. PyAthena's docs/null_handling.rst says NULL is
// an unquoted empty field (`,,`) and the empty string a quoted one (`,"",`); AWS SDK for pandas
// reads the file with csv.QUOTE_ALL, and PyAthena's arrow reader with double_quote=True. Both
// forms of a value, quoted and not, are read here; anything else fails.
describe('CsvRecordParser', () => {
  test('reads quoted values, the empty string, and NULL as an unquoted empty field', () => {
    expect(parseWhole('"a","",\n')).toEqual([['a', '', null]]);
    expect(parseWhole(',"x",\n')).toEqual([[null, 'x', null]]);
  });

  test('doubled quotes, commas and line breaks inside quotes are part of the value', () => {
    expect(parseWhole('"say ""hi""","a,b","line 1\nline 2","cr\r\nlf","lone\rcr"\n')).toEqual([
      ['say "hi"', 'a,b', 'line 1\nline 2', 'cr\r\nlf', 'lone\rcr'],
    ]);
  });

  test('counts records, not lines', () => {
    expect(parseWhole('"h"\n"one\ntwo\nthree"\n"four"\n')).toEqual([
      ['h'],
      ['one\ntwo\nthree'],
      ['four'],
    ]);
  });

  test('reads values without quotes as they stand, and \\r\\n record ends', () => {
    expect(parseWhole('id,name\r\n1,alice\r\n2,""\r\n3,\r\n')).toEqual([
      ['id', 'name'],
      ['1', 'alice'],
      ['2', ''],
      ['3', null],
    ]);
  });

  test('an empty line is a record of one NULL, as a one-column result writes it', () => {
    expect(parseWhole('"n"\n"1"\n\n"3"\n')).toEqual([['n'], ['1'], [null], ['3']]);
  });

  test('a last record without a line end is read', () => {
    expect(parseWhole('"a","b"\n"1",')).toEqual([
      ['a', 'b'],
      ['1', null],
    ]);
    expect(parseWhole('"a"\n"1"')).toEqual([['a'], ['1']]);
    expect(parseWhole('a\n1')).toEqual([['a'], ['1']]);
    expect(parseWhole('')).toEqual([]);
  });

  test('reads the same records whatever the pieces are cut at', () => {
    const text =
      '"id","text","n"\r\n"1","a ""quoted"", text",\r\n"2","multi\nline\r\nvalue",""\n' +
      '3,plain,"x"\n,,\n"🙂 ünï","日本",""""\n';
    const whole = parseWhole(text);
    expect(whole).toHaveLength(6);
    for (let size = 1; size <= text.length; size++) {
      expect(parseInPieces(text, size)).toEqual(whole);
    }
  });

  test.each([
    [
      'a quote inside an unquoted value',
      '"a"\nab"c\n',
      2,
      'a quote inside a value that does not start with one',
    ],
    [
      'text after a closing quote',
      '"a","b"\n"x"y,"z"\n',
      2,
      '"y" after the closing quote of a value',
    ],
    ['a space after a closing quote', '"a"\n"x" \n', 2, '" " after the closing quote of a value'],
    ['a carriage return alone', '"a"\r"b"\n', 1, 'a carriage return that no line feed follows'],
    ['a quote that is never closed', '"a"\n"open\n', 2, 'the file ends inside a quoted value'],
    [
      'a carriage return at the end',
      '"a"\r',
      1,
      'the file ends with a carriage return that no line feed follows',
    ],
  ])('fails on %s, naming the record', (_name, text, record, problem) => {
    let error: unknown;
    try {
      parseWhole(text);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CsvFormatError);
    expect(error).toMatchObject({
      record,
      problem,
      message: `record ${record} (the header is record 1): ${problem}`,
    });
  });
});
