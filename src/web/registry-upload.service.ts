// Streams a registry file uploaded by the import form (multipart) into RegistryImportService, never buffering it whole.
import { BadRequestException, ForbiddenException, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import type { Principal } from '../domain/roles';
import { IMPORT_MODES, type ImportFormat, type ImportMode, type ImportReport } from '../registry/import/import.types';
import { RegistryImportService } from '../registry/import/registry-import.service';
import { CSRF_FIELD, WebCsrfService } from './web-csrf.service';
import type { WebRequest } from './web-views.service';

export function formatOfFile(fileName: string, chosen: string | undefined): ImportFormat | null {
  if (chosen === 'csv' || chosen === 'jsonl') return chosen;
  if (/\.csv$/i.test(fileName)) return 'csv';
  if (/\.(jsonl|ndjson|jsonlines)$/i.test(fileName)) return 'jsonl';
  return null;
}

@Injectable()
export class RegistryUploadService {
  constructor(
    private readonly imports: RegistryImportService,
    private readonly csrf: WebCsrfService,
  ) {}

  /**
   * The form sends its fields (CSRF token, mode, dry run, format) before the file, so they are known, and the
   * CSRF token checked, before the first byte of the file is used.
   */
  importUpload(req: WebRequest, actor: Principal): Promise<{ report: ImportReport; fileName: string }> {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 4096 } });
    } catch {
      return Promise.reject(new UnsupportedMediaTypeException('send the form as multipart/form-data'));
    }
    const fields: Record<string, string> = {};
    return new Promise((resolve, reject) => {
      let started = false;
      const fail = (e: unknown) => {
        req.unpipe(bb);
        req.resume();
        reject(e);
      };
      bb.on('field', (name, value) => {
        fields[name] = value;
      });
      bb.on('file', (_name, file: Readable, info) => {
        if (started) return void file.resume();
        started = true;
        req.body = { [CSRF_FIELD]: fields[CSRF_FIELD] };
        if (!this.csrf.valid(req)) {
          file.resume();
          return fail(
            new ForbiddenException(
              'the form was refused: its security token is missing or out of date; reload the page',
            ),
          );
        }
        const format = formatOfFile(info.filename ?? '', fields.format);
        const mode = (fields.mode ?? 'upsert') as ImportMode;
        if (!format || !IMPORT_MODES.includes(mode)) {
          file.resume();
          return fail(
            new BadRequestException('choose a .csv or .jsonl file (or pick its format) and a mode of upsert or sync'),
          );
        }
        this.imports
          .import(file, { format, mode, dryRun: fields.dryRun === 'on' || fields.dryRun === 'true' }, actor)
          .then((report) => resolve({ report, fileName: info.filename ?? '' }), fail);
      });
      bb.on('error', fail);
      bb.on('close', () => {
        if (!started) reject(new BadRequestException('choose a file to import'));
      });
      req.pipe(bb);
    });
  }
}
