// Every migration, in order; listed explicitly so the app, the CLI and the tests load the same set.
import { Foundation1764100000000 } from './1764100000000-foundation';

export const MIGRATIONS = [Foundation1764100000000];
