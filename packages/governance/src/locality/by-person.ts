/** Records kept in memory by the person they are about: the store behind the in-memory sources. */
export class ByPerson<T extends { personId: string }> {
  readonly #byPerson = new Map<string, T[]>();

  constructor(initial: Iterable<T> = []) {
    for (const item of initial) this.add(item);
  }

  add(item: T): void {
    const list = this.#byPerson.get(item.personId);
    if (list) list.push(item);
    else this.#byPerson.set(item.personId, [item]);
  }

  /** A copy of the person's records, oldest added first. */
  of(personId: string): T[] {
    return [...(this.#byPerson.get(personId) ?? [])];
  }
}
