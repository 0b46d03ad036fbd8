import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap, PriorityQueue } from '../../../tooling/min-heap.ts';

describe('MinHeap', () => {
  it('pops in comparator order whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const value of values) heap.push(value);
        const popped: number[] = [];
        while (heap.size > 0) popped.push(heap.pop() as number);
        expect(popped).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });
});

describe('PriorityQueue', () => {
  it('pops by priority, ties in insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 })), (priorities) => {
        const queue = new PriorityQueue<number>();
        for (const [index, priority] of priorities.entries()) queue.push(priority, index);
        const popped: number[] = [];
        while (queue.size > 0) popped.push(queue.pop() as number);
        const expected = priorities
          .map((priority, index) => ({ priority, index }))
          .sort((a, b) => a.priority - b.priority || a.index - b.index)
          .map((entry) => entry.index);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it('peeks the smallest priority, undefined when empty', () => {
    const queue = new PriorityQueue<string>();
    expect(queue.peekPriority()).toBeUndefined();
    queue.push(3, 'c');
    queue.push(1, 'a');
    expect(queue.peekPriority()).toBe(1);
  });
});
