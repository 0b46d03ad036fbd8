/**
 * A binary min-heap ordered by `(priority, seq)`: `seq` breaks ties in insertion order, so
 * the simulation's choices never depend on the heap's internal layout.
 */
export class MinHeap<T> {
  readonly #items: Array<{ priority: number; seq: number; value: T }> = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(priority: number, value: T): void {
    const items = this.#items;
    items.push({ priority, seq: this.#seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** The smallest priority, or `undefined` when empty. */
  peekPriority(): number | undefined {
    return this.#items[0]?.priority;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.#less(left, smallest)) smallest = left;
        if (right < items.length && this.#less(right, smallest)) smallest = right;
        if (smallest === i) break;
        this.#swap(i, smallest);
        i = smallest;
      }
    }
    return top.value;
  }

  #less(i: number, j: number): boolean {
    const a = this.#items[i];
    const b = this.#items[j];
    if (a === undefined || b === undefined) return false;
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) return;
    items[i] = b;
    items[j] = a;
  }
}
