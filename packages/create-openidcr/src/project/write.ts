import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseAnswers, type AnswerIssue } from '../answers/answers.js';
import { buildProject, type Project } from './files.js';

/** Entries a folder may already hold and still count as empty (a fresh `git init`). */
const HARMLESS = new Set(['.git', '.DS_Store', 'Thumbs.db']);

/** Refused: the target folder has files in it and `force` was not given. */
export class TargetNotEmptyError extends Error {
  readonly directory: string;
  readonly entries: string[];
  constructor(directory: string, entries: string[]) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
    super(`${directory} is not empty (${shown}). Choose another folder, or use --force to write into it (files of the same name are replaced; others are left alone).`);
    this.name = 'TargetNotEmptyError';
    this.directory = directory;
    this.entries = entries;
  }
}

/** Refused: the answers do not make a valid locality; each issue names the answer. */
export class AnswersError extends Error {
  readonly issues: AnswerIssue[];
  constructor(issues: AnswerIssue[]) {
    super(`These answers cannot make a locality:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'AnswersError';
    this.issues = issues;
  }
}

async function entriesOf(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => !HARMLESS.has(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface ScaffoldOptions {
  /** Folder the answers' `directory` is resolved against (default: the working folder). */
  cwd?: string | undefined;
  /** Write into a folder that already has files in it. */
  force?: boolean | undefined;
  /** Dates the ISA draft (default: now). */
  now?: Date | undefined;
  /**
   * A clone of the OpenIDCR repository, built (`npm ci && npm run build`): the project depends on its packages by
   * `file:` paths instead of registry versions. For contributors, and for trying a change before it is released.
   */
  packagesFrom?: string | undefined;
}

export interface Scaffolded extends Project {
  /** The absolute folder written. */
  directory: string;
}

/**
 * Checks the answers, builds the project (the configuration checked exactly as `npm start` will check it) and writes
 * it. Nothing is written when the answers are wrong, the configuration would not start, or the folder is not empty
 * (unless `force`).
 */
export async function scaffold(input: unknown, options: ScaffoldOptions = {}): Promise<Scaffolded> {
  const parsed = parseAnswers(input);
  if (!parsed.ok) throw new AnswersError(parsed.issues);
  const directory = resolve(options.cwd ?? process.cwd(), parsed.answers.directory);
  const packagesFrom = options.packagesFrom === undefined ? undefined : await checkedRepository(resolve(options.cwd ?? process.cwd(), options.packagesFrom));
  const project = buildProject(parsed.answers, options.now, { packagesFrom });
  const existing = await entriesOf(directory);
  if (existing.length > 0 && !options.force) throw new TargetNotEmptyError(directory, existing);
  for (const [name, text] of Object.entries(project.files)) {
    const path = join(directory, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
  return { ...project, directory };
}

/** Refused: `packagesFrom` is not a built OpenIDCR clone. */
export class PackagesFromError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackagesFromError';
  }
}

/** A built OpenIDCR clone: its architecture package must have been built, or `npm install` would link nothing usable. */
async function checkedRepository(path: string): Promise<string> {
  const built = join(path, 'packages', 'architecture', 'dist', 'index.js');
  try {
    await access(built);
  } catch {
    throw new PackagesFromError(`--packages-from: ${path} is not a built OpenIDCR repository (no ${relative(path, built)}; run npm ci && npm run build there)`);
  }
  return path;
}
