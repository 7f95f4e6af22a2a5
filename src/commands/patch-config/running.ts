import type { ServerTarget } from '../../connection/target.ts';
import { IDENTITY_VARIABLES, identifyServer, type ServerIdentity } from '../../server/identity.ts';
import { readVariables, type VariableOrigin } from '../../server/variables.ts';
import { LOCATING_VARIABLES, readLocalServer, type ThisMachine } from '../../serverfiles/local-server.ts';
import {
  isLocalTransport,
  readSettingSources,
  type ServerStartup,
} from '../../serverfiles/running-server.ts';

/** What the server running on this machine says, read once, best effort: patch-config works without it. */
export interface RunningServer {
  address: string;
  /** On this machine, with this machine's files (then it was asked for the rest). */
  local: boolean;
  /**
   * Why a server that answered on a socket or loopback address is not taken for this machine's
   * (another host name: a container's published port); null otherwise.
   */
  elsewhere: string | null;
  /** Why it could not be asked; null when it answered (or is not local, so was not asked). */
  error: string | null;
  identity: ServerIdentity | null;
  waitTimeout: number | null;
  interactiveTimeout: number | null;
  origin: VariableOrigin | null;
  /** The option files it says its settings came from (null: it cannot say). */
  configFiles: string[] | null;
  /** Why configFiles is null when a privilege would tell (one sentence); else null. */
  configFilesHiddenBy: string | null;
  /** Its command line (Linux), which may name other option files than the defaults. */
  startup: ServerStartup | null;
}

/** `machine`: this machine's name (and /proc), to tell the server's machine from this one. */
export async function readRunningServer(
  target: () => ServerTarget,
  machine: ThisMachine,
): Promise<RunningServer> {
  const empty = {
    elsewhere: null,
    identity: null,
    waitTimeout: null,
    interactiveTimeout: null,
    origin: null,
    configFiles: null,
    configFilesHiddenBy: null,
    startup: null,
  };
  let server: ServerTarget;
  try {
    server = target();
  } catch (err) {
    return { address: 'the local server', local: false, error: messageOf(err), ...empty };
  }
  const local = isLocalTransport(server.resolved.transport);
  if (!local) return { address: server.address, local, error: null, ...empty };
  let connection: Awaited<ReturnType<ServerTarget['connect']>> | undefined;
  try {
    connection = await server.connect();
    const global = await readVariables(connection, 'GLOBAL', [
      'wait_timeout',
      'interactive_timeout',
      ...LOCATING_VARIABLES,
      ...IDENTITY_VARIABLES,
    ]);
    const identity = identifyServer(global);
    const sources = await readSettingSources(connection, identity, 'wait_timeout');
    const here = await readLocalServer(connection, identity, machine, {
      variables: global,
      configFiles: sources.configFiles,
    });
    // Its flavor, files and values describe another machine: nothing of it may guide an edit here.
    if (here.elsewhere !== null)
      return { address: server.address, local: false, error: null, ...empty, elsewhere: here.elsewhere };
    return {
      address: server.address,
      local,
      elsewhere: null,
      error: null,
      identity,
      waitTimeout: Number(global.wait_timeout),
      interactiveTimeout: Number(global.interactive_timeout),
      origin: sources.origin,
      configFiles: here.configFiles?.files ?? null,
      configFilesHiddenBy: here.configFiles?.hiddenBy ?? null,
      startup: here.startup,
    };
  } catch (err) {
    return { address: server.address, local, error: messageOf(err), ...empty };
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
