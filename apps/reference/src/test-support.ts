/** The ODS code of a synthetic patient's registered practice: its identifier, or the `Organization/org-<ODS>` reference. */
export function practiceOf(patient: { generalPractitioner?: Array<{ reference?: string; identifier?: { value?: string } }> }): string | undefined {
  for (const gp of patient.generalPractitioner ?? []) {
    if (gp.identifier?.value) return gp.identifier.value;
    const match = /^Organization\/org-([A-Z0-9]{3,6})$/.exec(gp.reference ?? '');
    if (match) return match[1];
  }
  return undefined;
}
