/** The only database IO of dataset quality reports: read one, store one (the first writer wins). Every query names the account. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DatasetQualityReportRow, DatasetQualityReportsTable } from '../db/tables/dataset-quality.tables.ts';

/** Quality report rows over Kysely, portable between SQLite and PostgreSQL. */
export class DatasetQualityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The report of dataset `datasetId` of `accountId` computed with `optionsKey`, or undefined. */
  async find(accountId: string, datasetId: string, optionsKey: string): Promise<DatasetQualityReportRow | undefined> {
    return this.db
      .selectFrom('dataset_quality_reports')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('dataset_id', '=', datasetId)
      .where('options_key', '=', optionsKey)
      .executeTakeFirst();
  }

  /** Stores `row` unless one with the same key exists (a concurrent computation stored it); returns the stored row. */
  async insert(row: DatasetQualityReportsTable): Promise<DatasetQualityReportRow> {
    await this.db.insertInto('dataset_quality_reports').values(row).onConflict((oc) => oc.columns(['dataset_id', 'options_key']).doNothing()).execute();
    return (await this.find(row.account_id, row.dataset_id, row.options_key)) ?? row;
  }
}
