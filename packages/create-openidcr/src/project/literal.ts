const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/**
 * A JSON value as TypeScript source in the repository's style: single quotes, unquoted identifier keys, two-space
 * indentation, trailing commas, arrays of plain values on one line. `indent` is the indentation of the line it starts on.
 */
export function tsLiteral(value: unknown, indent = ''): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return quote(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => tsLiteral(item)).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${tsLiteral(item, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    // `__proto__: x` (quoted or not) would set the prototype; only a computed key makes it an own property.
    const keyOf = (key: string) => (key === '__proto__' ? `['__proto__']` : IDENTIFIER.test(key) ? key : quote(key));
    return `{\n${entries.map(([key, v]) => `${inner}${keyOf(key)}: ${tsLiteral(v, inner)},`).join('\n')}\n${indent}}`;
  }
  throw new TypeError(`cannot write ${typeof value} as a literal`);
}
