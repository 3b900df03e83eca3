import { CodeSystems } from '@openidcr/model';
import { practitionerRef, prune } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';
import { attachmentOf } from './results.js';
import { DOCUMENT_TYPE } from './tables.js';

const DOC_STATUS: Record<string, string> = {
  AU: 'final',
  LA: 'final',
  DO: 'final',
  PA: 'final',
  IP: 'preliminary',
  IN: 'preliminary',
  DI: 'preliminary',
};

/** MDM^T02/T04/T08/T10 → DocumentReference: TX lines become a text attachment, ED a base64 one. */
export function mapDocument(ctx: MappingContext): MappedResource[] {
  const txa = ctx.message.segment('TXA');
  if (!txa) return [];
  const r = reader(ctx, txa);
  const documentNumber = txa.get(12).trim() || txa.get(16).trim();
  const key = documentNumber || `${ctx.message.header.controlId}`;
  const trigger = ctx.message.header.triggerEvent;
  const completion = txa.get(17).trim().toUpperCase();
  const availability = txa.get(19).trim().toUpperCase();
  const parent = txa.get(13).trim();

  const lines: string[] = [];
  const attachments: Record<string, unknown>[] = [];
  for (const obx of ctx.message.all('OBX')) {
    const type = obx.get(2).trim().toUpperCase();
    if (type === 'ED' || type === 'RP') {
      const a = attachmentOf(obx, ctx);
      if (a) attachments.push(a);
    } else {
      lines.push(obx.repetitions(5).map((_, i) => obx.fieldText(5, i)).join('\n'));
    }
  }
  if (lines.length > 0) {
    attachments.unshift({ contentType: 'text/plain; charset=utf-8', data: Buffer.from(lines.join('\n'), 'utf8').toString('base64'), title: txa.text(2, 2).trim() || undefined });
  }
  if (attachments.length === 0) {
    ctx.warnings.push('OBX: document has no content (no TX lines and no ED); only its notification is stored');
    attachments.push({ title: 'Document content not sent' });
  }
  const date = r.softDateTime(22, 2) ?? r.softDateTime(6) ?? r.softDateTime(4) ?? ctx.sourceTime;
  const author = practitionerRef(txa, 9) ?? practitionerRef(txa, 5);
  // TXA-2 is an IS of table 0270 (CWE from v2.7): a bare `DS` becomes the table's coding with its words.
  const typeCode = r.coded(2, 0, 1, DOCUMENT_TYPE) ?? { text: 'Document' };
  return [
    prune({
      resourceType: 'DocumentReference',
      id: stableId('doc', ctx, key),
      masterIdentifier: documentNumber ? { system: `https://openidcr.org/Id/document/${encodeURIComponent(ctx.ods)}`, value: documentNumber } : undefined,
      status: availability === 'OB' || availability === 'CA' ? 'superseded' : 'current',
      docStatus: DOC_STATUS[completion],
      type: typeCode,
      category: [{ coding: [{ system: CodeSystems.snomed, code: '371531000', display: 'Report of clinical encounter' }] }],
      subject: patientRef(ctx),
      date: date && /T/.test(date) ? date : undefined,
      author: author ? [author] : undefined,
      custodian: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: ctx.ods } },
      relatesTo: trigger === 'T10' && parent ? [{ code: 'replaces', target: { reference: `DocumentReference/${stableId('doc', ctx, parent)}` } }] : undefined,
      description: txa.text(2, 2).trim() || undefined,
      content: attachments.map((attachment) => ({ attachment })),
    }) as MappedResource,
  ];
}
