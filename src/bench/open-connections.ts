/** Anything the bench holds open to the server: a connection, a pool's connection. */
interface Droppable {
  destroy(): void;
}

/**
 * The connections a bench run has open right now, so that a second Ctrl-C can drop them at once
 * instead of waiting for their queries (a long --query such as SELECT SLEEP(100)). Dropping
 * closes the sockets without COM_QUIT; the server ends each thread when it notices.
 */
export class OpenConnections {
  readonly #open = new Set<Droppable>();
  #dropped = false;

  /** Tracks a connection until `delete`; one opened after `dropAll` is dropped at once. */
  add<T extends Droppable>(connection: T): T {
    if (this.#dropped) connection.destroy();
    else this.#open.add(connection);
    return connection;
  }

  delete(connection: Droppable): void {
    this.#open.delete(connection);
  }

  get size(): number {
    return this.#open.size;
  }

  dropAll(): void {
    this.#dropped = true;
    for (const connection of this.#open) connection.destroy();
    this.#open.clear();
  }
}
