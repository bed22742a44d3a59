// Entry for the TypeORM CLI: `npx typeorm-ts-node-commonjs migration:run -d src/database/data-source.ts`.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().DATABASE_URL));
