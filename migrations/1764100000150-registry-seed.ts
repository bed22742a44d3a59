import { MigrationInterface, QueryRunner } from 'typeorm';
import { builtinRegionGroups } from '../src/registry/builtin-region-groups';

/** Ships the built-in region groups (EU, EEA, UN geoscheme continents); operators may replace them. */
export class RegistrySeed1764100000150 implements MigrationInterface {
  name = 'RegistrySeed1764100000150';

  async up(q: QueryRunner): Promise<void> {
    const rows: { code: string }[] = await q.query(`SELECT code FROM countries`);
    const known = new Set(rows.map((r) => r.code));
    for (const g of builtinRegionGroups(known)) {
      await q.query(
        `INSERT INTO region_groups (code, name, countries, builtin) VALUES ($1, $2, $3::char(2)[], true)
         ON CONFLICT (code) DO NOTHING`,
        [g.code, g.name, g.countries],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM region_groups WHERE builtin`);
  }
}
