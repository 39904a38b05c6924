import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  errorCatalogue,
  CommandTimeoutError,
  CgroupInvalidError,
  VmpathError,
  asVmpathError,
} from '../../../agent/model/errors';

describe('error catalogue', () => {
  const docs = readFileSync(path.join(__dirname, '../../../docs/errors.md'), 'utf8');

  it.each(errorCatalogue().map((s) => [s.code, s]))(
    '%s is documented in docs/errors.md with its retry class',
    (code, spec) => {
      const row = docs.split('\n').find((l) => l.includes(`\`${code}\``));
      expect(row).toBeDefined();
      expect(row).toContain(spec.retryable ? 'retryable' : 'terminal');
    },
  );

  it('codes are unique, stable-looking and prefixed', () => {
    const codes = errorCatalogue().map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^VMPATH_E_[A-Z0-9_]+$/);
  });

  it('one class per code, with retryable flag and details', () => {
    const e = new CommandTimeoutError('multipathd show maps json: timed out', { timeoutMs: 5 });
    expect(e).toBeInstanceOf(VmpathError);
    expect(e).toBeInstanceOf(CommandTimeoutError);
    expect(e).not.toBeInstanceOf(CgroupInvalidError);
    expect(e.code).toBe('VMPATH_E_COMMAND_TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.name).toBe('CommandTimeoutError');
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: e.code,
      message: e.message,
      retryable: true,
      details: { timeoutMs: 5 },
    });
  });

  it('asVmpathError keeps VmpathErrors and wraps anything else with its cause', () => {
    const typed = new CgroupInvalidError('x');
    expect(asVmpathError(typed)).toBe(typed);
    const raw = new Error('boom');
    const wrapped = asVmpathError(raw);
    expect(wrapped.message).toBe('boom');
    expect(wrapped.cause).toBe(raw);
  });
});
