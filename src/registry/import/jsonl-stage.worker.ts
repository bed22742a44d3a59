// Worker thread of a JSON Lines import: parses, validates and encodes one batch of lines per message.
import { parentPort } from 'node:worker_threads';
import { jsonLineItems } from './jsonl-reader';
import { stageItems } from './staged-batches';
import type { TextBatch } from './utf8-lines';

parentPort?.on('message', (batch: TextBatch) => parentPort?.postMessage(stageItems(jsonLineItems(batch))));
