// Queue names, job names and job payloads: declared once, imported everywhere else.

export enum QueueName {
  /** Upstream publishers add suspension events here (SPEC §3). Any job name; data is one event. */
  SuspensionEvents = 'suspension-events',
  /** Applies the stored events of one case in arrival order. */
  CaseApply = 'case-apply',
  /** Sends notices: jobs carry ids, never rendered mails. */
  NoticeDispatch = 'notice-dispatch',
  /**
   * Sends webhook deliveries, with the same pumps as mail but a queue (and worker slots) of their own: behind a large
   * rate-limited mail dispatch, whose pumps hold their slots for hours, a customer's systems would wait as long.
   */
  WebhookDispatch = 'webhook-dispatch',
  /** Periodic repair: re-enqueues work found in PostgreSQL (Redis may be lost). */
  Maintenance = 'maintenance',
}

export enum JobName {
  ApplyCase = 'apply-case',
  SendBatch = 'send-batch',
  SendWebhooks = 'send-webhooks',
  Reconcile = 'reconcile',
}

export interface ApplyCaseJob {
  caseId: string;
}

/** The ways an event's customers are told: a mail per contact, a signed POST to a customer's webhook endpoint. */
export const DELIVERY_CHANNELS = ['email', 'webhook'] as const;
export type DeliveryChannelName = (typeof DELIVERY_CHANNELS)[number];

export interface SendBatchJob {
  /** events.id: the internal key, not the publisher's eventId. */
  eventPk: string;
  /** Which of the event's parallel pumps this is; pumps claim notices (or deliveries) until none is left. */
  pump: number;
}

export type ReconcileJob = Record<string, never>;

export interface JobPayloads {
  [JobName.ApplyCase]: ApplyCaseJob;
  [JobName.SendBatch]: SendBatchJob;
  [JobName.SendWebhooks]: SendBatchJob;
  [JobName.Reconcile]: ReconcileJob;
}

/** The job that pumps each channel's rows of an event (its queue is JOB_QUEUE's). */
export const CHANNEL_PUMP_JOB: Readonly<Record<DeliveryChannelName, JobName.SendBatch | JobName.SendWebhooks>> = {
  email: JobName.SendBatch,
  webhook: JobName.SendWebhooks,
};

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.ApplyCase]: QueueName.CaseApply,
  [JobName.SendBatch]: QueueName.NoticeDispatch,
  [JobName.SendWebhooks]: QueueName.WebhookDispatch,
  [JobName.Reconcile]: QueueName.Maintenance,
};
