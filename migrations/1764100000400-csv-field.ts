import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One CSV field as csv-stringify writes it (quoted when it holds a quote, a comma or a line break; quotes doubled;
 * NULL as an empty field), so an export's lines are built by PostgreSQL and Node only passes them on.
 */
export class CsvField1764100000400 implements MigrationInterface {
  name = 'CsvField1764100000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION csv_field(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN v IS NULL THEN '' WHEN v ~ '[",\\r\\n]' THEN '"' || replace(v, '"', '""') || '"' ELSE v END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION csv_field(text)`);
  }
}
