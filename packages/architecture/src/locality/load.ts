import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalityConfigError, parseLocality, type Locality } from './locality.js';

/** The file names looked for, in order, when `loadLocalityConfig` is given a folder. */
export const CONFIG_FILE_NAMES = ['idcr.config.ts', 'idcr.config.mjs', 'idcr.config.js', 'idcr.config.json'] as const;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and checks a locality configuration: `idcr.config.json`, or a `.ts`/`.js`/`.mjs` module whose default export
 * is the configuration (a `.ts` file needs a runtime that loads TypeScript, such as Node 22.6+ with type stripping or
 * `tsx`). Given a folder, looks for `idcr.config.{ts,mjs,js,json}` in it. Throws a `LocalityConfigError` naming the
 * file and every bad field.
 */
export async function loadLocalityConfig(path = '.'): Promise<Locality> {
  let file = resolve(path);
  if (await isDirectory(file)) {
    const candidates = CONFIG_FILE_NAMES.map((name) => join(file, name));
    const found: string[] = [];
    for (const candidate of candidates) if (await exists(candidate)) found.push(candidate);
    if (found.length === 0) throw new LocalityConfigError([{ path: '(file)', message: `no ${CONFIG_FILE_NAMES.join(', ')} in ${file}` }]);
    file = found[0]!;
  }
  const extension = extname(file);
  let input: unknown;
  if (extension === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new LocalityConfigError([{ path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }]);
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new LocalityConfigError([{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }], file);
    }
  } else if (['.ts', '.mts', '.js', '.mjs', '.cjs'].includes(extension)) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      const code = (error as { code?: string }).code;
      const hint = code === 'ERR_UNKNOWN_FILE_EXTENSION' ? ' (this Node.js cannot load TypeScript: use idcr.config.mjs or .json, or run under tsx)' : '';
      throw new LocalityConfigError([{ path: '(file)', message: `cannot load ${file}: ${(error as Error).message}${hint}` }]);
    }
    if (module.default === undefined) throw new LocalityConfigError([{ path: '(file)', message: 'has no default export (export default defineLocality({...}))' }], file);
    input = module.default;
  } else {
    throw new LocalityConfigError([{ path: '(file)', message: `${file}: use a .json, .ts, .mjs or .js file` }]);
  }
  const result = parseLocality(input);
  if (!result.ok) throw new LocalityConfigError(result.issues, file);
  return result.locality;
}
