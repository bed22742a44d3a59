// Secrets the service generates for itself when the operator set none (development only), shared through PostgreSQL.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

@Injectable()
export class AppSecretsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The stored value of `name`, storing `candidate` first when there is none: every process gets the same one. */
  async getOrCreate(name: string, candidate: string): Promise<string> {
    const [row] = await this.dataSource.query(
      `WITH ins AS (INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
       SELECT value FROM ins UNION ALL SELECT value FROM app_secrets WHERE name = $1 LIMIT 1`,
      [name, candidate],
    );
    return row.value;
  }
}
