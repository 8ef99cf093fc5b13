import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../src/lib/errors.js';
import {
  attributeValues,
  badRequest,
  parseW3cDatetime,
  splitList,
  str,
  text,
  titleFrom,
  TITLE_MAX,
  validateAttributes,
  type CategoryAttribute,
} from '../../src/features/open311/parse.js';

describe('parseW3cDatetime', () => {
  it('reads Z and offsets, with or without a colon, and fractions of a second', () => {
    expect(parseW3cDatetime('2026-03-02T09:00:00Z')).toEqual({ at: new Date('2026-03-02T09:00:00Z'), dateOnly: false });
    expect(parseW3cDatetime('2026-03-02T09:00:00+07:00')?.at).toEqual(new Date('2026-03-02T02:00:00Z'));
    expect(parseW3cDatetime('2026-03-02T09:00:00+0700')?.at).toEqual(new Date('2026-03-02T02:00:00Z'));
    expect(parseW3cDatetime('2026-03-02T09:00:00-05:30')?.at).toEqual(new Date('2026-03-02T14:30:00Z'));
    expect(parseW3cDatetime('2026-03-02T09:00:00.123456789Z')?.at).toEqual(new Date('2026-03-02T09:00:00.123Z'));
  });

  it('reads a date alone, or a time without offset, in Asia/Ho_Chi_Minh', () => {
    expect(parseW3cDatetime('2026-03-02')).toEqual({ at: new Date('2026-03-01T17:00:00Z'), dateOnly: true });
    expect(parseW3cDatetime('2026-03-02T09:00')).toEqual({ at: new Date('2026-03-02T02:00:00Z'), dateOnly: false });
    expect(parseW3cDatetime('2026-03-02 09:00:30')?.at).toEqual(new Date('2026-03-02T02:00:30Z'));
    expect(parseW3cDatetime('  2026-03-02  ')?.dateOnly).toBe(true);
  });

  it('refuses impossible dates, times and offsets, and other formats', () => {
    for (const s of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-03-02T24:00', '2026-03-02T09:60', '2026-03-02T09:00:61', '2026-03-02T09:00+15:00', '2026-03-02T09:00+07:60', '02/03/2026', '2026-3-2', '', 'hôm nay']) {
      expect(parseW3cDatetime(s), s).toBeNull();
    }
    expect(parseW3cDatetime('2028-02-29')?.dateOnly).toBe(true);
  });
});

describe('field values', () => {
  it('str takes the last of repeated values and numbers and booleans as text', () => {
    expect(str(undefined)).toBeUndefined();
    expect(str(null)).toBeUndefined();
    expect(str(['a', 'b'])).toBe('b');
    expect(str([])).toBeUndefined();
    expect(str(12.5)).toBe('12.5');
    expect(str(true)).toBe('true');
    expect(str({ a: 1 })).toBeUndefined();
  });

  it('text is undefined when blank, one line except the description', () => {
    expect(text({ a: '   ' }, 'a')).toBeUndefined();
    expect(text({}, 'a')).toBeUndefined();
    expect(text({ a: ' Phố Huế ' }, 'a')).toBe('Phố Huế');
    expect(text({ description: 'dòng 1\ndòng 2' }, 'description')).toBe('dòng 1\ndòng 2');
    expect(text({ a: 'dòng 1\ndòng 2' }, 'a')).not.toContain('\n');
  });

  it('splitList unites repeated keys and comma lists, in order, without duplicates', () => {
    expect(splitList(undefined)).toEqual([]);
    expect(splitList('')).toEqual([]);
    expect(splitList('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(splitList(['a,b', 'b', ' c '])).toEqual(['a', 'b', 'c']);
  });

  it('titleFrom takes the first non-blank line, cut at a word with an ellipsis', () => {
    expect(titleFrom('\n  Chậm cấp phép  \nchi tiết')).toBe('Chậm cấp phép');
    const long = `${'từ '.repeat(60)}`.trim();
    const t = titleFrom(long);
    expect(t.length).toBeLessThanOrEqual(TITLE_MAX);
    expect(t.endsWith('từ…')).toBe(true);
    const word = 'x'.repeat(150);
    expect(titleFrom(word)).toBe(`${'x'.repeat(TITLE_MAX - 1)}…`);
  });

  it('badRequest lists every field error in its detail', () => {
    const e = badRequest([
      { path: 'lat', message: 'is required with long' },
      { path: 'email', message: 'is not a valid e-mail address' },
    ]);
    expect(e.message).toBe('lat: is required with long; email: is not a valid e-mail address');
  });
});

describe('attributes', () => {
  it('reads attribute[code], attribute[code][] and a JSON attribute object, dropping blank values', () => {
    const v = attributeValues({
      'attribute[so]': 'XD-1',
      'attribute[loai][]': ['a', ' ', 'b'],
      attribute: { ngay: '2026-03-02', so_tang: 3 },
      other: 'x',
    });
    expect([...v.entries()]).toEqual([
      ['so', ['XD-1']],
      ['loai', ['a', 'b']],
      ['ngay', ['2026-03-02']],
      ['so_tang', ['3']],
    ]);
  });

  const defs: CategoryAttribute[] = [
    { code: 'so', datatype: 'string', required: true, description: 'Số hồ sơ', order: 1 },
    { code: 'loai', datatype: 'singlevaluelist', description: 'Loại công trình', order: 2, values: [{ key: 'nha_o', name: 'Nhà ở' }, { key: 'xuong', name: 'Nhà xưởng' }] },
    { code: 'ngay', datatype: 'datetime', description: 'Ngày nộp', order: 3 },
    { code: 'tang', datatype: 'number', description: 'Số tầng', order: 5 },
    { code: 'thu_tuc', datatype: 'multivaluelist', description: 'Thủ tục', order: 4, values: [{ key: 'a', name: 'Cấp phép' }, { key: 'b', name: 'Gia hạn' }] },
  ];

  it('gives the content lines in the definitions order', () => {
    const errors: FieldError[] = [];
    const given = new Map([
      ['tang', ['3,5']],
      ['thu_tuc', ['a', 'b']],
      ['ngay', ['2026-03-02']],
      ['loai', ['xuong']],
      ['so', ['XD-1']],
    ]);
    expect(validateAttributes(defs, given, errors)).toEqual([
      { label: 'Số hồ sơ', value: 'XD-1' },
      { label: 'Loại công trình', value: 'Nhà xưởng' },
      { label: 'Ngày nộp', value: '02/03/2026' },
      { label: 'Thủ tục', value: 'Cấp phép; Gia hạn' },
      { label: 'Số tầng', value: '3,5' },
    ]);
    expect(errors).toEqual([]);
    const at = validateAttributes(defs, new Map([['so', ['1']], ['ngay', ['2026-03-02T09:30:00+07:00']]]), errors);
    expect(at[1]).toEqual({ label: 'Ngày nộp', value: '09:30 ngày 02/03/2026' });
  });

  it('reports every problem: unknown, required, one value, datatype, list keys, length', () => {
    const errors: FieldError[] = [];
    const lines = validateAttributes(
      defs,
      new Map([
        ['khac', ['x']],
        ['loai', ['nha_o', 'xuong']],
        ['ngay', ['mai']],
        ['tang', ['ba']],
        ['thu_tuc', ['a', 'z']],
      ]),
      errors,
    );
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      { path: 'attribute[khac]', message: 'this service has no such attribute' },
      { path: 'attribute[so]', message: 'is required for this service' },
      { path: 'attribute[loai]', message: 'takes one value' },
      { path: 'attribute[ngay]', message: 'must be an ISO 8601 date or datetime' },
      { path: 'attribute[thu_tuc]', message: '"z" is not one of a, b' },
      { path: 'attribute[tang]', message: 'must be a number' },
    ]);
    const long: FieldError[] = [];
    validateAttributes([{ code: 's', datatype: 'string', description: 'S' }, { code: 't', datatype: 'text', description: 'T' }], new Map([['s', ['x'.repeat(501)]], ['t', ['x'.repeat(4000)]]]), long);
    expect(long).toEqual([{ path: 'attribute[s]', message: 'must be at most 500 characters' }]);
  });
});
