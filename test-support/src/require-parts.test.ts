// requireParts: present parts pass, missing ones fail under CI naming the part and skip (with a warning) elsewhere.
import { describe, expect, it, vi } from 'vitest';
import { requireParts } from './require-parts';

describe('requireParts', () => {
  it('returns true when every path exists and every flag is true', () => {
    expect(requireParts('suite', { here: import.meta.filename, flag: true }, {})).toBe(true);
  });

  it('throws under CI=true naming each missing part and its path', () => {
    expect(() =>
      requireParts(
        'the browser suite',
        { Chromium: '/no/such/chromium', here: import.meta.filename },
        { CI: 'true' },
      ),
    ).toThrow(
      'the browser suite needs Chromium (/no/such/chromium): missing under CI, where no test may skip',
    );
    expect(() => requireParts('s', { PostgreSQL: false }, { CI: '1' })).toThrow(
      's needs PostgreSQL: missing',
    );
  });

  it('skips with a warning outside CI (CI unset, empty, 0 or false)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const env of [{}, { CI: '' }, { CI: '0' }, { CI: 'false' }]) {
      expect(requireParts('s', { Chromium: '/no/such/chromium' }, env)).toBe(false);
    }
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn.mock.calls[0]?.[0]).toContain('s needs Chromium (/no/such/chromium)');
    warn.mockRestore();
  });
});
