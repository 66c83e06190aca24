import { describe, expect, it } from 'vitest';
import { BodyPool } from './fetchScrape';

describe('BodyPool', () => {
  it('hands out exactly the bytes asked for and takes a body back for the next scrape', () => {
    const pool = new BodyPool(2);
    const a = pool.take(1000);
    expect(a.length).toBe(1000);
    expect(a.buffer.byteLength).toBe(1000);
    pool.give(a);
    const b = pool.take(900);
    expect(b.length).toBe(900);
    expect(b.buffer).toBe(a.buffer);
    // not reused for a body less than half its size, nor one larger than it
    pool.give(b);
    expect(pool.take(400).buffer).not.toBe(a.buffer);
    expect(pool.take(1001).buffer).not.toBe(a.buffer);
    expect(pool.take(1000).buffer).toBe(a.buffer);
  });

  it('keeps at most its maximum of free bodies', () => {
    const pool = new BodyPool(1);
    const a = pool.take(100);
    const b = pool.take(100);
    pool.give(a);
    pool.give(b);
    expect(pool.take(100).buffer).toBe(a.buffer);
    expect(pool.take(100).buffer).not.toBe(b.buffer);
  });
});
