import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

let counter = 0;

/**
 * Replaces `path` with `text` atomically: a reader (or a crash) sees the old content or the new,
 * never a mix. The data is written to a temporary file beside it (mode `mode`), flushed to disk,
 * then renamed over `path`, and the directory entry is flushed too.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const temporary = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    const file = await open(temporary, "wx", mode);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dirname(path), "r").catch(() => undefined);
  if (directory) {
    await directory.sync().catch(() => undefined);
    await directory.close();
  }
}
