// Every CSV the portal writes is safe to open in a spreadsheet: no cell is read as a formula.
import { describe, expect, it } from 'vitest';
import { csvText } from '../../src/lib/csv.ts';
import { toCsv } from '../../src/server/reports/tables.ts';

describe('CSV cells', () => {
  it('neutralises what a spreadsheet would run, and quotes what needs it', () => {
    expect(csvText('=HYPERLINK("http://x","clic")')).toBe(`"'=HYPERLINK(""http://x"",""clic"")"`);
    for (const start of ['+', '-', '@', '\t', '\r'])
      expect(csvText(`${start}1+1`).startsWith(`'`) || csvText(`${start}1+1`).startsWith(`"'`)).toBe(true);
    expect(csvText('Développeuse')).toBe('Développeuse');
    expect(csvText('Auch; Gers')).toBe('"Auch; Gers"');
  });

  it('in a report: a family’s typed profession cannot become a formula; numbers keep their sign', () => {
    const csv = toCsv(
      {
        id: 'professions',
        title: 'Professions',
        columns: ['Profession', 'Familles', 'Écart'],
        rows: [['=1+2', 3, -1.5]],
      } as never,
      ';',
    );
    expect(csv).toBe('\uFEFFProfession;Familles;Écart\r\n\'=1+2;3;"-1,5"\r\n');
  });
});
