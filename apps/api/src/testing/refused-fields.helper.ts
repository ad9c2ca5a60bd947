import { InvalidFieldsException } from '../common/invalid-fields.exception';

/**
 * The field names an InvalidFieldsException names when `work` (a promise, or a function run
 * now) fails with one; any other outcome fails the test with what happened instead.
 */
export async function refusedFields(work: Promise<unknown> | (() => unknown)): Promise<string[]> {
  const error = await (typeof work === 'function' ? Promise.resolve().then(work) : work).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof InvalidFieldsException))
    throw new Error(`expected InvalidFieldsException, got ${String(error)}`);
  return error.fields.map((f) => f.field);
}
