import { connect } from "node:net";

/** A four-letter word over a raw TCP connection to a client port; what the server wrote back. */
export function fourLetter(address: string, word: string, timeoutMs = 5000): Promise<string> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    let out = "";
    const socket = connect({ host, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${address}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(word));
    socket.on("data", (chunk: string) => {
      out += chunk;
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** `wchc` parsed: session id (0x…) → watched paths. */
export async function watchesBySession(address: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of (await fourLetter(address, "wchc")).split("\n")) {
    if (line.startsWith("0x")) out.set(line.trim(), (current = []));
    else if (line.startsWith("\t") && current !== undefined) current.push(line.trim());
  }
  return out;
}
