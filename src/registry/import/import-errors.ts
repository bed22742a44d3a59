import { MAX_REPORTED_ERRORS, type ImportError } from './import.types';

/** Every error is counted; the first `cap` by line number are kept for the report. */
export class ImportErrors {
  total = 0;
  private kept: ImportError[] = [];

  constructor(readonly cap = MAX_REPORTED_ERRORS) {}

  add(e: ImportError): void {
    this.total++;
    if (this.kept.length < this.cap) this.kept.push(e);
  }

  /** Adds errors found in the database: `total` of them, of which `errors` are the first by line. */
  merge(found: { total: number; errors: ImportError[] }): void {
    this.total += found.total;
    this.kept.push(...found.errors);
  }

  list(): ImportError[] {
    return [...this.kept].sort((a, b) => a.line - b.line).slice(0, this.cap);
  }
}
