// The ZooKeeper door: hands each accepted socket to a JuteConnection, or answers a four-letter word.
import type { Duplex } from "node:stream";
import type { AuthId, ClientFront } from "../pipeline/front.js";
import { JuteConnection, type JuteConnectionOptions } from "./connection.js";
import { answerFourLetterWord, fourLetterWordOf } from "./four-letter-words.js";

export interface JuteDoorOptions extends JuteConnectionOptions {
  /** 4lw.commands.whitelist, parsed. */
  readonly fourLetterWhitelist: ReadonlySet<string>;
  /** Runs an admin command by name (the AdminService's); undefined for one it does not have. */
  readonly runCommand: (word: string) => string | undefined;
}

/**
 * Serves a socket whose first bytes (`first`, already read off it, at least 4 of them unless the
 * peer closed) are not an HTTP/2 preface: a four-letter word is answered and the connection
 * closed, as ZooKeeper does; anything else is ZooKeeper's protocol.
 */
export function serveJute(
  socket: Duplex,
  address: string,
  first: Buffer,
  front: ClientFront,
  options: JuteDoorOptions,
  ids: readonly AuthId[] = [],
): void {
  const word = fourLetterWordOf(first);
  if (word !== undefined) {
    socket.on("error", () => socket.destroy());
    socket.end(answerFourLetterWord(word, options.fourLetterWhitelist, options.runCommand));
    return;
  }
  new JuteConnection(socket, address, front, options, ids).feed(first);
}
