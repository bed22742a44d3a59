// Every migration, in order; listed explicitly so the app, the CLI and the tests load the same set.
import { Foundation1764100000000 } from './1764100000000-foundation';
import { Registry1764100000100 } from './1764100000100-registry';
import { RegistrySeed1764100000150 } from './1764100000150-registry-seed';
import { Events1764100000200 } from './1764100000200-events';
import { AffectedSearch1764100000300 } from './1764100000300-affected-search';
import { CsvField1764100000400 } from './1764100000400-csv-field';
import { CustomerReach1764100000500 } from './1764100000500-customer-reach';
import { Feedback1764100000600 } from './1764100000600-feedback';
import { WebhookDeliveries1764100000700 } from './1764100000700-webhook-deliveries';
import { OpenWork1764100000800 } from './1764100000800-open-work';
import { AffectedFacets1764100000900 } from './1764100000900-affected-facets';
import { RegistryDigest1764100001000 } from './1764100001000-registry-digest';
import { NoticePlanRest1764100001100 } from './1764100001100-notice-plan-rest';
import { SuspendedAdded1764100001200 } from './1764100001200-suspended-added';

export const MIGRATIONS = [
  Foundation1764100000000,
  Registry1764100000100,
  RegistrySeed1764100000150,
  Events1764100000200,
  AffectedSearch1764100000300,
  CsvField1764100000400,
  CustomerReach1764100000500,
  Feedback1764100000600,
  WebhookDeliveries1764100000700,
  OpenWork1764100000800,
  AffectedFacets1764100000900,
  RegistryDigest1764100001000,
  NoticePlanRest1764100001100,
  SuspendedAdded1764100001200,
];
