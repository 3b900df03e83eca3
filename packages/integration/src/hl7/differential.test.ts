/**
 * Differential test (issue #16, HL7 v2 → FHIR fidelity): what our wrapper (`parseHl7`, `Hl7Segment.get`, `text`,
 * `fieldText`, `repetitions`) reads from the same bytes as an independent parser, `@medplum/core`'s `Hl7Message`.
 * Every difference found must be one of the reviewed differences in `KNOWN`, each with its reason; a new one, or a
 * listed one that went away, fails the test.
 *
 * What medplum 4.5 does, read from its source (packages/core/src/hl7.ts):
 * - it takes the delimiters from MSH-1/MSH-2 by position (`charAt(3..7)`) and splits segments on `/[\r\n]+/`, fields,
 *   repetitions and components eagerly; subcomponents only on request (`getComponent(f, c, sub, rep)`, where `sub`
 *   is 0-based while field and component are 1-based);
 * - `getField(n)` numbers MSH as HL7 does (MSH-1 the field separator, MSH-2 the encoding characters, MSH-3 is
 *   `fields[2]`), like our `get(n)`: no offset to align, which the MSH-1/MSH-2 check below confirms;
 * - it unescapes nothing (`\S\` stays `\S\`), so its values go through `unescapeReference` below, written from the
 *   HL7 v2 escape table (chapter 2.7), not from our escape.ts;
 * - it keeps white space at the end of a line and the HL7 null `""` as written; it takes one message (no BOM, no
 *   batch envelope), so inputs are cut for it by `cutForMedplum`, at each MSH like our `splitMessages`.
 */
import { Hl7Message as MedplumMessage, type Hl7Context, type Hl7Segment as MedplumSegment } from '@medplum/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHl7Bytes } from '../ingest/ingestor.js';
import { parseHl7, type Hl7Message, type Hl7Segment } from './message.js';
import { CORPUS_DIR } from '../test-support/harness.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hl7/', import.meta.url));
// The shared corpus is test input only. CI (.ci/run) has it beside the clone as ../shared; on the development machine
// it is /work/shared, the path src/cli/cli.test.ts reads.
const CORPUS = CORPUS_DIR;

/**
 * Compared messages, so a corpus that shrinks or vanishes is noticed. The fixtures grow with the mappings: every
 * message in them must be compared, and there are at least 22.
 */
const EXPECTED_MESSAGES = { fixturesAtLeast: 22, corpus: 70, edge: 8 };

/** The fields of issue #16, HL7 numbering (MSH-1/MSH-2 are checked separately). */
const FIELDS: Readonly<Record<string, readonly number[]>> = {
  MSH: [9, 10],
  PID: [3, 5, 7, 8, 11],
  PV1: [2, 3, 19, 44, 45],
  OBR: [2, 3, 4, 7, 22, 25],
  OBX: [2, 3, 4, 5, 6, 7, 8, 11, 14],
  AL1: [1, 2, 3, 4, 5, 6],
  DG1: [1, 2, 3, 4, 5, 6, 16, 20],
  RXE: [1, 2, 3, 4, 5, 6, 10, 21],
  RXO: [1, 2, 3, 4, 9],
  SCH: [1, 2, 6, 7, 8, 9, 10, 11, 25],
  AIS: [3, 4, 5, 6, 7, 8],
  TXA: [2, 4, 5, 6, 9, 12, 13, 16, 17, 19, 22],
};

/**
 * Small messages for what the corpus has little of: other delimiters, every escape, nulls and empty parts, v2.7's
 * truncation character. `custom-escape` is the wrapper bug this test found (fixed in escape.ts).
 */
const EDGE_CASES: Readonly<Record<string, string>> = {
  'standard-escapes': 'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|E1|P|2.4\rOBX|1|TX|NOTE^Note||a\\T\\b&c\\S\\d^e\\R\\f~g\\F\\h\\E\\i|x10\\S\\9/L|\\H\\HIGH\\N\\ \\.br\\next\\.sp2\\end',
  'hex-escapes': 'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|E2|P|2.4\rOBX|1|ST|NOTE||a\\X0D0A\\b|caf\\XC3A9\\|caf\\XE9\\|\\X\\ \\XZZ\\ \\X4\\',
  'unknown-escapes': 'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|E3|P|2.4\rOBX|1|ST|NOTE||a\\Q\\b|c\\|\\\\d|e\\ f\\ g',
  'formatting-commands': 'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|E4|P|2.4\rOBX|1|FT|NOTE||x\\.sk2\\y\\.in+4\\z\\.ti-2\\w\\.ce\\v\\.fi\\\\.nf\\u|\\C2842\\t',
  'nulls-and-empties': 'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|E5|P|2.4\rPID|1||""~~A1^^^X&1.2&ISO~||SMITH^^""||""\rOBX|1|ST|X^^^&&&||a~~~|""&""|&|^',
  'custom-delimiters': 'MSH#$%*@#A#B#C#D#20260101##ADT$A08#E6#P#2.4\rPID#1##A^1$2%3|4@5$$$NHS##O\'NEIL$J~O|*F*x*S*y#\\x#19600101',
  'custom-escape': 'MSH|^~!&|A|B|C|D|20260101||ORU^R01|E7|P|2.4\rOBX|1|TX|NOTE||Wow! Great! a!Q!b c!F!d!|x10!S!9/L',
  'truncation-character': 'MSH|^~\\&#|A|B|C|D|20260101||ADT^A08|E8|P|2.7\rPID|1||A1||SMITH#^JO#',
};

type Source = 'fixtures' | 'corpus' | 'edge';
interface Input {
  source: Source;
  name: string;
  text: string;
}

interface Difference {
  /** `corpus/pyhl7__ADT_A01__1.hl7#1`: the input and the message's 1-based position in it. */
  message: string;
  /** `PV1[1]-45(1).1.1`: segment[occurrence]-field(repetition).component.subcomponent, or `message`, `segments`. */
  at: string;
  view: 'message' | 'segments' | 'MSH-1/2' | 'get' | 'text' | 'fieldText';
  ours: string;
  medplum: string;
  /** The value ends its segment line, where white space padding sits. */
  lastField: boolean;
}

interface KnownDifference {
  reason: string;
  /** What the values of such a difference look like: a listed place whose values no longer fit is unexplained. */
  fits: (d: Difference) => boolean;
  /** Every place, `message at`, reviewed. */
  places: readonly string[];
}

/** The reviewed differences, grouped by reason. */
const KNOWN: readonly KnownDifference[] = [
  {
    reason:
      'our wrapper rejects the message (MSH-2 not four distinct delimiters, a line that is not a segment, segments after a BHS inside a message); medplum parses whatever starts with MSH (and throws on the rest)',
    fits: (d) => d.view === 'message' && /^(msh-encoding-characters|not-a-segment|missing-msh)(,|$)/.test(d.ours),
    places: [
      'corpus/emap__ADT_A01__1.hl7#1 message',
      'corpus/hapi__ORU_R01__2.hl7#1 message',
      'corpus/hl7std__ORU_R01__1.hl7#1 message',
      'corpus/pyhl7__BATCH__2.hl7#2 message',
      'corpus/vh__ORU_R01__1.hl7#1 message',
      'corpus/vh__ORU_R01__2.hl7#1 message',
    ],
  },
  {
    reason: 'white space at the end of a segment line is padding: our splitter strips it, medplum keeps it in the last field',
    fits: (d) => d.lastField && d.medplum !== d.ours && d.medplum.trimEnd() === d.ours,
    places: ['corpus/hapi__ORU_R01__1.hl7#1 OBX[1]-11(1).1.1'],
  },
  {
    reason: 'the HL7 null "": get(), text() and fieldText() read it as empty (isNull() tells it apart); medplum returns the two quotes',
    fits: (d) => d.ours === '' && d.medplum === '""',
    places: [
      'corpus/pyhl7__ADT_A01__1.hl7#1 PV1[1]-45(1).1.1',
      'corpus/pyhl7__ADT_A01__1.hl7#1 DG1[1]-5(1).1.1',
      'edge/nulls-and-empties PID[1]-3(1).1.1',
      'edge/nulls-and-empties PID[1]-5(1).3.1',
      'edge/nulls-and-empties PID[1]-7(1).1.1',
      'edge/nulls-and-empties OBX[1]-6(1).1.1',
      'edge/nulls-and-empties OBX[1]-6(1).1.2',
    ],
  },
  {
    reason:
      'formatting commands \\.sk\\ \\.in\\ \\.ti\\ \\.ce\\ \\.fi\\ \\.nf\\ and character-set switches \\Cxxyy\\: our unescape renders them (spaces, line break, nothing), the reference unescape here keeps them as written (medplum unescapes nothing)',
    fits: (d) => /\\(\.(sk|in|ti|ce|fi|nf)[^\\]*|C[0-9A-F]{4})\\/.test(d.medplum) && !d.ours.includes('\\'),
    places: ['edge/formatting-commands OBX[1]-5(1).1.1', 'edge/formatting-commands OBX[1]-6(1).1.1'],
  },
  {
    reason: "MSH-2 with v2.7's truncation character: medplum's Hl7Context holds four encoding characters and reports MSH-2 without the fifth",
    fits: (d) => d.view === 'MSH-1/2' && d.ours.length === 5 && d.ours.startsWith(d.medplum),
    places: ['edge/truncation-character MSH[1]-2'],
  },
];

/**
 * The HL7 v2 escape table (chapter 2.7) for medplum's raw values: `\F\ \S\ \T\ \R\ \E\` are the message's own
 * delimiters, `\Xhh..\` hex bytes (UTF-8, else ISO 8859-1), `\H\ \N\` highlighting (no text), `\.br\` and `\.spN\`
 * line breaks. Anything else, or an escape character with no partner, is kept as written.
 */
function unescapeReference(value: string, c: Hl7Context): string {
  const e = c.escapeCharacter;
  const simple: Record<string, string> = { F: c.fieldSeparator, S: c.componentSeparator, T: c.subcomponentSeparator, R: c.repetitionSeparator, E: e, H: '', N: '', '.br': '\n' };
  let out = '';
  let i = 0;
  for (;;) {
    const open = value.indexOf(e, i);
    const close = open === -1 ? -1 : value.indexOf(e, open + 1);
    if (close === -1) return out + value.slice(i);
    out += value.slice(i, open);
    const seq = value.slice(open + 1, close);
    if (Object.hasOwn(simple, seq)) {
      out += simple[seq];
    } else if (/^X([0-9A-Fa-f]{2})+$/.test(seq)) {
      const bytes = Buffer.from(seq.slice(1), 'hex');
      try {
        out += new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        out += bytes.toString('latin1');
      }
    } else if (/^\.sp\d*$/.test(seq)) {
      out += '\n'.repeat(Math.max(1, Number(seq.slice(3) || '1')));
    } else {
      // Not a sequence: keep the escape character and look for one from the next character on.
      out += e;
      i = open + 1;
      continue;
    }
    i = close + 1;
  }
}

/**
 * Cuts an input into the single messages medplum's `Hl7Message.parse` takes: a new message at each line starting
 * with MSH, batch envelope lines (FHS/BHS/BTS/FTS) and blank lines dropped, MLLP bytes stripped (medplum's MLLP
 * transport removes them before parsing). A BHS inside a message ends it, as in our `splitMessages`.
 */
function cutForMedplum(text: string): string[] {
  const units: string[][] = [];
  let current: string[] | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/^\x0b/, '').replace(/\x1c$/, '');
    if (line.trim() === '') continue;
    if (/^(FHS|BHS|BTS|FTS)([^A-Za-z0-9]|$)/.test(line)) {
      current = undefined;
      continue;
    }
    if (/^MSH[^A-Za-z0-9]/.test(line) || !current) units.push((current = []));
    current.push(line);
  }
  return units.map((lines) => lines.join('\r'));
}

interface Tally {
  segments: number;
  fields: number;
  values: number;
  escaped: number;
}

function compareField(message: string, label: string, f: number, ours: Hl7Segment, theirs: MedplumSegment, ctx: Hl7Context, out: Difference[], tally: Tally): void {
  const field = theirs.getField(f);
  const theirReps = field?.components ?? [];
  const ourReps = ours.repetitions(f);
  // MSH's getField(n) reads fields[n - 1]: the last field is MSH-(length); elsewhere fields[length - 1].
  const lastField = f === (theirs.name === 'MSH' ? theirs.fields.length : theirs.fields.length - 1);
  const push = (at: string, view: Difference['view'], o: string, m: string): boolean => {
    if (o === m) return false;
    out.push({ message, at, view, ours: o, medplum: m, lastField });
    return true;
  };
  tally.fields++;
  for (let r = 0; r < Math.max(theirReps.length, ourReps.length); r++) {
    const theirComps = theirReps[r] ?? [];
    let repDiffers = false;
    for (let c = 1; c <= Math.max(theirComps.length, ourReps[r]?.length ?? 0); c++) {
      const raw = theirComps[c - 1] ?? '';
      let compDiffers = false;
      const subs = Math.max(raw.split(ctx.subcomponentSeparator).length, ourReps[r]?.[c - 1]?.length ?? 0);
      for (let s = 1; s <= subs; s++) {
        // medplum's subcomponent index is 0-based; an absent repetition has no components to ask.
        const theirRaw = r < theirReps.length ? theirs.getComponent(f, c, s - 1, r) : '';
        const value = unescapeReference(theirRaw, ctx);
        if (value !== '') tally.values++;
        if (value !== theirRaw) tally.escaped++;
        compDiffers = push(`${label}-${f}(${r + 1}).${c}.${s}`, 'get', ours.get(f, c, s, r), value) || compDiffers;
      }
      // Whole components and repetitions are compared too (text() and fieldText() rejoin with the sender's
      // characters), reported only where no finer difference already explains them.
      if (!compDiffers) compDiffers = push(`${label}-${f}(${r + 1}).${c}`, 'text', ours.text(f, c, r), unescapeReference(raw, ctx));
      repDiffers ||= compDiffers;
    }
    if (!repDiffers) push(`${label}-${f}(${r + 1})`, 'fieldText', ours.fieldText(f, r), unescapeReference(theirComps.join(ctx.componentSeparator), ctx));
  }
}

/** Every difference between the two parsers on one message, over `fields`. */
function compareMessage(message: string, ours: Hl7Message, theirs: MedplumMessage, tally: Tally, fields = FIELDS): Difference[] {
  const out: Difference[] = [];
  const names = (list: readonly { name: string }[]) => list.map((s) => s.name).join(' ');
  if (names(ours.segments) !== names(theirs.segments)) {
    out.push({ message, at: 'segments', view: 'segments', ours: names(ours.segments), medplum: names(theirs.segments), lastField: false });
  }
  const msh = ours.segments[0]!;
  const theirMsh = theirs.getSegment(0)!;
  for (const f of [1, 2]) {
    const o = msh.text(f);
    const m = theirMsh.getField(f).toString();
    if (o !== m) out.push({ message, at: `MSH[1]-${f}`, view: 'MSH-1/2', ours: o, medplum: m, lastField: false });
  }
  const occurrence = new Map<string, number>();
  for (const segment of ours.segments) {
    const k = occurrence.get(segment.name) ?? 0;
    occurrence.set(segment.name, k + 1);
    const list = fields[segment.name];
    // Segments are paired by name and occurrence, so one extra segment does not shift every comparison after it.
    const other = theirs.getAllSegments(segment.name)[k];
    if (!list || !other) continue;
    tally.segments++;
    for (const f of list) compareField(message, `${segment.name}[${k + 1}]`, f, segment, other, theirs.context, out, tally);
  }
  return out;
}

interface Run {
  compared: Record<Source, number>;
  tally: Record<Source, Tally>;
  differences: Difference[];
}

function runDifferential(inputs: readonly Input[]): Run {
  const compared: Record<Source, number> = { fixtures: 0, corpus: 0, edge: 0 };
  const tally = {} as Record<Source, Tally>;
  for (const source of ['fixtures', 'corpus', 'edge'] as const) tally[source] = { segments: 0, fields: 0, values: 0, escaped: 0 };
  const differences: Difference[] = [];
  for (const input of inputs) {
    const ours = parseHl7(input.text);
    const theirs = cutForMedplum(input.text);
    const id = (i: number) => (input.source === 'edge' ? `edge/${input.name}` : `${input.source}/${input.name}#${i + 1}`);
    if (ours.length !== theirs.length) {
      differences.push({ message: id(0), at: 'message', view: 'message', ours: `${ours.length} messages`, medplum: `${theirs.length} messages`, lastField: false });
      continue;
    }
    ours.forEach((outcome, i) => {
      let parsed: MedplumMessage | string;
      try {
        parsed = MedplumMessage.parse(theirs[i]!);
      } catch (err) {
        parsed = `throws: ${(err as Error).message}`;
      }
      if (!outcome.ok || typeof parsed === 'string') {
        const o = outcome.ok ? 'parsed' : outcome.problems.map((p) => p.code).join(',');
        const m = typeof parsed === 'string' ? parsed : 'parsed';
        differences.push({ message: id(i), at: 'message', view: 'message', ours: o, medplum: m, lastField: false });
        return;
      }
      compared[input.source]++;
      differences.push(...compareMessage(id(i), outcome.message, parsed, tally[input.source]));
    });
  }
  return { compared, tally, differences };
}

/** Differences not in the reviewed list (or whose values no longer fit its reason), and listed ones not found. */
function check(differences: readonly Difference[], known: readonly KnownDifference[], sources: ReadonlySet<Source>) {
  const unexplained: string[] = [];
  const found = new Set<string>();
  for (const d of differences) {
    const place = `${d.message} ${d.at}`;
    found.add(place);
    const group = known.find((k) => k.places.includes(place));
    if (!group || !group.fits(d)) {
      const why = group ? `listed as "${group.reason.slice(0, 40)}...", but the values do not fit` : 'not in the reviewed list';
      unexplained.push(`${place} [${d.view}] ours ${JSON.stringify(d.ours)} medplum ${JSON.stringify(d.medplum)}: ${why}`);
    }
  }
  const missing = known.flatMap((k) => k.places).filter((p) => sources.has(p.split('/')[0] as Source) && !found.has(p));
  return { unexplained, missing };
}

function readInputs(): { inputs: Input[]; sources: Set<Source> } {
  const inputs: Input[] = [];
  const read = (source: Source, dir: string) => {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.hl7')).sort()) {
      inputs.push({ source, name, text: decodeHl7Bytes(readFileSync(join(dir, name))) });
    }
  };
  read('fixtures', FIXTURES);
  if (CORPUS) read('corpus', CORPUS);
  for (const [name, text] of Object.entries(EDGE_CASES)) inputs.push({ source: 'edge', name, text });
  return { inputs, sources: new Set<Source>(CORPUS ? ['fixtures', 'corpus', 'edge'] : ['fixtures', 'edge']) };
}

describe('differential against @medplum/core [issue #16]', () => {
  const { inputs, sources } = readInputs();
  const run = runDifferential(inputs);

  it('compares every message of the fixtures, the edge cases and (when present) the shared corpus', () => {
    const fixtureMessages = inputs.filter((i) => i.source === 'fixtures').reduce((n, i) => n + (i.text.match(/^MSH/gm)?.length ?? 0), 0);
    expect(fixtureMessages).toBeGreaterThanOrEqual(EXPECTED_MESSAGES.fixturesAtLeast);
    expect(run.compared).toEqual({ fixtures: fixtureMessages, corpus: CORPUS ? EXPECTED_MESSAGES.corpus : 0, edge: EXPECTED_MESSAGES.edge });
    if (!CORPUS) console.info('differential: shared HL7 corpus not found beside the repository; fixtures and edge cases only');
    else console.info(`differential: ${JSON.stringify(run.compared)} messages, ${JSON.stringify(run.tally)}, ${run.differences.length} differences`);
  });

  it.runIf(process.env.CI)('CI has the shared corpus beside the clone (../shared/testdata/hl7-corpus)', () => {
    expect(CORPUS, 'the corpus vanished: the differential would quietly compare fixtures only').toBeDefined();
  });

  it('finds exactly the reviewed differences, each with its reason', () => {
    const { unexplained, missing } = check(run.differences, KNOWN, sources);
    expect(unexplained).toEqual([]);
    expect(missing).toEqual([]);
  });

  describe('the check can fail', () => {
    const adt = readFileSync(join(FIXTURES, 'adt-a01.hl7'), 'utf8');
    const tampered = (change: (m: Hl7Message) => void) => {
      const [outcome] = parseHl7(adt);
      if (!outcome?.ok) throw new Error('adt-a01.hl7 must parse');
      change(outcome.message);
      const tally: Tally = { segments: 0, fields: 0, values: 0, escaped: 0 };
      return check(compareMessage('fixtures/adt-a01.hl7#1', outcome.message, MedplumMessage.parse(cutForMedplum(adt)[0]!), tally), KNOWN, sources).unexplained;
    };

    it('the untouched fixture has no difference', () => {
      expect(tampered(() => undefined)).toEqual([]);
    });

    it('a wrong value read by our side is an unexplained difference', () => {
      const unexplained = tampered((m) => {
        m.segment('PID')!.fields[5]![0]![0]![0] = 'WRONG';
      });
      expect(unexplained).toHaveLength(1);
      expect(unexplained[0]).toMatch(/^fixtures\/adt-a01\.hl7#1 PID\[1\]-5\(1\)\.1\.1 \[get\] ours "WRONG" medplum "[^"]+": not in the reviewed list$/);
    });

    it('a lost subcomponent and a dropped repetition are differences too', () => {
      const unexplained = tampered((m) => {
        const pid = m.segment('PID')!;
        pid.fields[3]!.pop();
        pid.fields[5]![0]![0]!.push('extra');
      });
      expect(unexplained.length).toBeGreaterThanOrEqual(2);
      expect(unexplained.some((u) => u.startsWith('fixtures/adt-a01.hl7#1 PID[1]-5(1).1.2 [get] ours "extra" medplum ""'))).toBe(true);
    });

    it('a value that fits a reason but sits at an unreviewed place still fails; a listed place whose values changed fails', () => {
      const stray: Difference = { message: 'fixtures/adt-a01.hl7#1', at: 'PID[1]-8(1).1.1', view: 'get', ours: '', medplum: '""', lastField: false };
      expect(check([stray], KNOWN, sources).unexplained).toHaveLength(1);
      const changed: Difference = { message: 'edge/truncation-character', at: 'MSH[1]-2', view: 'MSH-1/2', ours: '^~\\&#', medplum: '^~!&', lastField: false };
      expect(check([changed], KNOWN, sources).unexplained[0]).toMatch(/the values do not fit$/);
    });

    it('a reviewed difference that no longer occurs is reported', () => {
      expect(check([], KNOWN, sources).missing).toContain('edge/truncation-character MSH[1]-2');
    });
  });

  it('the reference unescape follows the HL7 escape table', () => {
    const ctx = MedplumMessage.parse('MSH|^~\\&|A').context;
    expect(unescapeReference('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X41C3A9\\g\\.br\\h\\H\\i\\N\\\\.sp2\\j', ctx)).toBe('a|b^c&d~e\\fAég\nhi\n\nj');
    expect(unescapeReference('a\\Q\\b \\ c\\', ctx)).toBe('a\\Q\\b \\ c\\');
  });
});
