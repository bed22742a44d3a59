// Reads a JSON Lines registry (one customer per line) as a stream of validated customers and line errors.
import { customerFromJson } from './json-customer';
import type { ReadItem } from './import.types';
import { utf8Lines } from './utf8-lines';

/** Yields the items of each read batch together: one await per batch, not per line, keeps the loop cheap. */
export async function* readJsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<ReadItem[]> {
  for await (const batch of utf8Lines(source)) {
    const invalid = new Set(batch.invalidLines);
    const out: ReadItem[] = [];
    const lines = batch.text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = batch.firstLine + i;
      if (invalid.has(line)) {
        out.push({ error: { line, field: '', message: 'line is not valid UTF-8' } });
        continue;
      }
      const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
      if (!raw.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        out.push({ error: { line, field: '', message: `malformed JSON: ${(e as Error).message}` } });
        continue;
      }
      const { customer, errors } = customerFromJson(value, line);
      for (const error of errors) out.push({ error });
      if (customer) out.push({ customer });
    }
    yield out;
  }
}
