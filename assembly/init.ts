// Initial weights, drawn in parameter order (layer by layer, weight then bias).
//   pytorch: nn.Linear's default, U(+-1/sqrt(fan_in)) for weight and bias
//   xavier:  U(+-sqrt(6/(fan_in+fan_out))) for weight, zero bias
//   he:      U(+-sqrt(6/fan_in)) for weight (kaiming_uniform_, relu gain), zero bias
import { Init, layerCount, width } from "./config";
import { weightsOf } from "./arena";
import { seedRng, uniform } from "./rng";

export function initWeights(scheme: u8, seed: u32): void {
  seedRng(seed);
  for (let l = 1; l <= layerCount(); l++) {
    const fanIn = width(l - 1);
    const fanOut = width(l);
    let wBound: f32;
    let bBound: f32 = 0;
    if (scheme == Init.XAVIER) wBound = <f32>Math.sqrt(6.0 / <f64>(fanIn + fanOut));
    else if (scheme == Init.HE) wBound = <f32>Math.sqrt(6.0 / <f64>fanIn);
    else {
      wBound = <f32>(1.0 / Math.sqrt(<f64>fanIn));
      bBound = wBound;
    }
    let p = weightsOf(l);
    const nW = fanIn * fanOut;
    for (let i = 0; i < nW; i++, p += 4) store<f32>(p, uniform(wBound));
    for (let j = 0; j < fanOut; j++, p += 4) store<f32>(p, bBound != 0 ? uniform(bBound) : 0);
  }
}
