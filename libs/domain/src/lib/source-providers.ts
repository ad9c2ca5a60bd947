import { SignatureEncoding, SignatureHash } from './project-config';
import { SourceProvider } from './sources';

/** How an incoming webhook's HMAC signature is carried. */
export interface HmacRule {
  header: string;
  hash: SignatureHash;
  encoding: SignatureEncoding;
  /** A prefix the provider puts before the digest (`sha256=`). */
  prefix: string;
}

/** Provider presets (reference/signatures.md): a source of a provider supplies only the secret. */
export const PROVIDER_RULES: Readonly<Record<SourceProvider, HmacRule>> = {
  [SourceProvider.GitHub]: {
    header: 'X-Hub-Signature-256',
    hash: SignatureHash.SHA256,
    encoding: SignatureEncoding.Hex,
    prefix: 'sha256=',
  },
  [SourceProvider.Shopify]: {
    header: 'X-Shopify-Hmac-SHA256',
    hash: SignatureHash.SHA256,
    encoding: SignatureEncoding.Base64,
    prefix: '',
  },
  [SourceProvider.Twitter]: {
    header: 'X-Twitter-Webhooks-Signature',
    hash: SignatureHash.SHA256,
    encoding: SignatureEncoding.Base64,
    prefix: 'sha256=',
  },
};
