// One MQTT connection of a coordinator or client (MQTT.js): the broker URL
// (mqtt://, mqtts:// for TLS), the username and password the broker's ACL
// knows the client by, a bounded connect, and an end that always finishes.
import mqtt, { type MqttClient } from "mqtt";
import { readFileSync } from "node:fs";
import { LinkError } from "../errors.js";

export interface BrokerOptions {
  url: string;
  username?: string;
  password?: string;
  /** mqtts://: a CA certificate file to trust (the broker's own CA). */
  caFile?: string;
  connectTimeoutMs?: number;
}

/** How long a client waits between attempts to get its broker back (MQTT.js reconnects; the subscriptions are renewed). */
export const RECONNECT_PERIOD_MS = 1000;

/**
 * Connects as `clientId`; a client names its hello topic as `goneTopic`, so
 * the broker clears its retained HELLO (an empty retained will) if the
 * connection dies: the coordinator stops sampling it. With `reconnect` a lost
 * connection is tried again every RECONNECT_PERIOD_MS (the first connect is
 * not: a wrong URL fails at once).
 */
export async function connectBroker(o: BrokerOptions, clientId: string, goneTopic?: string, reconnect = false): Promise<MqttClient> {
  try {
    return await mqtt.connectAsync(o.url, {
      clientId, ...(goneTopic !== undefined ? { will: { topic: goneTopic, payload: Buffer.alloc(0), qos: 1, retain: true } } : {}), clean: true,
      reconnectPeriod: reconnect ? RECONNECT_PERIOD_MS : 0, connectTimeout: o.connectTimeoutMs ?? 10_000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.caFile !== undefined ? { ca: readFileSync(o.caFile) } : {}),
    }, false);
  } catch (err) {
    throw new LinkError(`cannot reach the MQTT broker at ${o.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Closes the connection, forcibly if the broker does not answer within a second. */
export async function endConnection(c: MqttClient): Promise<void> {
  await Promise.race([c.endAsync(), new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
  if (!c.disconnected) await c.endAsync(true);
}
