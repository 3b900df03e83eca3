import { CodeSystems, ODS_CODE_SYSTEM } from '@openidcr/model';
import { practitionerRef, prune } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

const RF1_STATUS: Record<string, string> = { P: 'active', A: 'active', R: 'revoked', E: 'completed', C: 'revoked', H: 'on-hold', G: 'completed' };
const PRIORITY: Record<string, string> = { S: 'stat', A: 'asap', R: 'routine', P: 'routine', T: 'urgent', U: 'urgent' };

/** REF^I12/I13/I14 → ServiceRequest (I14 cancels). */
export function mapReferral(ctx: MappingContext): MappedResource[] {
  const rf1 = ctx.message.segment('RF1');
  if (!rf1) return [];
  const r = reader(ctx, rf1);
  const referralId = rf1.get(6).trim() || rf1.get(11).trim();
  const key = referralId || ctx.message.header.controlId;
  const trigger = ctx.message.header.triggerEvent;
  const referring = ctx.message.all('PRD').find((p) => ['RP', 'PP', 'RF'].includes(p.get(1).trim().toUpperCase()));
  const referredTo = ctx.message.all('PRD').find((p) => p.get(1).trim().toUpperCase() === 'RT');
  const prdName = (p: typeof referring) => {
    if (!p) return undefined;
    const person = [p.text(2, 6), p.text(2, 2), p.text(2, 1)].map((s) => s.trim()).filter(Boolean).join(' ');
    const org = p.text(7, 1).trim();
    return person || org ? { display: person || org } : undefined;
  };
  // The organisation referred to: PRD-7 with identifier type ODS, else the facility of PRD-4 (contact location).
  const referredToOds = (() => {
    if (!referredTo) return undefined;
    const typed = referredTo.repetitions(7).map((_, i) => ({ value: referredTo.get(7, 1, 1, i).trim(), type: (referredTo.get(7, 2, 1, i).trim() || referredTo.get(7, 4, 1, i).trim()).toUpperCase() })).find((x) => x.type === 'ODS' && x.value);
    const code = (typed?.value || referredTo.get(4, 4).trim()).toUpperCase();
    return /^[A-Z0-9]{3,6}$/.test(code) ? code : undefined;
  })();
  const performer = prdName(referredTo) || referredToOds ? { ...prdName(referredTo), ...(referredToOds ? { identifier: { system: ODS_CODE_SYSTEM, value: referredToOds } } : {}) } : undefined;
  const reasons = [...r.codedAll(10), ...ctx.message.all('DG1').map((dg1) => reader(ctx, dg1).coded(3))].filter((c) => c !== undefined);
  return [
    prune({
      resourceType: 'ServiceRequest',
      id: stableId('ref', ctx, key),
      identifier: referralId ? [{ system: `https://openidcr.org/Id/referral/${encodeURIComponent(ctx.ods)}`, value: referralId }] : undefined,
      status: trigger === 'I14' ? 'revoked' : (RF1_STATUS[rf1.get(1).trim().toUpperCase()] ?? 'active'),
      intent: 'order',
      category: [{ coding: [{ system: CodeSystems.snomed, code: '3457005', display: 'Patient referral' }] }],
      priority: PRIORITY[rf1.get(2).trim().toUpperCase()],
      code: r.coded(3) ?? r.coded(5),
      subject: patientRef(ctx),
      authoredOn: r.softDateTime(7) ?? r.softDateTime(9) ?? ctx.sourceTime,
      requester: prdName(referring) ?? practitionerRef(ctx.message.segment('PV1') ?? rf1, 8),
      performer: performer ? [performer] : undefined,
      reasonCode: reasons,
      note: ctx.message.all('NTE').map((n) => ({ text: n.fieldText(3) })).filter((n) => n.text.trim()),
    }) as MappedResource,
  ];
}

const ORC_STATUS: Record<string, string> = { CM: 'completed', DC: 'revoked', CA: 'revoked', HD: 'on-hold', IP: 'active', SC: 'active', A: 'active', ER: 'entered-in-error' };

/** ORM^O01 / OML^O21: one ServiceRequest per ORC/OBR order. */
export function mapOrders(ctx: MappingContext): MappedResource[] {
  const out: MappedResource[] = [];
  let orc: ReturnType<typeof ctx.message.segment>;
  for (const s of ctx.message.segments) {
    if (s.name === 'ORC') orc = s;
    if (s.name !== 'OBR') continue;
    const r = reader(ctx, s);
    const placer = s.get(2).trim() || orc?.get(2).trim() || '';
    const filler = s.get(3).trim() || orc?.get(3).trim() || '';
    const key = placer || filler || `${ctx.message.header.controlId}:${s.sequence}`;
    const control = orc?.get(1).trim().toUpperCase() ?? '';
    const status = control === 'CA' || control === 'DC' || control === 'OC' ? 'revoked' : (ORC_STATUS[orc?.get(5).trim().toUpperCase() ?? ''] ?? 'active');
    out.push(
      prune({
        resourceType: 'ServiceRequest',
        id: stableId('ord', ctx, key),
        identifier: placer ? [{ system: `https://openidcr.org/Id/placer-order/${encodeURIComponent(ctx.ods)}`, value: placer }] : undefined,
        status,
        intent: 'order',
        code: r.coded(4) ?? { text: 'Order' },
        subject: patientRef(ctx),
        authoredOn: (orc && reader(ctx, orc).softDateTime(9)) || r.softDateTime(6) || ctx.sourceTime,
        requester: practitionerRef(s, 16) ?? (orc ? practitionerRef(orc, 12) : undefined),
        priority: PRIORITY[s.get(5).trim().toUpperCase()],
      }) as MappedResource,
    );
  }
  return out;
}
