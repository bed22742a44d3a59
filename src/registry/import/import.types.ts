// The import contract (SPEC §2 "Import formats", §5 report shape), declared once.
import type { Tier } from '../../domain/registry.types';

export const IMPORT_MODES = ['upsert', 'sync'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const IMPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** At most this many errors are listed in a report; `errorCount` is always the total. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportError {
  line: number;
  field: string;
  message: string;
}

export interface ImportReport {
  applied: boolean;
  dryRun: boolean;
  mode: ImportMode;
  customers: { created: number; updated: number; deactivated: number };
  contacts: number;
  subscriptions: number;
  errorCount: number;
  errors: ImportError[];
}

export interface StagedContact {
  email: string;
  name: string;
  locale: string;
  role: string | null;
  notices: boolean;
}

/** One customer as validated in Node, ready for the staging table (one row per customer, or per CSV group). */
export interface StagedCustomer {
  line: number;
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  amEmail: string | null;
  amName: string | null;
  contacts: StagedContact[];
  /** Deduplicated and sorted by product then country, so equal sets compare equal. */
  subscriptions: { product: string; country: string }[];
  /**
   * The customer's webhook endpoint URL, normalised (JSON Lines `"webhook": {"url": …}`). Absent or null: the file
   * says nothing about it, and an endpoint the customer has is left as it is (only DELETE removes one).
   */
  webhookUrl?: string | null;
}

/** What a format reader yields: a customer, or a problem found in one line. */
export type ReadItem = { customer: StagedCustomer } | { error: ImportError };

export interface ImportOptions {
  format: ImportFormat;
  mode: ImportMode;
  dryRun: boolean;
  /**
   * The source is read at this process's own speed (a file, a generator), not at a client's: a JSON Lines file
   * into an empty registry may then be loaded straight into its tables, which stay locked from the first line to
   * the commit. An upload is staged first, so a slow client never holds the registry locked.
   */
  localSource?: boolean;
}
