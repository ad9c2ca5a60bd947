import { spawnSync } from 'node:child_process';
import { heapGrowingFlag } from './heap-growth';

describe('heapGrowingFlag', () => {
  it('turns the percentage into the V8 flag, and 0 into none (V8 decides)', () => {
    expect(heapGrowingFlag(30)).toBe('--heap-growing-percent=30');
    expect(heapGrowingFlag(0)).toBeUndefined();
  });

  it('is a flag this Node accepts at run time and that bounds how far the heap grows', () => {
    // Keeps ~25 MB for good and a ring of 600,000 short-lived objects that survive the young
    // generation, so old space fills with garbage and is collected many times: its peak size
    // is the live size times the growing factor.
    const program = `
      const flag = process.argv[1];
      if (flag) require('node:v8').setFlagsFromString(flag);
      const kept = [];
      for (let i = 0; i < 200000; i++) kept.push({ i, text: 'k' + i });
      const ring = new Array(600000);
      let peak = 0;
      for (let n = 0; n < 12000000; n++) {
        ring[n % 600000] = { n, text: 'g' + n };
        if (n % 50000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
      }
      process.stdout.write(String(peak));`;
    const committed = (flag: string) => {
      const run = spawnSync(process.execPath, ['-e', program, flag], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      return Number(run.stdout);
    };
    expect(committed(heapGrowingFlag(10) as string)).toBeLessThan(0.8 * committed(''));
  }, 60_000);
});
