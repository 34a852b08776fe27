// A frame payload that does not have the layout its type promises (a short
// reply, a count that disagrees with the length, a reply to another request).
// The board is failing or the line is corrupting data: exit code 4, as for any
// link failure.
import { LinkError } from "../errors.js";

export class MalformedMessageError extends LinkError {}
