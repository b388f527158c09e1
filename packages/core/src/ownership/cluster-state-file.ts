import { chmod, mkdir, rm } from "node:fs/promises";
import { writeFileAtomic } from "../atomic-file.js";
import { clusterRecordPath, type ClusterRecord } from "./cluster-record.js";

/**
 * The owner's handle on its cluster's state file. Every change is applied at once in memory and
 * written atomically; changes made while a write runs are written together right after it.
 * `update` resolves once a write containing the change is on disk.
 */
export class ClusterStateFile {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private removed = false;

  private constructor(
    /** The file's path. */
    readonly path: string,
    private record: ClusterRecord,
  ) {}

  /** Creates the state directory (mode 0700) if needed and writes the first version of the record. */
  static async create(directory: string, record: ClusterRecord): Promise<ClusterStateFile> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
    const file = new ClusterStateFile(clusterRecordPath(directory, record.clusterId), record);
    await file.persist();
    return file;
  }

  /** The record as last changed. */
  get current(): ClusterRecord {
    return this.record;
  }

  /** Applies a change and resolves once it is written. After `remove()`, changes are kept in memory only. */
  update(change: (record: ClusterRecord) => ClusterRecord): Promise<void> {
    this.record = change(this.record);
    return this.removed ? Promise.resolve() : this.persist();
  }

  /** Deletes the file (the cluster closed cleanly); waits for a write in progress first. */
  async remove(): Promise<void> {
    this.removed = true;
    await this.next?.catch(() => undefined);
    await this.writing?.catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private persist(): Promise<void> {
    if (this.next) return this.next;
    const previous = this.writing ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        if (this.removed) return;
        const writing = writeFileAtomic(this.path, `${JSON.stringify(this.record, null, 1)}\n`);
        this.writing = writing;
        return writing.finally(() => {
          if (this.writing === writing) this.writing = undefined;
        });
      });
    this.next = next;
    return next;
  }
}
