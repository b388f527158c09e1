/**
 * At most `size` holders at once; the others wait in order. Used to keep the session channels on one
 * SSH connection under the server's `MaxSessions` (OpenSSH's default is 10).
 */
export class ChannelSlots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  /** Runs `work` once a slot is free, and frees it afterwards. */
  async with<T>(work: () => Promise<T>): Promise<T> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    }
  }
}
