import type { Channel, IngestResult, Ingestor } from '../ingest/ingestor.js';

export interface Hl7HttpResponse {
  /** 200 all accepted (or duplicates), 400 rejected (AR), 422 application error (AE), 503 our store failed (resend). */
  status: number;
  /** The ACK(s), one per message in the body, CR-terminated. */
  ack: string;
  contentType: 'x-application/hl7-v2+er7';
  results: IngestResult[];
}

/**
 * `POST /integration/hl7` without a web framework: the body is one message or a batch, the answer is the ACK.
 * Mount it in any server (the architecture package wraps it in an express router).
 */
export function createHl7HttpHandler(ingestor: Ingestor): (body: string | Buffer, channel?: string | Channel) => Promise<Hl7HttpResponse> {
  return async (body, channel) => {
    const results = await ingestor.ingest(body, channel);
    const ack = results.map((r) => r.ack ?? '').join('');
    let status = 200;
    if (results.some((r) => r.transient)) status = 503;
    else if (results.some((r) => r.outcome === 'rejected')) status = 400;
    else if (results.some((r) => r.outcome === 'error')) status = 422;
    return { status, ack, contentType: 'x-application/hl7-v2+er7', results };
  };
}
