// Tests for the text and HTML renderings of a drift report: ordering, escaping, self-containment, size.
import { describe, expect, it } from 'vitest';
import { renderDriftHtml } from './render-html';
import { columnsByDrift, renderDriftText } from './render-text';
import { driftReport } from './report';
import { driftTablesFromRecords } from './table';

function report(n: number) {
  const ref = Array.from({ length: n }, (_, i) => ({
    steady: i % 7,
    '<script>alert(1)</script>': i % 3 ? 'a&b' : '"quoted"',
    shifted: (i * 7919) % 1000,
    id: `row-${i}`,
  }));
  const cur = Array.from({ length: n }, (_, i) => ({
    steady: (i + 3) % 7,
    '<script>alert(1)</script>': i % 2 ? 'a&b' : '<b>bold</b>',
    shifted: ((i * 7919) % 1000) + 400,
    id: `row-${i + n}`,
  }));
  const t = driftTablesFromRecords(ref, cur);
  return driftReport(t.reference, t.current);
}

describe('renderDriftText', () => {
  it('lists drifted columns first with the verdict and a summary line', () => {
    const r = report(2000);
    const text = renderDriftText(r, { reference: 'ref.csv', current: 'cur.csv' });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Reference: ref.csv, 2000 rows   Current: cur.csv, 2000 rows');
    expect(lines[1]).toMatch(/^DATASET DRIFT: 3 of 4 tested columns drifted \(75%/);
    const body = lines.slice(lines.findIndex((l) => l.startsWith('---')) + 1);
    expect(body).toHaveLength(4);
    expect(body.slice(0, 3).every((l) => l.includes('DRIFT'))).toBe(true);
    expect(body[3]).toMatch(/^steady\s.*\sok\s/);
    expect(columnsByDrift(r).map((c) => c.drifted)).toEqual([true, true, true, false]);
  });
});

describe('renderDriftHtml', () => {
  it('escapes every data string and makes no external requests', () => {
    const html = renderDriftHtml(report(300), {
      reference: 'a<b>.csv',
      current: 'c.csv',
      generatedAt: '2026-01-01',
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('a&lt;b&gt;.csv');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/url\(/);
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
  });

  it('stays far under 1 MB however many rows there are', () => {
    const html = renderDriftHtml(report(50_000));
    expect(html.length).toBeLessThan(200_000);
  });
});
