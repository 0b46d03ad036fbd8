/** A binary min-heap ordered by a comparator. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l] as T, items[m] as T)) m = l;
        if (r < items.length && this.less(items[r] as T, items[m] as T)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}

interface Entry<T> {
  readonly priority: number;
  readonly seq: number;
  readonly value: T;
}

/**
 * A min-priority queue on {@link MinHeap}, ordered by `(priority, seq)`: `seq` breaks ties in
 * insertion order, so a caller's choices never depend on the heap's internal layout (the load
 * generator's simulation is reproducible from its seed because of it).
 */
export class PriorityQueue<T> {
  readonly #heap = new MinHeap<Entry<T>>(
    (a, b) => a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq),
  );
  #seq = 0;

  get size(): number {
    return this.#heap.size;
  }

  push(priority: number, value: T): void {
    this.#heap.push({ priority, seq: this.#seq++, value });
  }

  /** The smallest priority, or `undefined` when empty. */
  peekPriority(): number | undefined {
    return this.#heap.peek()?.priority;
  }

  pop(): T | undefined {
    return this.#heap.pop()?.value;
  }
}
