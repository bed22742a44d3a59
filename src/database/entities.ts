// Every TypeORM entity of the app, listed once for the DataSource.
import { ApiToken } from '../auth/entities/api-token.entity';
import { User } from '../auth/entities/user.entity';
import { AuditEntry } from '../audit/audit-entry.entity';

export const ENTITIES = [User, ApiToken, AuditEntry];
