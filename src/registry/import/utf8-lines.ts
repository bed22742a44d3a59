// Turns a byte stream into UTF-8 text batches of whole lines, naming every line that is not valid UTF-8.
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** A run of whole lines (each ending in \n, but perhaps the file's last one). */
export interface TextBatch {
  text: string;
  /** Line number of the batch's first line (1-based). */
  firstLine: number;
  /** Lines of the batch that were not valid UTF-8 (decoded with U+FFFD so parsing can go on). */
  invalidLines: number[];
}

/**
 * No single line (or CSV record) may hold more than this: it bounds memory against a file without line breaks or a
 * CSV quote never closed. A real customer line is a few kB.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Ends the reading of a file: a line (or CSV record) over MAX_LINE_BYTES; reported as an error on `line`. */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    what = `line ${line}`,
  ) {
    super(`${what} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB: the rest of the file was not read`);
  }
}

const NL = 0x0a;

/**
 * Splits at the last line break of each chunk: a line break byte never occurs inside a multi-byte
 * UTF-8 sequence, so each batch decodes on its own and an invalid line is found exactly.
 */
export async function* utf8Lines(source: AsyncIterable<Buffer | string>): AsyncGenerator<TextBatch> {
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Buffer | null = null;
  let line = 1;
  let first = true;
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const cut = buf.lastIndexOf(NL);
    if (cut < 0) {
      if (buf.length > MAX_LINE_BYTES) throw new LineTooLongError(line);
      carry = buf;
      continue;
    }
    carry = cut + 1 < buf.length ? Buffer.from(buf.subarray(cut + 1)) : null;
    const batch = decode(buf.subarray(0, cut + 1), line, first, fatal);
    first = false;
    line += countLines(buf, cut + 1);
    yield batch;
  }
  if (carry && carry.length) yield decode(carry, line, first, fatal);
}

function countLines(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL); i >= 0 && i < end; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

function decode(bytes: Buffer, firstLine: number, first: boolean, fatal: TextDecoder): TextBatch {
  const body = first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  // isUtf8 (simdutf) and toString are several times faster than a fatal TextDecoder on valid text.
  if (isUtf8(body)) return { text: body.toString('utf8'), firstLine, invalidLines: [] };
  // Slow path, only for a batch holding bad bytes: decode line by line to name each bad one.
  const invalidLines: number[] = [];
  const parts: string[] = [];
  let start = 0;
  let line = firstLine;
  while (start < body.length) {
    const nl = body.indexOf(NL, start);
    const end = nl < 0 ? body.length : nl + 1;
    const one = body.subarray(start, end);
    try {
      parts.push(fatal.decode(one));
    } catch {
      invalidLines.push(line);
      parts.push(one.toString('utf8'));
    }
    start = end;
    line++;
  }
  return { text: parts.join(''), firstLine, invalidLines };
}
