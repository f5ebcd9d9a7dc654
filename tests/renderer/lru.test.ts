import { describe, expect, it } from 'vitest';
import { LruCache } from '../../renderer/src/lib/lru.ts';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its entry bound', () => {
    const c = new LruCache<number, string>(3);
    c.set(1, 'a');
    c.set(2, 'b');
    c.set(3, 'c');
    expect(c.get(1)).toBe('a'); // 1 is now the most recent
    c.set(4, 'd');
    expect(c.has(2)).toBe(false);
    expect(c.keys()).toEqual([3, 1, 4]);
    expect(c.size).toBe(3);
  });

  it('peek does not refresh recency', () => {
    const c = new LruCache<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    expect(c.peek(1)).toBe('a');
    c.set(3, 'c');
    expect(c.has(1)).toBe(false);
  });

  it('evicts by total cost too, and keeps the cost in step', () => {
    const c = new LruCache<string, number>(100, 10);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    expect(c.cost).toBe(8);
    c.set('c', 3, 4);
    expect(c.keys()).toEqual(['b', 'c']);
    expect(c.cost).toBe(8);
    c.set('b', 20, 1); // replacing an entry replaces its cost
    expect(c.cost).toBe(5);
    expect(c.keys()).toEqual(['c', 'b']);
    c.delete('c');
    expect(c.cost).toBe(1);
  });

  it('does not keep a value that alone exceeds the cost budget', () => {
    const c = new LruCache<string, number>(10, 10);
    c.set('a', 1, 5);
    c.set('huge', 2, 11);
    expect(c.has('huge')).toBe(false);
    expect(c.has('a')).toBe(true);
  });

  it('clears, and refuses a zero-size cache', () => {
    const c = new LruCache<number, number>(2, 100);
    c.set(1, 1, 10);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.cost).toBe(0);
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
