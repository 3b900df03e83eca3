import { randomUUID } from 'node:crypto';
import { STANDARD_DELIMITERS, type Delimiters } from './delimiters.js';
import type { Hl7Header } from './message.js';
import { fieldName, type Hl7Problem } from './problems.js';
import { writeMessage, type Hl7SegmentValue } from './writer.js';

/** What happened to a message, in the terms of the acknowledgement. */
export type AckOutcome = 'accepted' | 'error' | 'rejected';

export type OriginalAckCode = 'AA' | 'AE' | 'AR';
export type EnhancedAckCode = 'CA' | 'CE' | 'CR';

export interface AckOptions {
  /** Our application and facility, written in MSH-3/MSH-4 of the ACK. */
  application?: string | undefined;
  facility?: string | undefined;
  /** Control id for the ACK's own MSH-10 (default: a new UUID). */
  controlId?: string | undefined;
  /** Clock for MSH-7 (tests). */
  now?: Date | undefined;
  /** Delimiters to write with: the sender's by default, so a custom-delimited feed gets an ACK it can read. */
  delimiters?: Delimiters | undefined;
}

export interface Ack {
  /** The ACK message, or `undefined` when MSH-15/16 say the sender wants none for this outcome. */
  text: string | undefined;
  code: OriginalAckCode | EnhancedAckCode;
  mode: 'original' | 'enhanced';
}

function wanted(condition: string, outcome: AckOutcome): boolean {
  switch (condition) {
    case 'NE':
      return false;
    case 'ER':
      return outcome !== 'accepted';
    case 'SU':
      return outcome === 'accepted';
    default:
      // AL, or empty / unknown: always.
      return true;
  }
}

/**
 * Builds the acknowledgement for a message. Original mode (MSH-15 and MSH-16 empty) answers AA/AE/AR. Enhanced mode
 * answers with a commit ACK CA/CE/CR when MSH-15 asks for one for this outcome; otherwise with the application ACK
 * (AA/AE/AR) when MSH-16 asks; otherwise with nothing. Since a message is committed and applied in one transaction,
 * commit and application outcome are the same. Each problem becomes one ERR segment naming the field.
 */
export function buildAck(
  header: Partial<Hl7Header> | undefined,
  outcome: AckOutcome,
  problems: readonly Hl7Problem[] = [],
  options: AckOptions = {},
): Ack {
  const h = header ?? {};
  const accept = h.acceptAckType ?? '';
  const application = h.applicationAckType ?? '';
  const enhanced = accept !== '' || application !== '';
  const original: OriginalAckCode = outcome === 'accepted' ? 'AA' : outcome === 'error' ? 'AE' : 'AR';
  const commit: EnhancedAckCode = outcome === 'accepted' ? 'CA' : outcome === 'error' ? 'CE' : 'CR';
  let code: OriginalAckCode | EnhancedAckCode = original;
  let send = true;
  if (enhanced) {
    if (accept !== '' && wanted(accept, outcome)) code = commit;
    else if (application !== '' && wanted(application, outcome)) code = original;
    else send = false;
  }
  if (!send) return { text: undefined, code: commit, mode: 'enhanced' };

  const d = options.delimiters ?? STANDARD_DELIMITERS;
  const version = h.version && /^2\.\d/.test(h.version) ? h.version : '2.5.1';
  const [major = 2, minor = 5] = version.split('.').map(Number);
  const modern = major > 2 || minor >= 5;
  const text = problems.map((p) => p.message).join('; ').slice(0, 500);
  const segments: Hl7SegmentValue[] = [
    {
      name: 'MSH',
      fields: [
        options.application ?? 'OPENIDCR',
        options.facility ?? '',
        h.sendingApplication ?? '',
        h.sendingFacility ?? '',
        options.now ?? new Date(),
        '',
        ['ACK', h.triggerEvent ?? '', 'ACK'],
        options.controlId ?? randomUUID(),
        h.processingId || 'P',
        version,
      ],
    },
    { name: 'MSA', fields: [code, h.controlId ?? '', modern ? '' : text] },
  ];
  for (const p of problems) {
    const loc = p.location;
    const err = loc ? [loc.segment, loc.sequence ?? 1, loc.field, loc.repetition, loc.component] : [];
    const label = loc?.field !== undefined ? `${fieldName(loc)}: ` : '';
    const message = p.message.startsWith(label) ? p.message : `${label}${p.message}`;
    segments.push(
      modern
        ? {
            name: 'ERR',
            fields: [
              '',
              loc ? err : '',
              [String(p.hl7Code), hl7ErrorText(p.hl7Code), 'HL70357'],
              outcome === 'accepted' ? 'W' : 'E',
              '',
              '',
              '',
              message,
            ],
          }
        : { name: 'ERR', fields: [[loc?.segment ?? '', loc?.sequence ?? '', loc?.field ?? '', [String(p.hl7Code), message, 'HL70357']]] },
    );
  }
  return { text: writeMessage(segments, d), code, mode: enhanced ? 'enhanced' : 'original' };
}

const ERROR_TEXT: Record<number, string> = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

export function hl7ErrorText(code: number): string {
  return ERROR_TEXT[code] ?? 'Application error';
}
