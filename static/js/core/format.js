/* Numbers and words every page shows the same way. The model reads ROWS rows of ROWS pixels and answers
   one of DIGITS digits (model/shapes.py says the same for the server). */

export const ROWS = 28;
export const DIGITS = 10;
export const UNSURE_BELOW = 0.6;

/** "99.9%", "42%", "<1%", "0%": high values floored so 99.96% never reads as a certain 100%. */
export function percent(p) {
  if (!(p > 0)) return "0%";
  if (p < 0.01) return "<1%";
  if (p >= 0.99) return Math.min(99.9, Math.floor(p * 1000) / 10).toFixed(1) + "%"; // float32 rounds some to 1.0
  return Math.round(p * 100) + "%";
}

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The top two digits and the honest words for them. */
export function describe(probabilities) {
  const order = probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
  const [first, second] = order;
  const unsure = first[0] < UNSURE_BELOW;
  return {
    digit: first[1],
    confidence: first[0],
    second: second[1],
    secondConfidence: second[0],
    unsure,
    message: unsure ? `Not sure: ${first[1]} or ${second[1]}?` : `It's ${first[1] === 8 ? "an" : "a"} ${first[1]}`,
  };
}

/** "next: 4 (12%)": the runner-up, as every answer's detail line words it. */
export const runnerUp = (d) => `next: ${d.second} (${percent(d.secondConfidence)})`;

/** The timeline cell class of one per-row answer: conf-0 (unsure) .. conf-4 (sure). */
export const confidenceClass = (p) => `conf-${Math.min(4, Math.floor(p * 5))}`;
