/* eslint-disable @typescript-eslint/no-explicit-any -- these tests probe mapped FHIR JSON by path; a wrong path fails the assertion */
/**
 * Issue #16 over every message we have: the shared corpus (input only) and our fixtures. For each accepted message:
 * one DiagnosticReport per OBR group and one Observation per OBX (an ED/RP OBX is the report's presentedForm, an OBX
 * without OBX-3 goes into the report's text: both counted apart); no status is `final` unless the sender said so;
 * no mapped text carries an HL7 separator; every Patient keeps an identifier when its PID carried one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitMessages } from '../hl7/split.js';
import { decodeHl7Bytes } from '../ingest/ingestor.js';
import { CORPUS_DIR, harness } from '../test-support/harness.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hl7/', import.meta.url));
const CORPUS = CORPUS_DIR;

function messagesOf(dir: string): { file: string; raw: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hl7'))
    .sort()
    .flatMap((file) => splitMessages(decodeHl7Bytes(readFileSync(join(dir, file)))).messages.map((m) => ({ file, raw: m.lines.join('\r') + '\r' })));
}

const ESCAPED: Readonly<Record<string, string>> = { '|': '\\F\\', '^': '\\S\\', '&': '\\T\\', '~': '\\R\\' };
const FINAL_OBX = new Set(['F', 'U', 'V']);
const FINAL_OBR = new Set(['F']);

async function check(file: string, raw: string) {
  const { store, ingestor } = harness();
  const channel = /\|ORU\^|\|OUL\^/.test(raw.split('\r')[0] ?? '') ? 'lims' : 'generic';
  const [result] = await ingestor.ingest(raw, channel);
  const findings: string[] = [];
  if (result?.outcome !== 'accepted') return { accepted: false, findings };
  const resources = [...store.resources.values()].map((r) => r.resource as Record<string, any>);
  const segs = raw.split('\r').filter(Boolean).map((l) => l.split('|'));
  const type = segs[0]?.[8] ?? '';
  if (/^ORU/.test(type) && segs.some((s) => s[0] === 'PID')) {
    const obr = segs.filter((s) => s[0] === 'OBR');
    const obx = segs.filter((s) => s[0] === 'OBX');
    const observations = obx.filter((s) => !/^(ED|RP)$/.test((s[2] ?? '').trim().toUpperCase()) && (s[3] ?? '').replace(/\^/g, '').trim() !== '');
    const reports = resources.filter((r) => r.resourceType === 'DiagnosticReport');
    const obs = resources.filter((r) => r.resourceType === 'Observation');
    // An ORU whose OBX come before any OBR has one report for them too.
    const groups = obr.length + (segs.findIndex((s) => s[0] === 'OBX') < segs.findIndex((s) => s[0] === 'OBR') && obx.length > 0 ? 1 : 0);
    if (obr.length > 0 && reports.length !== groups) findings.push(`${file} ${segs[0]?.[9]}: ${groups} OBR groups, ${reports.length} DiagnosticReports`);
    if (obr.length > 0 && obs.length !== observations.length) findings.push(`${file} ${segs[0]?.[9]}: ${observations.length} OBX, ${obs.length} Observations`);
    const finals = obs.filter((o) => o.status === 'final').length;
    const saidFinal = obx.filter((s) => FINAL_OBX.has((s[11] ?? '').trim().toUpperCase())).length;
    if (finals > saidFinal) findings.push(`${file}: ${finals} final Observations, only ${saidFinal} OBX say so`);
    const finalReports = reports.filter((r) => r.status === 'final').length;
    if (finalReports > obr.filter((s) => FINAL_OBR.has((s[25] ?? '').trim().toUpperCase())).length) findings.push(`${file}: a report is final that its OBR-25 does not say`);
  }
  for (const r of resources) {
    for (const s of [r.valueString, r.conclusion, r.valueCodeableConcept?.text, r.code?.text, ...(Array.isArray(r.name) ? r.name : []).flatMap((n: any) => [n.family, ...(n.given ?? [])]), ...(Array.isArray(r.address) ? r.address : []).flatMap((a: any) => a.line ?? [])]) {
      if (typeof s !== 'string') continue;
      // A separator in mapped text is a leak unless the sender escaped it (\F\ \S\ \T\ \R\ stand for | ^ & ~).
      const leaked = Object.entries(ESCAPED).some(([char, escape]) => s.split(char).length - 1 > raw.split(escape).length - 1);
      if (leaked || /\\[HN]\\|\\\.br\\/.test(s)) findings.push(`${file} ${r.resourceType}/${r.id}: separator in ${JSON.stringify(s).slice(0, 60)}`);
    }
  }
  const pid = segs.find((s) => s[0] === 'PID');
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (pid && patient && (pid[3] ?? '').replace(/[\^~&]/g, '').trim() && !(patient.identifier?.length > 0)) findings.push(`${file}: PID-3 carried an identifier, the Patient has none`);
  return { accepted: true, findings };
}

describe('every corpus message and fixture maps faithfully [#16]', () => {
  const sets = [{ name: 'fixtures', dir: FIXTURES }, ...(CORPUS ? [{ name: 'corpus', dir: CORPUS }] : [])];
  for (const { name, dir } of sets) {
    it(`${name}: reports = OBR groups, observations = OBX, nothing guessed final, no separators, identifiers kept`, async () => {
      const findings: string[] = [];
      let accepted = 0;
      let orus = 0;
      for (const { file, raw } of messagesOf(dir)) {
        const r = await check(file, raw);
        if (r.accepted) accepted++;
        if (r.accepted && /\|ORU\^/.test(raw.split('\r')[0] ?? '')) orus++;
        findings.push(...r.findings);
      }
      expect(findings).toEqual([]);
      expect(accepted).toBeGreaterThan(name === 'corpus' ? 40 : 20);
      expect(orus).toBeGreaterThan(name === 'corpus' ? 10 : 0);
    });
  }
});
