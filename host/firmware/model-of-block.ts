// The model (shape, activations, loss) a board's configuration block
// describes: the block comes from the board (GET_WEIGHTS region CONFIG), so
// it is checked whole before any of it is used.
import type { ModelConfig } from "../model/config.js";
import { ACTIVATIONS } from "../model/config.js";
import { ConfigOffset, decodeShape } from "../protocol/config-block.js";
import { MalformedMessageError } from "../protocol/message-error.js";

/** The model a configuration block describes; throws MalformedMessageError saying what is wrong. */
export function modelOfBlock(block: Uint8Array): ModelConfig {
  const { sizes, loss } = decodeShape(block);
  const activations = sizes.slice(1).map((_, l) => {
    const code = block[ConfigOffset.ACTIVATIONS + l];
    const name = ACTIVATIONS[code];
    if (name === undefined) throw new MalformedMessageError(`configuration block: unknown activation ${code} for layer ${l + 1}`);
    return name;
  });
  return { sizes, activations, loss };
}
