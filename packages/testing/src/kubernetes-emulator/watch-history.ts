import { expired } from "./api-status.js";
import type { PodJson } from "./emulated-pod.js";

/** A watch event type (meta/v1 WatchEvent). */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** One change of a watched object, as stored. */
export interface StoredEvent {
  readonly resourceVersion: number;
  readonly type: WatchEventType;
  /** The object after the change (for DELETED: its last state). */
  readonly object: PodJson;
  /** The object before the change, so that a filtered watch can tell an object leaving its selection. */
  readonly previous: PodJson | undefined;
}

/**
 * The resourceVersion counter and the pods' change history of the Kubernetes API server EMULATOR:
 * every write bumps ONE cluster-wide resourceVersion (as etcd's revision does), and the last
 * `capacity` changes stay available to watches that start at an older version. A watch from a
 * version older than the retained history gets 410 Expired with the watch cache's message
 * `too old resource version: <asked> (<oldest - 1>)` (kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go getAllEventsSinceLocked).
 */
export class WatchHistory {
  private version = 1000;
  private events: StoredEvent[] = [];
  /** The oldest version a watch may start from. */
  private floor = 1000;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(private readonly capacity: number) {}

  /** The current (latest) resourceVersion. */
  get current(): number {
    return this.version;
  }

  /** Takes the next resourceVersion for a write that no watcher sees (services, configmaps, secrets). */
  next(): number {
    return ++this.version;
  }

  /** Records a change of a watched object at a new resourceVersion, and hands it to every watcher. */
  record(type: WatchEventType, object: PodJson, previous: PodJson | undefined, version = this.next()): StoredEvent {
    const event: StoredEvent = { resourceVersion: version, type, object, previous };
    this.events.push(event);
    if (this.events.length > this.capacity) {
      this.events.shift();
      this.floor = (this.events[0] as StoredEvent).resourceVersion - 1;
    }
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Every change after `version`; throws 410 Expired when the history no longer reaches back that far. */
  since(version: number): StoredEvent[] {
    if (version < this.floor) throw expired(`too old resource version: ${version} (${this.floor})`);
    return this.events.filter((e) => e.resourceVersion > version);
  }

  /** Forgets the whole history (as an etcd compaction would): only watches from now on can start. */
  compact(): void {
    this.events = [];
    this.floor = this.version;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
