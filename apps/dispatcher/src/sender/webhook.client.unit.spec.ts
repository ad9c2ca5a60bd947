import { ownBytes } from './webhook.client';

describe('ownBytes', () => {
  it("copies a view of a larger buffer (Node's allocation pool) into one that owns exactly its bytes", () => {
    const pooled = Buffer.from('{"exact":"bytes \u00e9"}', 'utf8');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    const owned = ownBytes(pooled);
    expect(owned.equals(pooled)).toBe(true);
    expect(owned.byteOffset).toBe(0);
    expect(owned.buffer.byteLength).toBe(pooled.length);
  });

  it('passes a buffer that already owns its memory through unchanged', () => {
    const own = Buffer.from(new ArrayBuffer(3));
    own.write('abc');
    expect(ownBytes(own)).toBe(own);
  });
});
