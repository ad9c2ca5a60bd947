import { Inject, Injectable } from '@nestjs/common';
import type { IngesterSettings } from '@caravan/config';
import type { SourceEntity } from '@caravan/persistence';
import { newQuickJSWASMModuleFromVariant, QuickJSSyncVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { INGESTER_SETTINGS } from '../ingester-settings.token';
import { SourceTransforms } from './source-transforms';
import { TransformSandbox } from './transform.sandbox';

/**
 * QuickJS's release build, loaded with require: the package's own loader uses a dynamic
 * import(), which Jest's CommonJS runtime cannot run. Same files, same WebAssembly.
 */
const QUICKJS_VARIANT: QuickJSSyncVariant = {
  ...RELEASE_SYNC,
  importModuleLoader: () => Promise.resolve(require('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as never),
};

/**
 * Builds a source's transform sandboxes. Each source with a function gets a WebAssembly
 * instance of QuickJS of its own (a separate linear memory), so one tenant's code shares
 * nothing with another's, not even the allocator; its functions then run in runtimes with
 * the configured time and memory limits.
 */
@Injectable()
export class TransformSandboxFactory {
  constructor(@Inject(INGESTER_SETTINGS) private readonly settings: IngesterSettings) {}

  async forSource(source: Pick<SourceEntity, 'bodyFunction' | 'headerFunction'>): Promise<SourceTransforms> {
    const body = source.bodyFunction?.trim() || null;
    const headers = source.headerFunction?.trim() || null;
    if (!body && !headers) return SourceTransforms.NONE;
    const module = await newQuickJSWASMModuleFromVariant(QUICKJS_VARIANT);
    const limits = {
      timeoutMs: this.settings.transformTimeoutMs,
      memoryBytes: this.settings.transformMemoryBytes,
    };
    return new SourceTransforms(
      body ? new TransformSandbox(module, 'body_function', body, limits) : null,
      headers ? new TransformSandbox(module, 'header_function', headers, limits) : null,
    );
  }
}
