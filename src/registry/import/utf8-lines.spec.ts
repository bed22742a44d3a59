import { utf8Lines } from './utf8-lines';

async function collect(chunks: Buffer[]) {
  const out: { text: string; firstLine: number; invalidLines: number[] }[] = [];
  for await (const b of utf8Lines(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(b);
  return out;
}

describe('utf8Lines', () => {
  it('rebuilds the text whatever the chunk boundaries, even inside a multi-byte character', async () => {
    const text = '﻿first ü\nsecond 日本\nthird';
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 5, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const batches = await collect(chunks);
      expect(batches.map((b) => b.text).join('')).toBe('first ü\nsecond 日本\nthird');
      expect(batches.every((b) => b.invalidLines.length === 0)).toBe(true);
    }
  });

  it('names each line that is not valid UTF-8 and numbers lines across batches', async () => {
    const batches = await collect([
      Buffer.from('ok\nbad '),
      Buffer.from([0xff, 0x0a]),
      Buffer.from('ok\n'),
      Buffer.from([0xc3, 0x28, 0x0a]),
    ]);
    expect(batches.flatMap((b) => b.invalidLines)).toEqual([2, 4]);
    expect(batches.map((b) => b.firstLine)).toEqual([1, 2, 3, 4]);
  });
});
