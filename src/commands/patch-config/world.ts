/** The machine patch-config works on: injected, so that tests give temporary trees, a server program of their own and a failing writer. */
import { homedir } from 'node:os';
import type { IO } from '../../io.ts';
import { nodeFs, type OptionFileRef, type OptionFileSystem } from '../../optionfile/index.ts';
import type { WriteHooks } from '../../patch/write.ts';
import { serverProgramOnce, type ThisMachine, thisMachine } from '../../serverfiles/local-server.ts';
import type { ServerProgram } from '../../serverfiles/server-program.ts';

/** The machine patch-config works on; tests give temporary trees and a failing writer. */
export interface PatchConfigWorld {
  fs: OptionFileSystem;
  platform: NodeJS.Platform;
  home: string;
  /** The installed server program, asked once; null when there is none. */
  serverProgram(): ServerProgram | null;
  /** The server's default option files; computed from the program or platform when absent. */
  defaultFiles?: OptionFileRef[];
  hooks?: WriteHooks;
  /** This machine's name, compared with the running server's @@hostname; os.hostname() when absent. */
  hostname?: () => string;
  /**
   * Runs once the question at the terminal is answered, before the files are read again for the
   * last check: tests change a file here, as another program could while dbcache waits.
   */
  afterConfirm?: () => void;
}

export function machineWorld(io: IO): PatchConfigWorld {
  const home = homedir();
  return {
    fs: nodeFs,
    platform: process.platform,
    home,
    serverProgram: serverProgramOnce(io.env, process.platform, home),
  };
}

/** This machine as the running server is compared with it. */
export function machineOf(world: PatchConfigWorld): ThisMachine {
  return world.hostname ? { hostname: world.hostname() } : thisMachine();
}
