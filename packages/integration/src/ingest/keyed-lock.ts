/**
 * Serialises work that shares a key, in the order it was requested. Registration is synchronous, so callers that
 * request in arrival order are served in arrival order; several keys are taken in one step, so there is no deadlock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for every earlier holder of any of the keys; call the returned function to release. */
  acquire(keys: readonly string[]): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const waits: Promise<void>[] = [];
    for (const key of new Set(keys)) {
      const prev = this.tails.get(key);
      if (prev) waits.push(prev);
      const tail = mine.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      this.tails.set(key, tail);
    }
    return Promise.all(waits).then(() => release);
  }

  get size(): number {
    return this.tails.size;
  }
}
