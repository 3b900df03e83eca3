/** Sort key of a FHIR date: the string itself sorts correctly when both are ISO; undefined sorts last. */
export function byDateDescending<T>(dateOf: (item: T) => string | undefined): (a: T, b: T) => number {
  return (a, b) => {
    const da = dateOf(a);
    const db = dateOf(b);
    if (da === db) return 0;
    if (da === undefined) return 1;
    if (db === undefined) return -1;
    return da < db ? 1 : -1;
  };
}
