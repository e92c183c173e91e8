/**
 * An in-memory {@link ModelStore} for service unit tests: the same observable behaviour as
 * the repository (unique model names and versions, one active version per model, foreign
 * keys from `referenced` version ids), with switches to inject the races a database can
 * produce.
 */
import type { Insertable } from 'kysely';
import type { ModelRow, ModelVersionFilesTable, ModelVersionRow, ModelVersionsTable, ModelsTable } from '../../db/tables/registry.tables.ts';
import type { ModelListRow, ModelStore, VersionFileRow } from '../../repositories/model.repository.ts';

/** A coded error like the drivers raise. */
function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Models, versions and files in arrays. */
export class FakeModelStore implements ModelStore {
  models: ModelRow[] = [];
  versions: ModelVersionRow[] = [];
  files: VersionFileRow[] = [];
  /** Version ids that something else refers to (deleting them is a foreign-key violation). */
  referenced = new Set<string>();
  /** When set, the next insertVersion fails as a concurrent insert of the same version would. */
  failNextInsertWithUnique = false;
  /** When set, the next deleteInactiveVersion finds the version activated meanwhile. */
  activateBeforeNextDelete = false;

  async listModels(): Promise<ModelListRow[]> {
    return [...this.models]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => {
        const active = this.versions.find((v) => v.model_id === m.id && v.is_active === 1);
        return { ...m, active_version_id: active?.id ?? null, active_version: active?.version ?? null, version_count: this.versions.filter((v) => v.model_id === m.id).length };
      });
  }

  async findModelById(id: string): Promise<ModelRow | undefined> {
    return this.models.find((m) => m.id === id);
  }

  async findModelByName(name: string): Promise<ModelRow | undefined> {
    return this.models.find((m) => m.name === name);
  }

  async listVersions(modelId: string): Promise<ModelVersionRow[]> {
    return this.versions.filter((v) => v.model_id === modelId).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.version.localeCompare(a.version));
  }

  async findVersion(modelId: string, idOrVersion: string): Promise<ModelVersionRow | undefined> {
    return this.versions.find((v) => v.model_id === modelId && (v.id === idOrVersion || v.version === idOrVersion));
  }

  async findVersionById(id: string): Promise<ModelVersionRow | undefined> {
    return this.versions.find((v) => v.id === id);
  }

  async findActiveVersion(modelId: string): Promise<ModelVersionRow | undefined> {
    return this.versions.find((v) => v.model_id === modelId && v.is_active === 1);
  }

  async listFiles(versionIds: readonly string[]): Promise<VersionFileRow[]> {
    return this.files.filter((f) => versionIds.includes(f.version_id)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async insertVersion(input: { model?: Insertable<ModelsTable>; version: Insertable<ModelVersionsTable>; files: Insertable<ModelVersionFilesTable>[]; activate: boolean }): Promise<void> {
    if (this.failNextInsertWithUnique) {
      this.failNextInsertWithUnique = false;
      throw driverError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: model_versions.model_id, model_versions.version');
    }
    if (input.model) this.models.push({ ...input.model, description: input.model.description ?? null });
    if (input.activate) for (const v of this.versions) if (v.model_id === input.version.model_id) v.is_active = 0;
    this.versions.push({ ...input.version, is_active: input.activate ? 1 : 0, created_by: input.version.created_by ?? null } as ModelVersionRow);
    this.files.push(...input.files);
  }

  async activate(modelId: string, versionId: string): Promise<void> {
    for (const v of this.versions) if (v.model_id === modelId) v.is_active = v.id === versionId ? 1 : 0;
  }

  async deleteInactiveVersion(versionId: string): Promise<boolean> {
    if (this.activateBeforeNextDelete) {
      this.activateBeforeNextDelete = false;
      return false;
    }
    if (this.referenced.has(versionId)) throw driverError('23503', 'update or delete on table "model_versions" violates foreign key constraint');
    const i = this.versions.findIndex((v) => v.id === versionId && v.is_active === 0);
    if (i < 0) return false;
    this.versions.splice(i, 1);
    this.files = this.files.filter((f) => f.version_id !== versionId);
    return true;
  }
}
