import type { Response } from 'express';

export function sendCsvHeaders(res: Response, baseName: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${baseName.replace(/[^\w.-]/g, '_')}.csv"`);
}
