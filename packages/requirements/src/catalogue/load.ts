import { CATALOGUE } from './catalogue.js';
import {
  RequirementSchema,
  RequirementsExtensionSchema,
  formatZodIssues,
  type CatalogueIssue,
  type Requirement,
  type RequirementInput,
} from './schema.js';

/** A validated catalogue, or every problem found in it. */
export type CatalogueResult =
  | { ok: true; requirements: Requirement[]; removed: { id: string; reason: string }[] }
  | { ok: false; issues: CatalogueIssue[] };

/** Validates a list of requirements: each against the schema, and ids unique. */
export function validateRequirements(input: readonly unknown[], label = 'requirements'): CatalogueResult {
  const issues: CatalogueIssue[] = [];
  const requirements: Requirement[] = [];
  const seen = new Map<string, number>();
  input.forEach((item, index) => {
    const parsed = RequirementSchema.safeParse(item);
    if (!parsed.success) {
      const id = (item as { id?: unknown } | null)?.id;
      issues.push(...formatZodIssues(`${label}[${index}]${typeof id === 'string' ? ` (${id})` : ''}`, parsed.error));
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) issues.push({ path: `${label}[${index}].id`, message: `duplicate id ${parsed.data.id} (first at ${label}[${first}])` });
    else seen.set(parsed.data.id, index);
    requirements.push(parsed.data);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, requirements, removed: [] };
}

/** The shipped catalogue, validated. */
export function loadCatalogue(): Requirement[] {
  const result = validateRequirements(CATALOGUE as readonly RequirementInput[], 'catalogue');
  if (!result.ok) throw new Error(`The shipped catalogue is invalid:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return result.requirements;
}

/**
 * Applies a locality's extension to a catalogue: adds new requirements, overrides fields of existing ones and
 * removes the ones it does not adopt (kept in `removed` with the reason, for the report).
 */
export function extendCatalogue(catalogue: readonly Requirement[], extension: unknown): CatalogueResult {
  const parsed = RequirementsExtensionSchema.safeParse(extension);
  if (!parsed.success) return { ok: false, issues: formatZodIssues('extension', parsed.error) };
  const { add, override, remove } = parsed.data;
  const issues: CatalogueIssue[] = [];
  const byId = new Map(catalogue.map((r) => [r.id, { ...r }]));

  add.forEach((req, i) => {
    if (byId.has(req.id)) issues.push({ path: `extension.add[${i}].id`, message: `${req.id} is already in the catalogue; use override to change it` });
    else byId.set(req.id, req);
  });
  override.forEach((change, i) => {
    const current = byId.get(change.id);
    if (!current) {
      issues.push({ path: `extension.override[${i}].id`, message: `${change.id} is not in the catalogue` });
      return;
    }
    const merged = RequirementSchema.safeParse({ ...current, ...change });
    if (!merged.success) issues.push(...formatZodIssues(`extension.override[${i}]`, merged.error));
    else byId.set(change.id, merged.data);
  });
  const removed: { id: string; reason: string }[] = [];
  remove.forEach((item, i) => {
    if (!byId.delete(item.id)) issues.push({ path: `extension.remove[${i}].id`, message: `${item.id} is not in the catalogue` });
    else removed.push(item);
  });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, requirements: [...byId.values()], removed };
}
