// What a board wrote, cut at its 0x00 delimiters: every piece must be a
// well-formed frame, the module's banner line, or one of the pump's own
// report lines ("edgeprop: trap: ...", "edgeprop: load failed: ...").
import { decodeFrame, type Frame } from "../../host/protocol/frame";

export interface BoardOutput {
  frames: Frame[];
  banners: string[];
  reports: string[];
  /** Pieces that are none of these (must stay empty). */
  junk: string[];
}

const BANNER = /^edgeprop \d+\.\d+\.\d+ pr=\d+ me=\d+ bu=[0-9a-f]{8} bo=[0-9a-f]{8}\r\n$/;
const REPORT = /^edgeprop: (trap|load failed): [^\r\n]*\r\n$/;

export function splitBoardOutput(out: Uint8Array): BoardOutput {
  const res: BoardOutput = { frames: [], banners: [], reports: [], junk: [] };
  let start = 0;
  for (let i = 0; i <= out.length; i++) {
    if (i < out.length && out[i] !== 0) continue;
    const piece = out.subarray(start, i);
    start = i + 1;
    if (piece.length === 0) continue; // a bare delimiter (hosts and the pump send them)
    const text = Buffer.from(piece).toString("latin1");
    if (i === out.length) { res.junk.push(`unterminated: ${text.slice(0, 80)}`); break; }
    if (BANNER.test(text)) { res.banners.push(text); continue; }
    if (REPORT.test(text)) { res.reports.push(text); continue; }
    const f = piece.length > 0 ? decodeFrame(piece) : null;
    if (f) res.frames.push(f);
    else res.junk.push(Buffer.from(piece).toString("hex").slice(0, 160));
  }
  return res;
}
