// Worker thread of a JSON Lines import: parses, validates and encodes one batch of lines per message.
import { parentPort, workerData } from 'node:worker_threads';
import type { WebhookUrlPolicy } from '../../domain/webhook-url';
import { jsonLineItems } from './jsonl-reader';
import { stageItems, type StageMessage } from './staged-batches';

const { policy } = workerData as { policy: WebhookUrlPolicy };

parentPort?.on('message', ({ batch, idBase }: StageMessage) =>
  parentPort?.postMessage(stageItems(jsonLineItems(batch, policy), idBase)),
);
