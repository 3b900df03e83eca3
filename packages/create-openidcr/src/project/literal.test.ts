import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tsLiteral } from './literal.js';

describe('tsLiteral', () => {
  it('writes the repository style: single quotes, bare keys, trailing commas, short arrays inline', () => {
    expect(tsLiteral({ name: "St Luke's", kind: 'gp-practice', 'odd-key': [1, 'a'], users: [{ id: 'x' }], empty: {}, none: [] })).toBe(
      "{\n  name: 'St Luke\\'s',\n  kind: 'gp-practice',\n  'odd-key': [1, 'a'],\n  users: [\n    {\n      id: 'x',\n    },\n  ],\n  empty: {},\n  none: [],\n}",
    );
  });

  it('evaluates back to the same value, for any JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as unknown;
        // Evaluating the generated source is the point of this test: it must mean exactly the value written.
        expect(new Function(`return (${tsLiteral(normalised)});`)()).toEqual(normalised);
      }),
      { numRuns: 300 },
    );
  });
});
