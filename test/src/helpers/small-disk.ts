/**
 * A small filesystem that can be filled up and freed while a ledger or a gateway keeps
 * running on it: a tmpfs of a given size, mounted on a temp directory. Mounting needs root
 * (CI runs as root); where it cannot mount, `SmallDisk.mount` says why and the suite skips.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp';

/** tmpfs counts space in pages. */
export const PAGE = 4096;

export class SmallDisk {
  private constructor(readonly dir: string) {}

  /**
   * Mount a tmpfs of `sizeMb` on a fresh temp directory, or say why it cannot be done.
   *
   * @example
   * const disk = SmallDisk.mount(16);
   * if (typeof disk === 'string') this.skip();
   */
  static mount(sizeMb: number): SmallDisk | string {
    if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
    if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
    const dir = tempDir('small-disk');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    } catch (e) {
      return `cannot mount a tmpfs: ${((e as { stderr?: Buffer }).stderr ?? '').toString().trim() || (e as Error).message}`;
    }
    return new SmallDisk(dir);
  }

  private get filler(): string {
    return join(this.dir, 'filler');
  }

  /** Bytes free for writing now. */
  free(): number {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Fill the disk up, then give back `pages` pages: what remains free is exactly that. */
  fill(pages = 0): void {
    const fd = openSync(this.filler, 'a');
    let size = 0;
    try {
      for (const chunk of [1 << 20, 64 << 10, PAGE, 1]) {
        const buf = Buffer.alloc(chunk, 0x55);
        try {
          for (;;) {
            const n = writeSync(fd, buf);
            size += n;
            if (n < chunk) break;
          }
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        }
      }
      ftruncateSync(fd, Math.max(0, size - pages * PAGE));
    } finally {
      closeSync(fd);
    }
  }

  /** Give all the space back. */
  release(): void {
    rmSync(this.filler, { force: true });
  }

  /** Unmount (lazily, should something still hold a file open). */
  unmount(): void {
    try {
      execFileSync('umount', [this.dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', this.dir], { stdio: 'pipe' });
    }
  }
}
