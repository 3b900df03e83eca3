import { readDelimiters } from './delimiters.js';
import { Hl7ErrorCodes, reject, type Hl7Problem } from './problems.js';

/** One message cut out of an input (a file, an MLLP frame, an HTTP body), before parsing. */
export interface MessageUnit {
  /** The message exactly as it arrived, original line endings included: the source of truth. */
  raw: string;
  /** Segment lines: line endings removed, MLLP bytes and trailing white space stripped, blank lines dropped. */
  lines: string[];
  /** 1-based line number in the input of each entry of `lines`. */
  lineNumbers: number[];
  /** Structural problems found while cutting (a line that is not a segment, segments outside any message). */
  problems: Hl7Problem[];
}

/** Batch envelope segments (FHS, BHS, BTS, FTS) as they appeared, with the line number. */
export interface EnvelopeSegment {
  line: string;
  lineNumber: number;
}

export interface SplitResult {
  messages: MessageUnit[];
  envelope: EnvelopeSegment[];
  /** The input is a batch or file (FHS/BHS present). */
  isBatch: boolean;
}

const ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);
const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
// Control characters other than tab: binary garbage, or MLLP bytes in the wrong place.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]/;

/**
 * Cuts an input into messages. Segment ends may be CR, LF or CRLF, mixed freely; a UTF-8 BOM and MLLP framing bytes
 * are stripped; batches (FHS/BHS/BTS/FTS) and header-less back-to-back MSH messages are cut at each MSH. A line that
 * is not a segment is not merged or dropped: it is reported as a problem of the message it sits in.
 */
export function splitMessages(input: string): SplitResult {
  const messages: MessageUnit[] = [];
  const envelope: EnvelopeSegment[] = [];
  let current: (MessageUnit & { start: number; end: number; fieldSep: string | undefined }) | undefined;

  const close = (): void => {
    if (!current) return;
    const { start, end, fieldSep: _f, ...unit } = current;
    messages.push({ ...unit, raw: input.slice(start, end) });
    current = undefined;
  };
  const open = (start: number, fieldSep: string | undefined): NonNullable<typeof current> => {
    current = { raw: '', lines: [], lineNumbers: [], problems: [], start, end: start, fieldSep };
    return current;
  };

  const lineBreak = /\r\n|\r|\n/g;
  let pos = 0;
  let lineNumber = 0;
  while (pos <= input.length) {
    lineBreak.lastIndex = pos;
    const m = lineBreak.exec(input);
    const lineEnd = m ? m.index : input.length;
    const next = m ? m.index + m[0].length : input.length + 1;
    lineNumber++;
    let line = input.slice(pos, lineEnd);
    const lineStart = pos;
    // A message's raw text runs to the end of its last segment terminator.
    const lineStop = m ? next : input.length;
    pos = next;
    // Framing and encoding marks at the edges of a line are transport, not content.
    const first = line.charCodeAt(0);
    // eslint-disable-next-line no-control-regex
    if (first === 0xfeff || first === 0x0b) line = line.replace(/^[\uFEFF\x0b]+/, '');
    const last = line.charCodeAt(line.length - 1);
    // eslint-disable-next-line no-control-regex
    if (last === 0x1c || last === 0x20 || last === 0x09 || last === 0xa0 || last === 0xfeff) line = line.replace(/[\x1c\s]+$/, '');
    if (line.length === 0) continue;

    const id = line.slice(0, 3);
    if (ENVELOPE.has(id) && (line.length === 3 || !/[A-Za-z0-9]/.test(line.charAt(3)))) {
      close();
      envelope.push({ line, lineNumber });
      continue;
    }
    if (id === 'MSH' && line.length > 3 && !/[A-Za-z0-9\s]/.test(line.charAt(3))) {
      close();
      const unit = open(lineStart, line.charAt(3));
      unit.lines.push(line);
      unit.lineNumbers.push(lineNumber);
      unit.end = lineStop;
      const delimiters = readDelimiters(line);
      if (!delimiters.ok) unit.problems.push(delimiters.problem);
      const control = CONTROL.exec(line);
      if (control) unit.problems.push(controlProblem(lineNumber, control));
      continue;
    }
    const unit = current ?? open(lineStart, undefined);
    if (!current) current = unit;
    unit.lines.push(line);
    unit.lineNumbers.push(lineNumber);
    unit.end = lineStop;
    if (unit.fieldSep === undefined) {
      if (unit.problems.length === 0) {
        unit.problems.push(
          reject('missing-msh', `line ${lineNumber}: segment ${JSON.stringify(line.slice(0, 3))} outside any message (no MSH before it)`, Hl7ErrorCodes.segmentSequence, { segment: 'MSH' }),
        );
      }
      continue;
    }
    const control = CONTROL.exec(line);
    if (control) {
      unit.problems.push(controlProblem(lineNumber, control));
      continue;
    }
    if (!SEGMENT_ID.test(id) || (line.length > 3 && line.charAt(3) !== unit.fieldSep)) {
      const shown = line.length > 40 ? `${line.slice(0, 40)}...` : line;
      unit.problems.push(
        reject('not-a-segment', `line ${lineNumber}: ${JSON.stringify(shown)} is not a segment (a wrapped line or corrupted text?)`, Hl7ErrorCodes.segmentSequence),
      );
    }
  }
  close();
  return { messages, envelope, isBatch: envelope.length > 0 };
}

function controlProblem(lineNumber: number, control: RegExpExecArray): Hl7Problem {
  const code = control[0].charCodeAt(0).toString(16).padStart(2, '0');
  return reject('control-character', `line ${lineNumber}: control character 0x${code} at column ${control.index + 1}; not HL7 text`, Hl7ErrorCodes.dataTypeError);
}
