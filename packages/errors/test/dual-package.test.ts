import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built package, as a consumer loads it: `import` gets dist/index.js, `require` gets
// dist/index.cjs. A process that has both (a CommonJS app requiring @keepwatch/metrics, whose
// errors come from the CommonJS copy, and ESM code importing @keepwatch/errors) holds two
// KeepwatchError classes; catching by class must work across them.
type ErrorsModule = typeof import('../src/index.js');
const esm = (await import('@keepwatch/errors')) as ErrorsModule;
const cjs = createRequire(import.meta.url)('@keepwatch/errors') as ErrorsModule;

describe('KeepwatchError across the CommonJS and ESM copies', () => {
  it('loads two distinct classes (the hazard this guards against)', () => {
    expect(cjs.KeepwatchError).not.toBe(esm.KeepwatchError);
  });

  it('an error of either copy is instanceof the other copy’s KeepwatchError', () => {
    class FromCommonJs extends cjs.KeepwatchError<'KW_EXAMPLE'> {}
    class FromEsm extends esm.KeepwatchError<'KW_EXAMPLE'> {}
    const a = new FromCommonJs('KW_EXAMPLE', 'from the CommonJS copy');
    const b = new FromEsm('KW_EXAMPLE', 'from the ESM copy');
    expect(a instanceof esm.KeepwatchError).toBe(true);
    expect(b instanceof cjs.KeepwatchError).toBe(true);
    expect(esm.isKeepwatchError(a)).toBe(true);
    expect(cjs.isKeepwatchError(b)).toBe(true);
  });

  it('a subclass still matches only its own instances', () => {
    class One extends esm.KeepwatchError<'KW_ONE'> {}
    class Two extends esm.KeepwatchError<'KW_TWO'> {}
    expect(new One('KW_ONE', 'x') instanceof One).toBe(true);
    expect(new One('KW_ONE', 'x') instanceof Two).toBe(false);
    expect(new esm.KeepwatchError('KW_ONE', 'x') instanceof One).toBe(false);
  });

  it('takes nothing else for a keepwatch error', () => {
    expect(new Error('x') instanceof esm.KeepwatchError).toBe(false);
    expect({ code: 'KW_FAKE' } instanceof cjs.KeepwatchError).toBe(false);
    expect((null as unknown) instanceof esm.KeepwatchError).toBe(false);
  });
});
