/**
 * Work a profile must show: a recursive function with a name no other code has, so the test can
 * look for it among V8's own frames and the test runner's.
 */
export function burnCpuWithFibonacci(n: number): number {
  return n < 2 ? n : burnCpuWithFibonacci(n - 1) + burnCpuWithFibonacci(n - 2);
}

/** Lighter work, so a test can tell the heavier function is ranked first. */
export function lightSumOfSquares(count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += (i * i) % 7;
  return sum;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
