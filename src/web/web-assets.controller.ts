// The pages' stylesheets and script: simple.css from node_modules plus our own few rules, read once, no build step.
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../common/auth.decorators';
import { WebViews } from './web-views.service';

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

@ApiExcludeController()
@Public()
@Controller('assets')
export class WebAssetsController {
  private readonly files = new Map<string, { type: string; body: Buffer }>();

  constructor(views: WebViews) {
    this.files.set('simple.css', {
      type: TYPES.css,
      body: readFileSync(require.resolve('simpledotcss/simple.min.css')),
    });
    for (const name of ['web.css', 'event-progress.js']) {
      this.files.set(name, {
        type: TYPES[name.split('.').pop()!],
        body: readFileSync(join(views.dir, 'assets', name)),
      });
    }
  }

  @Get(':name')
  get(@Param('name') name: string, @Res() res: Response) {
    const file = this.files.get(name);
    if (!file) throw new NotFoundException(`no asset ${name}`);
    res.setHeader('Content-Type', file.type);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.send(file.body);
  }
}
