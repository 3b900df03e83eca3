import { describe, expect, it } from 'vitest';
import { parseLocality } from './locality.js';
import { northshire } from './locality.fixtures.js';
import { rolloutAccess, rolloutSummary } from './rollout.js';

const staged = (stage: 'pilot' | 'staged' | 'live') => {
  const base = northshire();
  return { ...base, organisations: base.organisations.map((o) => (o.ods === 'Y90001' ? { ...o, stage } : o)) };
};

describe('staged roll-out', () => {
  it('names the field of a bad roll-out group', () => {
    const bad = parseLocality({ ...staged('pilot'), rollout: { groups: [{ id: 'Pilot One', name: 'x', stage: 'pilot', users: ['dr-gp'] }, { id: 'wave', name: 'Wave', stage: 'live', users: [] }] } });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['rollout.groups[0].id', 'rollout.groups[1].stage', 'rollout.groups[1].users']));
    const unknown = parseLocality({ ...staged('pilot'), rollout: { groups: [{ id: 'pilot', name: 'Pilot', stage: 'pilot', users: ['nobody', 'citizen-1'] }] } });
    expect(unknown.ok ? [] : unknown.issues).toEqual([
      { path: 'rollout.groups[0].users[0]', message: '"nobody" is not one of auth.users' },
      { path: 'rollout.groups[0].users[1]', message: '"citizen-1" is a citizen; roll-out groups are of professionals' },
    ]);
  });

  it('admits pilot users at pilot and staged organisations, roll-out users at staged ones, everyone when live', () => {
    const rollout = { groups: [{ id: 'pilot', name: 'Pilot', stage: 'pilot' as const, users: ['dr-gp'] }] };
    const gp = { id: 'dr-gp', organisation: { ods: 'Y90001' } };
    const other = { id: 'locum', organisation: { ods: 'Y90001' } };
    const at = (stage: 'pilot' | 'staged' | 'live') => {
      const parsed = parseLocality({ ...staged(stage), rollout });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return parsed.locality;
    };
    expect(rolloutAccess(at('pilot'), gp)).toMatchObject({ allowed: true, group: 'pilot' });
    expect(rolloutAccess(at('pilot'), other)).toMatchObject({ allowed: false, stage: 'pilot', message: expect.stringContaining('pilot') });
    expect(rolloutAccess(at('staged'), other)).toMatchObject({ allowed: false, stage: 'staged' });
    expect(rolloutAccess(at('live'), other)).toEqual({ allowed: true, stage: 'live' });
    expect(rolloutAccess({ organisations: at('pilot').organisations }, other)).toEqual({ allowed: true, stage: 'not-enforced' });
    const summary = rolloutSummary(at('pilot'), [{ id: 'dr-gp', name: 'A', role: 'gp', organisation: 'Y90001' }, { id: 'locum', name: 'B', role: 'gp', organisation: 'Y90001' }]);
    expect(summary.stages.pilot.map((o) => o.ods)).toEqual(['Y90001']);
    expect(summary.users.map((u) => [u.id, u.allowed])).toEqual([['dr-gp', true], ['locum', false]]);
  });
});
