// Compound a yearly rate over n periods.
export function apy(rate, periods = 365) {
  return (1 + rate / periods) ** periods - 1;
}
