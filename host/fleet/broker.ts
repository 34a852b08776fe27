// The embedded MQTT broker of `fleet sim` (aedes, in this process) on a free
// loopback port; `fleet serve` and `join` take a real broker's URL instead.
import net from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
