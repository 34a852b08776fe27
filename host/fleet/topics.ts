// The fleet's topic layout (docs/fleet.md): one tree per fleet, one topic per
// client and direction, so a broker's ACL can let each board read only its
// own rounds and write only its own updates (`%u`, the MQTT username, is its
// client id in the Mosquitto configuration of docs/fleet.md).
//
//   edgeprop/<fleet>/hello/<id>   client -> coordinator  HELLO, retained (an empty retained message: gone)
//   edgeprop/<fleet>/round/<id>   coordinator -> client  ROUND: the global weights and the round's lr
//   edgeprop/<fleet>/update/<id>  client -> coordinator  UPDATE: the client's trained weights and example count
import { UsageError } from "../errors.js";

export const TOPIC_ROOT = "edgeprop";

/** A fleet name or client id: one topic level, no wildcards, nothing a broker or shell reads specially. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Whether `name` can be a fleet name or client id as it is. */
export function isTopicName(name: string): boolean {
  return NAME.test(name);
}

export function checkTopicName(what: string, name: string): string {
  if (!NAME.test(name)) throw new UsageError(`${what} '${name.slice(0, 64)}': 1 to 64 letters, digits, '_', '.' or '-'`);
  return name;
}

export interface FleetTopics {
  hello(id: string): string;
  round(id: string): string;
  update(id: string): string;
  /** Every client's hello (the coordinator's subscription). */
  allHellos: string;
  /** Every client's update (the coordinator's subscription). */
  allUpdates: string;
  /** The client id of a topic under this fleet's `kind` level, or null. */
  clientOf(topic: string, kind: "hello" | "update"): string | null;
}

export function fleetTopics(fleet: string): FleetTopics {
  checkTopicName("fleet", fleet);
  const base = `${TOPIC_ROOT}/${fleet}`;
  return {
    hello: (id) => `${base}/hello/${id}`,
    round: (id) => `${base}/round/${id}`,
    update: (id) => `${base}/update/${id}`,
    allHellos: `${base}/hello/+`,
    allUpdates: `${base}/update/+`,
    clientOf: (topic, kind) => {
      const prefix = `${base}/${kind}/`;
      if (!topic.startsWith(prefix)) return null;
      const id = topic.slice(prefix.length);
      return NAME.test(id) ? id : null;
    },
  };
}
