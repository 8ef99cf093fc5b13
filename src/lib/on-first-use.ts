/**
 * A module loaded when first needed, not at start (exceljs for exports, file-type for
 * attachments): the loader's promise is shared by all callers; a failure (a module not found,
 * an install problem) is not kept, so the next call looks for it again.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
}
