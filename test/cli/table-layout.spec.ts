import { describe, expect, it } from 'vitest';
import { clip, renderColumns, type Column } from '../../src/cli/table-layout.js';

type R = { name: string; n: number };
const columns: Column<R>[] = [
  { title: 'NAME', width: 4, cell: (r, w) => clip(r.name, w), want: (rows) => Math.max(...rows.map((r) => r.name.length)) },
  { title: 'N', width: 3, right: true, cell: (r) => String(r.n) },
  { title: 'EXTRA', width: 5, cell: () => 'x' },
];
const rows = [{ name: 'abcdefgh', n: 7 }];

describe('renderColumns', () => {
  it('gives a growing column the room it wants and no more', () => {
    expect(renderColumns(rows, columns, { width: 40, color: false, dropOrder: [] })).toBe('NAME       N EXTRA\nabcdefgh   7 x\n');
  });

  it('drops optional columns in order, then clips what still does not fit', () => {
    expect(renderColumns(rows, columns, { width: 12, color: false, dropOrder: ['EXTRA'] })).toBe('NAME       N\nabcdefgh   7\n');
    expect(renderColumns(rows, columns, { width: 8, color: false, dropOrder: ['EXTRA'] })).toBe('NAME   N\nabc…   7\n');
  });

  it('clips with an ellipsis', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});
