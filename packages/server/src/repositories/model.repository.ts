/**
 * The registry's database IO: models, their immutable versions and version files. Portable
 * Kysely only; activation is one transaction, and the partial unique index keeps at most one
 * active version per model even under concurrent activations.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ModelRow, ModelVersionFilesTable, ModelVersionRow, ModelVersionsTable, ModelsTable } from '../db/tables/registry.tables.ts';

/** A model row with its active version (if any) and number of versions. */
export interface ModelListRow extends ModelRow {
  active_version_id: string | null;
  active_version: string | null;
  version_count: number;
}

/** A version file row. */
export type VersionFileRow = ModelVersionFilesTable;

/** The registry's storage as the service sees it (the repository, or a fake in unit tests). */
export type ModelStore = Pick<ModelRepository, keyof ModelRepository>;

/** Database IO for the model registry. */
export class ModelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every model with its active version, by name. */
  async listModels(): Promise<ModelListRow[]> {
    const rows = await this.db
      .selectFrom('models')
      .leftJoin('model_versions as active', (j) => j.onRef('active.model_id', '=', 'models.id').on('active.is_active', '=', 1))
      .selectAll('models')
      .select(['active.id as active_version_id', 'active.version as active_version'])
      .select((eb) => eb.selectFrom('model_versions').whereRef('model_versions.model_id', '=', 'models.id').select(eb.fn.countAll<number>().as('n')).as('version_count'))
      .orderBy('models.name')
      .execute();
    return rows.map((r) => ({ ...r, version_count: Number(r.version_count ?? 0) }));
  }

  /** The model with `id`. */
  async findModelById(id: string): Promise<ModelRow | undefined> {
    return this.db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The model named `name`. */
  async findModelByName(name: string): Promise<ModelRow | undefined> {
    return this.db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** Versions of a model, newest first. */
  async listVersions(modelId: string): Promise<ModelVersionRow[]> {
    return this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).orderBy('created_at', 'desc').orderBy('version', 'desc').execute();
  }

  /** A version of `modelId` by its id or its version string. */
  async findVersion(modelId: string, idOrVersion: string): Promise<ModelVersionRow | undefined> {
    return this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', '=', modelId)
      .where((eb) => eb.or([eb('id', '=', idOrVersion), eb('version', '=', idOrVersion)]))
      .executeTakeFirst();
  }

  /** A version by id, of any model. */
  async findVersionById(id: string): Promise<ModelVersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The active version of a model. */
  async findActiveVersion(modelId: string): Promise<ModelVersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).where('is_active', '=', 1).executeTakeFirst();
  }

  /** Files of versions, by version id. */
  async listFiles(versionIds: readonly string[]): Promise<VersionFileRow[]> {
    if (versionIds.length === 0) return [];
    return this.db.selectFrom('model_version_files').selectAll().where('version_id', 'in', versionIds).orderBy('name').execute();
  }

  /**
   * Inserts a version with its files in one transaction, creating the model row when `model`
   * is given; with `activate`, the version becomes the model's only active one.
   */
  async insertVersion(input: {
    model?: Insertable<ModelsTable>;
    version: Insertable<ModelVersionsTable>;
    files: Insertable<ModelVersionFilesTable>[];
    activate: boolean;
  }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (input.model) await trx.insertInto('models').values(input.model).execute();
      if (input.activate) await trx.updateTable('model_versions').set({ is_active: 0 }).where('model_id', '=', input.version.model_id).where('is_active', '=', 1).execute();
      await trx.insertInto('model_versions').values({ ...input.version, is_active: input.activate ? 1 : 0 }).execute();
      if (input.files.length > 0) await trx.insertInto('model_version_files').values(input.files).execute();
      await trx.updateTable('models').set({ updated_at: input.version.created_at }).where('id', '=', input.version.model_id).execute();
    });
  }

  /** Makes `versionId` the only active version of `modelId`, in one transaction. */
  async activate(modelId: string, versionId: string, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('model_versions').set({ is_active: 0 }).where('model_id', '=', modelId).where('is_active', '=', 1).where('id', '!=', versionId).execute();
      await trx.updateTable('model_versions').set({ is_active: 1 }).where('id', '=', versionId).where('model_id', '=', modelId).execute();
      await trx.updateTable('models').set({ updated_at: now }).where('id', '=', modelId).execute();
    });
  }

  /**
   * Deletes an inactive version and its file rows.
   * @returns false when the version is active or gone. A foreign-key violation (an
   *   inspection references the version) propagates.
   */
  async deleteInactiveVersion(versionId: string): Promise<boolean> {
    // File rows go with the version (ON DELETE CASCADE); the blobs stay until swept.
    const res = await this.db.deleteFrom('model_versions').where('id', '=', versionId).where('is_active', '=', 0).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
