/** The code, path and message of what `fn` throws; fails when it throws nothing. */
export function refusal(fn: () => unknown): { code: number; path: string; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code: number; path: string; message: string };
    return { code: e.code, path: e.path, message: e.message };
  }
  throw new Error("no refusal");
}
