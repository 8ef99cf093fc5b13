import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/lib/csv.js';

/**
 * How a spreadsheet reads a CSV line with a given list separator (Excel's lenient reading): a
 * field that starts with a quote runs to the closing quote ("" is a quote); anything else runs
 * to the next separator. Returns each cell's text as the spreadsheet would evaluate it.
 */
function splitLine(line: string, sep: ',' | ';'): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') (cell += '"'), i++;
        else if (line[i] === '"') {
          i++;
          break;
        } else cell += line[i];
      }
      // after the closing quote, text up to the separator is appended
      while (i < line.length && line[i] !== sep) cell += line[i++];
    } else {
      while (i < line.length && line[i] !== sep) cell += line[i++];
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    i++;
  }
}

/** The cells of a whole file, read as RFC 4180 (quoted line breaks stay in their cell). */
function rfc4180Cells(csv: string): string[] {
  const text = csv.replace(/^\uFEFF/, '');
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\n') (out.push(cell), (cell = ''));
    else if (ch !== '\r') cell += ch;
  }
  return out;
}

/** The raw text of each field of one physical line, split on every separator. */
const rawFields = (line: string, sep: string) => line.split(sep);

const opensAsFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);

function cellsOf(csv: string, sep: ',' | ';'): string[] {
  return csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .flatMap((l) => splitLine(l, sep));
}

describe('CSV export', () => {
  it('does not let "Công ty An Phát;=1+2" become a formula in a spreadsheet splitting on ";" (Vietnamese Excel)', () => {
    const csv = toCsv(['id', 'businessName', 'note'], [[1, 'Công ty An Phát;=1+2', 'x,@SUM(A1)']]);
    for (const sep of [',', ';'] as const) {
      const formulas = cellsOf(csv, sep).filter(opensAsFormula);
      expect(formulas, sep).toEqual([]);
    }
    // before: the ";" reader met "=1+2" as a cell of its own
    expect(splitLine('1,"Công ty An Phát;=1+2",x', ';')).toContain('=1+2",x');
  });

  it('prefixes a leading =, +, -, @, tab or CR with an apostrophe, and leaves numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+84912345678')).toBe("'+84912345678");
    expect(csvCell('-2+3+cmd')).toBe("'-2+3+cmd");
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell('-3')).toBe('-3');
    expect(csvCell(0.6667)).toBe('0.6667');
    expect(csvCell(null)).toBe('');
  });

  it('stays RFC 4180 for machines: quotes fields with quotes, separators and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('Nói "không"')).toBe('"Nói ""không"""');
    expect(csvCell('dòng 1\r\ndòng 2')).toBe('"dòng 1\r\ndòng 2"');
    expect(csvCell('Sở Xây dựng')).toBe('Sở Xây dựng');
    const csv = toCsv(['a', 'b'], [['x,y', 'z']]);
    expect(csv).toBe('\uFEFFa,b\r\n"x,y",z\r\n');
    expect(splitLine('"x,y",z', ',')).toEqual(['x,y', 'z']);
  });

  it('never yields a formula cell, whatever the text, whichever the separator', () => {
    const text = fc.string({ maxLength: 20, unit: fc.constantFrom('a', 'đ', ' ', ',', ';', '"', '=', '+', '-', '@', '\t', '\r', '\n', '1', '(', ')') });
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (rows) => {
        const csv = toCsv(['h1'], rows);
        // a reader splitting on "," follows the quotes: its cells are the values, made safe
        for (const cell of rfc4180Cells(csv)) expect(opensAsFormula(cell), JSON.stringify(cell)).toBe(false);
        // a reader splitting on ";" loses track of the quotes: any line break may start a row,
        // any ";" a cell; a cell it starts with a quote is text
        const lines = csv.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
        for (const l of lines) {
          for (const raw of rawFields(l, ';')) expect(!raw.startsWith('"') && opensAsFormula(raw), `; ${JSON.stringify(l)}`).toBe(false);
        }
      }),
      { numRuns: 500, seed: 20261130 },
    );
  });
});
