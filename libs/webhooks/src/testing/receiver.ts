import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a webhook receiver saw it. */
export type ReceivedRequest = { path: string; headers: IncomingMessage["headers"]; body: string; receivedAt: number };
export type Reply = { status: number; body?: string } | "hang";
export type Responder = (req: ReceivedRequest, index: number) => Reply | Promise<Reply>;

export type TestReceiver = {
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Called on every request; default answers 200. */
  respond: Responder;
  close(): Promise<void>;
};

/**
 * A real HTTP webhook receiver on an ephemeral port, for tests. "hang" never answers (the sender's
 * timeout must fire); hung sockets are destroyed on close.
 */
export async function startReceiver(respond: Responder = () => ({ status: 200 })): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const hung = new Set<ServerResponse>();
  const receiver: TestReceiver = { url: () => "", requests, respond, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const received = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() };
      requests.push(received);
      const reply = await receiver.respond(received, requests.length - 1);
      if (reply === "hang") {
        hung.add(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = (path = "/hook") => `http://127.0.0.1:${port}${path}`;
  receiver.close = async () => {
    for (const res of hung) res.socket?.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
